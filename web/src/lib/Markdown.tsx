// biome-ignore-all lint/suspicious/noArrayIndexKey: a document's parts have no ids and never reorder
/**
 * Renders Markdown (a generated document) as React elements from markdown-parse.ts's
 * tree: text is always a text node (escaped by React; no HTML string is ever set), and
 * links (http, https, mailto only) open in a new tab with rel="noopener noreferrer".
 */
import { Typography } from '@mantine/core';
import { type ReactNode, useMemo } from 'react';
import { type Block, type Inline, parseMarkdown } from './markdown-parse';

function inlines(nodes: Inline[]): ReactNode[] {
  return nodes.map((node, i) => {
    switch (node.type) {
      case 'text':
        return node.text;
      case 'code':
        return <code key={i}>{node.text}</code>;
      case 'strong':
        return <strong key={i}>{inlines(node.children)}</strong>;
      case 'em':
        return <em key={i}>{inlines(node.children)}</em>;
      case 'del':
        return <del key={i}>{inlines(node.children)}</del>;
      case 'link':
        return (
          <a key={i} href={node.href} target="_blank" rel="noopener noreferrer">
            {inlines(node.children)}
          </a>
        );
      case 'break':
        return <br key={i} />;
      default:
        return null;
    }
  });
}

function blocks(nodes: Block[], headingOffset: number, tight = false): ReactNode[] {
  return nodes.map((node, i) => {
    switch (node.type) {
      case 'heading': {
        const level = Math.min(6, node.level + headingOffset);
        const Tag = `h${level}` as 'h1';
        return <Tag key={i}>{inlines(node.children)}</Tag>;
      }
      case 'paragraph':
        return tight ? (
          <span key={i}>{inlines(node.children)}</span>
        ) : (
          <p key={i}>{inlines(node.children)}</p>
        );
      case 'code':
        return (
          <pre key={i} data-language={node.lang || undefined}>
            <code>{node.text}</code>
          </pre>
        );
      case 'list': {
        const items = node.items.map((item, n) => (
          <li key={n}>{blocks(item, headingOffset, node.tight)}</li>
        ));
        return node.ordered ? (
          <ol key={i} start={node.start === 1 ? undefined : node.start}>
            {items}
          </ol>
        ) : (
          <ul key={i}>{items}</ul>
        );
      }
      case 'quote':
        return <blockquote key={i}>{blocks(node.children, headingOffset)}</blockquote>;
      case 'table':
        return (
          <table key={i}>
            <thead>
              <tr>
                {node.header.map((cell, c) => (
                  <th key={c} style={{ textAlign: node.align[c] ?? undefined }}>
                    {inlines(cell)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {node.rows.map((row, r) => (
                <tr key={r}>
                  {row.map((cell, c) => (
                    <td key={c} style={{ textAlign: node.align[c] ?? undefined }}>
                      {inlines(cell)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        );
      case 'rule':
        return <hr key={i} />;
      default:
        return null;
    }
  });
}

/**
 * `headingOffset` moves the document's headings below the page's own (a document's `#`
 * under the page's h2 becomes an h3 with offset 2).
 */
export function Markdown({
  source,
  headingOffset = 0,
}: {
  source: string;
  headingOffset?: number;
}) {
  const tree = useMemo(() => parseMarkdown(source), [source]);
  return <Typography>{blocks(tree, headingOffset)}</Typography>;
}
