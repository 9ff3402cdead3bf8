/**
 * A small Markdown parser for generated documents: ATX and setext headings, paragraphs,
 * bullet and numbered lists (nested), fenced code blocks, block quotes, tables,
 * horizontal rules; inline code, strong, emphasis, strikethrough, links and line breaks.
 * It builds a tree of plain data, which Markdown.tsx turns into React elements: every
 * piece of text stays text (React escapes it), so HTML in a document is shown, never run.
 * Links keep only http(s) and mailto targets; any other (javascript:, data:, relative)
 * becomes its text. Not a full CommonMark implementation: what it does not know shows
 * as text. No dependencies, so test/console/markdown.test.ts runs it under Node.
 */

export type Inline =
  | { type: 'text'; text: string }
  | { type: 'code'; text: string }
  | { type: 'strong' | 'em' | 'del'; children: Inline[] }
  | { type: 'link'; href: string; children: Inline[] }
  | { type: 'break' };

export type Align = 'left' | 'center' | 'right' | null;

export type Block =
  | { type: 'heading'; level: number; children: Inline[] }
  | { type: 'paragraph'; children: Inline[] }
  | { type: 'code'; lang: string; text: string }
  | { type: 'list'; ordered: boolean; start: number; tight: boolean; items: Block[][] }
  | { type: 'quote'; children: Block[] }
  | { type: 'table'; align: Align[]; header: Inline[][]; rows: Inline[][][] }
  | { type: 'rule' };

/** Nesting past this (quotes in lists in quotes…, emphasis in emphasis…) stays text. */
const MAX_DEPTH = 16;

const FENCE = /^( {0,3})(`{3,}|~{3,})[ \t]*([^\s`]*)[^`]*$/;
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const QUOTE = /^ {0,3}> ?/;
const LIST_ITEM = /^( {0,3})([-*+]|\d{1,9}[.)])([ \t]+|$)/;
const SETEXT = /^ {0,3}(=+|-+)[ \t]*$/;
const TABLE_DIVIDER = /^ {0,3}\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;

export function parseMarkdown(source: string): Block[] {
  return parseBlocks(source.replace(/\r\n?/g, '\n').replace(/\t/g, '    ').split('\n'), 0);
}

function isBlank(line: string): boolean {
  return line.trim() === '';
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/** A line that ends a paragraph by starting another block. */
function startsBlock(line: string): boolean {
  return (
    FENCE.test(line) ||
    HEADING.test(line) ||
    RULE.test(line) ||
    QUOTE.test(line) ||
    LIST_ITEM.test(line)
  );
}

function splitRow(line: string): string[] {
  let row = line.trim();
  if (row.startsWith('|')) row = row.slice(1);
  if (row.endsWith('|') && !row.endsWith('\\|')) row = row.slice(0, -1);
  const cells: string[] = [];
  let cell = '';
  for (let i = 0; i < row.length; i++) {
    if (row[i] === '\\' && row[i + 1] === '|') {
      cell += '|';
      i++;
    } else if (row[i] === '|') {
      cells.push(cell.trim());
      cell = '';
    } else {
      cell += row[i];
    }
  }
  cells.push(cell.trim());
  return cells;
}

function parseBlocks(lines: string[], depth: number): Block[] {
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (isBlank(line)) {
      i++;
      continue;
    }

    const fence = FENCE.exec(line);
    if (fence) {
      const indent = fence[1]!.length;
      const marker = fence[2]!;
      const body: string[] = [];
      i++;
      while (i < lines.length) {
        const closing = lines[i]!.trim();
        if (
          indentOf(lines[i]!) < 4 &&
          closing.startsWith(marker) &&
          closing.split('').every((c) => c === marker[0])
        ) {
          i++;
          break;
        }
        const current = lines[i]!;
        body.push(current.slice(Math.min(indent, indentOf(current))));
        i++;
      }
      blocks.push({ type: 'code', lang: fence[3] ?? '', text: body.join('\n') });
      continue;
    }

    const heading = HEADING.exec(line);
    if (heading) {
      blocks.push({
        type: 'heading',
        level: heading[1]!.length,
        children: parseInline(heading[2] ?? '', depth),
      });
      i++;
      continue;
    }

    if (RULE.test(line)) {
      blocks.push({ type: 'rule' });
      i++;
      continue;
    }

    if (QUOTE.test(line) && depth < MAX_DEPTH) {
      const inner: string[] = [];
      while (i < lines.length && QUOTE.test(lines[i]!)) {
        inner.push(lines[i]!.replace(QUOTE, ''));
        i++;
      }
      blocks.push({ type: 'quote', children: parseBlocks(inner, depth + 1) });
      continue;
    }

    if (LIST_ITEM.test(line) && depth < MAX_DEPTH) {
      i = parseList(lines, i, depth, blocks);
      continue;
    }

    const next = lines[i + 1];
    if (line.includes('|') && next !== undefined && TABLE_DIVIDER.test(next)) {
      const header = splitRow(line);
      const align = splitRow(next).map((cell): Align => {
        const left = cell.startsWith(':');
        const right = cell.endsWith(':');
        return left && right ? 'center' : right ? 'right' : left ? 'left' : null;
      });
      if (align.length === header.length) {
        i += 2;
        const rows: Inline[][][] = [];
        while (i < lines.length && !isBlank(lines[i]!) && lines[i]!.includes('|')) {
          const cells = splitRow(lines[i]!);
          rows.push(header.map((_, c) => parseInline(cells[c] ?? '', depth)));
          i++;
        }
        blocks.push({
          type: 'table',
          align,
          header: header.map((cell) => parseInline(cell, depth)),
          rows,
        });
        continue;
      }
    }

    // A paragraph: up to a blank line or the start of another block; a setext
    // underline makes it a heading.
    // Trailing spaces stay until the inline pass: two of them make a line break.
    const text: string[] = [line.trimStart()];
    i++;
    let setext = 0;
    while (i < lines.length && !isBlank(lines[i]!)) {
      const underline = SETEXT.exec(lines[i]!);
      if (underline) {
        setext = underline[1]!.startsWith('=') ? 1 : 2;
        i++;
        break;
      }
      if (startsBlock(lines[i]!)) break;
      text.push(lines[i]!.trimStart());
      i++;
    }
    const children = parseInline(text.join('\n').trimEnd(), depth);
    blocks.push(
      setext ? { type: 'heading', level: setext, children } : { type: 'paragraph', children },
    );
  }
  return blocks;
}

/** Parses the list starting at lines[start] into `blocks`; returns the next line's index. */
function parseList(lines: string[], start: number, depth: number, blocks: Block[]): number {
  const first = LIST_ITEM.exec(lines[start]!)!;
  const ordered = /\d/.test(first[2]!);
  const items: Block[][] = [];
  // Loose (paragraphs shown as such) when a blank line separates items or blocks in one.
  let tight = true;
  let i = start;
  for (;;) {
    const item = i < lines.length ? LIST_ITEM.exec(lines[i]!) : null;
    if (!item || /\d/.test(item[2]!) !== ordered) break;
    const spaces = item[3]!.length;
    const contentIndent =
      item[1]!.length + item[2]!.length + (spaces >= 1 && spaces <= 4 ? spaces : 1);
    const body: string[] = [lines[i]!.slice(item[0].length)];
    i++;
    let blank = false;
    while (i < lines.length) {
      const line = lines[i]!;
      if (isBlank(line)) {
        blank = true;
        body.push('');
      } else if (indentOf(line) >= contentIndent) {
        if (blank) tight = false;
        body.push(line.slice(contentIndent));
        blank = false;
      } else if (!blank && !startsBlock(line)) {
        body.push(line.trim()); // a lazy continuation of the item's last paragraph
      } else {
        break;
      }
      i++;
    }
    while (body.length > 0 && isBlank(body[body.length - 1]!)) body.pop();
    items.push(parseBlocks(body, depth + 1));
    const next = i < lines.length ? LIST_ITEM.exec(lines[i]!) : null;
    if (blank && next && /\d/.test(next[2]!) === ordered) tight = false;
  }
  blocks.push({
    type: 'list',
    ordered,
    start: ordered ? Number.parseInt(first[2]!, 10) : 1,
    tight,
    items,
  });
  return i;
}

const SAFE_HREF = /^(https?:\/\/|mailto:)/i;

/** The link target when it is one a document may have (http, https, mailto). */
export function safeHref(href: string): string | undefined {
  const trimmed = href.trim();
  return SAFE_HREF.test(trimmed) && !/[\s<>"]/.test(trimmed) ? trimmed : undefined;
}

const PLAIN = /[^\\`*_~[!<\nh]+/y;
const CODE_SPAN = /(`+)([\s\S]*?[^`])\1(?!`)/y;
const LINK =
  /!?\[((?:[^[\]\\]|\\.)*)\]\(\s*<?([^\s<>()]*(?:\([^\s<>()]*\)[^\s<>()]*)*)>?(?:\s+"[^"]*")?\s*\)/y;
const AUTOLINK = /<((?:https?:\/\/|mailto:)[^\s<>]+)>/y;
const BARE_URL = /https?:\/\/[^\s<>()]*[^\s<>().,;:!?'"*_~]/y;
const STRONG_STAR = /\*\*(?=\S)([\s\S]*?\S)\*\*(?!\*)/y;
const STRONG_UNDER = /__(?=\S)([\s\S]*?\S)__(?![A-Za-z0-9])/y;
const EM_STAR = /\*(?=[^\s*])([\s\S]*?[^\s*])\*(?!\*)/y;
const EM_UNDER = /_(?=[^\s_])([\s\S]*?[^\s_])_(?![A-Za-z0-9])/y;
const STRIKE = /~~(?=\S)([\s\S]*?\S)~~/y;
const PUNCTUATION = /[!-/:-@[-`{-~]/;

function at(pattern: RegExp, src: string, index: number): RegExpExecArray | null {
  pattern.lastIndex = index;
  return pattern.exec(src);
}

/** What the inline construct at src[index] is, and how long; null when it is plain text. */
function inlineAt(
  src: string,
  index: number,
  depth: number,
): { nodes: Inline[]; length: number } | null {
  const c = src[index]!;
  const wordBefore = index > 0 && /[A-Za-z0-9]/.test(src[index - 1]!);
  const nested = (content: string): Inline[] =>
    depth < MAX_DEPTH ? parseInline(content, depth + 1) : [{ type: 'text', text: content }];
  const wrap = (type: 'strong' | 'em' | 'del', match: RegExpExecArray | null) =>
    match && { nodes: [{ type, children: nested(match[1]!) }], length: match[0].length };
  switch (c) {
    case '\\': {
      const next = src[index + 1];
      if (next === '\n') return { nodes: [{ type: 'break' }], length: 2 };
      if (next !== undefined && PUNCTUATION.test(next)) {
        return { nodes: [{ type: 'text', text: next }], length: 2 };
      }
      return null;
    }
    case '`': {
      const match = at(CODE_SPAN, src, index);
      if (!match) {
        // An unmatched run of backticks is text, all of it.
        const run = at(/`+/y, src, index)![0];
        return { nodes: [{ type: 'text', text: run }], length: run.length };
      }
      let code = match[2]!.replace(/\n/g, ' ');
      if (code.length > 2 && code.startsWith(' ') && code.endsWith(' ')) code = code.slice(1, -1);
      return { nodes: [{ type: 'code', text: code }], length: match[0].length };
    }
    case '!':
    case '[': {
      if (c === '!' && src[index + 1] !== '[') return null;
      const match = at(LINK, src, index);
      if (!match) return null;
      const href = safeHref(match[2]!);
      const children = nested(match[1]!);
      return {
        nodes: href ? [{ type: 'link', href, children }] : children,
        length: match[0].length,
      };
    }
    case '<': {
      const match = at(AUTOLINK, src, index);
      if (!match) return null;
      const href = match[1]!;
      return {
        nodes: [{ type: 'link', href, children: [{ type: 'text', text: href }] }],
        length: match[0].length,
      };
    }
    case 'h': {
      const match = wordBefore ? null : at(BARE_URL, src, index);
      if (!match) return null;
      const href = match[0];
      return {
        nodes: [{ type: 'link', href, children: [{ type: 'text', text: href }] }],
        length: href.length,
      };
    }
    case '*':
      return wrap('strong', at(STRONG_STAR, src, index)) ?? wrap('em', at(EM_STAR, src, index));
    case '_':
      // snake_case_names are not emphasis.
      if (wordBefore) return null;
      return wrap('strong', at(STRONG_UNDER, src, index)) ?? wrap('em', at(EM_UNDER, src, index));
    case '~':
      return wrap('del', at(STRIKE, src, index));
    default:
      return null;
  }
}

export function parseInline(src: string, depth = 0): Inline[] {
  const out: Inline[] = [];
  let text = '';
  const flush = () => {
    if (text) out.push({ type: 'text', text });
    text = '';
  };
  let i = 0;
  while (i < src.length) {
    const plain = at(PLAIN, src, i);
    if (plain) {
      text += plain[0];
      i += plain[0].length;
      continue;
    }
    if (src[i] === '\n') {
      // Two spaces before a line end make a line break.
      if (/ {2,}$/.test(text)) {
        text = text.replace(/ +$/, '');
        flush();
        out.push({ type: 'break' });
      } else {
        text += '\n';
      }
      i++;
      continue;
    }
    const found = inlineAt(src, i, depth);
    if (!found) {
      text += src[i];
      i++;
      continue;
    }
    const [only] = found.nodes;
    if (found.nodes.length === 1 && only?.type === 'text') {
      text += only.text;
    } else {
      flush();
      out.push(...found.nodes);
    }
    i += found.length;
  }
  flush();
  return out;
}
