/**
 * The console's Markdown parser (web/src/lib/markdown-parse.ts), which turns generated
 * documents into a tree the page renders as React elements: the constructs it knows,
 * and that nothing in a document can become markup or a script link. (The browser test
 * checks the rendered page.)
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type Block,
  type Inline,
  parseInline,
  parseMarkdown,
  safeHref,
} from '../../web/src/lib/markdown-parse.ts';

/** Inline nodes as a compact string: **x**, *x*, ~~x~~, `x`, [x](href), <br>. */
function show(nodes: Inline[]): string {
  return nodes
    .map((n) => {
      switch (n.type) {
        case 'text':
          return n.text;
        case 'code':
          return `\`${n.text}\``;
        case 'strong':
          return `**${show(n.children)}**`;
        case 'em':
          return `*${show(n.children)}*`;
        case 'del':
          return `~~${show(n.children)}~~`;
        case 'link':
          return `[${show(n.children)}](${n.href})`;
        case 'break':
          return '<br>';
        default:
          return '?';
      }
    })
    .join('');
}

/** Every link target anywhere in a tree. */
function hrefs(blocks: Block[]): string[] {
  const out: string[] = [];
  const inline = (nodes: Inline[]) => {
    for (const n of nodes) {
      if (n.type === 'link') out.push(n.href);
      if ('children' in n) inline(n.children);
    }
  };
  const walk = (list: Block[]) => {
    for (const b of list) {
      if (b.type === 'heading' || b.type === 'paragraph') inline(b.children);
      if (b.type === 'list') for (const item of b.items) walk(item);
      if (b.type === 'quote') walk(b.children);
      if (b.type === 'table') for (const cell of [...b.header, ...b.rows.flat()]) inline(cell);
    }
  };
  walk(blocks);
  return out;
}

describe('blocks', () => {
  test('headings (ATX and setext), paragraphs, rules, quotes', () => {
    const blocks = parseMarkdown(
      '# One #\n\nText on\ntwo lines.\n\nTwo\n---\n\n***\n\n> quoted\n> # inside',
    );
    assert.deepEqual(
      blocks.map((b) => b.type),
      ['heading', 'paragraph', 'heading', 'rule', 'quote'],
    );
    assert.deepEqual(blocks[0], {
      type: 'heading',
      level: 1,
      children: [{ type: 'text', text: 'One' }],
    });
    assert.equal(show((blocks[1] as { children: Inline[] }).children), 'Text on\ntwo lines.');
    assert.equal((blocks[2] as { level: number }).level, 2);
    const quote = blocks[4] as { children: Block[] };
    assert.deepEqual(
      quote.children.map((b) => b.type),
      ['paragraph', 'heading'],
    );
  });

  test('lists: bullets, numbers from their start, nesting, tight and loose', () => {
    const [bullets, numbers, loose] = parseMarkdown(
      '- one\n- two\n  - two.a\n  - two.b\n- three\n\n3. c\n4. d\n\n* x\n\n* y',
    ) as Extract<Block, { type: 'list' }>[];
    assert.equal(bullets!.ordered, false);
    assert.equal(bullets!.tight, true);
    assert.equal(bullets!.items.length, 3);
    const nested = bullets!.items[1]![1] as Extract<Block, { type: 'list' }>;
    assert.equal(nested.type, 'list');
    assert.deepEqual(
      nested.items.map((item) => show((item[0] as { children: Inline[] }).children)),
      ['two.a', 'two.b'],
    );
    assert.equal(numbers!.ordered, true);
    assert.equal(numbers!.start, 3);
    assert.equal(loose!.tight, false);
    assert.equal(loose!.items.length, 2);
  });

  test('fenced code keeps its text exactly, markup included', () => {
    const [code] = parseMarkdown('```html\n<script>alert(1)</script>\n  **not bold**\n```');
    assert.deepEqual(code, {
      type: 'code',
      lang: 'html',
      text: '<script>alert(1)</script>\n  **not bold**',
    });
    // An unclosed fence runs to the end.
    assert.deepEqual(parseMarkdown('~~~\nopen'), [{ type: 'code', lang: '', text: 'open' }]);
  });

  test('tables with alignment', () => {
    const [table] = parseMarkdown('| a | b | c |\n|:--|:-:|--:|\n| 1 | **2** | 3 \\| 4 |');
    assert.equal(table!.type, 'table');
    const t = table as Extract<Block, { type: 'table' }>;
    assert.deepEqual(t.align, ['left', 'center', 'right']);
    assert.deepEqual(t.header.map(show), ['a', 'b', 'c']);
    assert.deepEqual(t.rows[0]!.map(show), ['1', '**2**', '3 | 4']);
  });
});

describe('inline', () => {
  test('code, strong, emphasis (nested), strikethrough, breaks, escapes', () => {
    assert.equal(
      show(parseInline('a `b *c*` **d *e*** ~~f~~ \\*g\\* h  \ni')),
      'a `b *c*` **d *e*** ~~f~~ *g* h<br>i',
    );
    assert.equal(show(parseInline('__strong__ and _em_')), '**strong** and *em*');
  });

  test('underscores inside words are not emphasis', () => {
    assert.equal(show(parseInline('snake_case_name and 2*3*4')), 'snake_case_name and 2*3*4');
  });

  test('links: http(s) and mailto only; anything else is its text', () => {
    assert.equal(
      show(parseInline('[a](https://x.org/a_(b)) <https://y.org> see https://z.org/p.')),
      '[a](https://x.org/a_(b)) [https://y.org](https://y.org) see [https://z.org/p](https://z.org/p).',
    );
    assert.equal(show(parseInline('[mail](mailto:a@b.org)')), '[mail](mailto:a@b.org)');
    for (const bad of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'data:text/html,<b>x</b>',
      'vbscript:x',
      '/relative',
      '//evil.example/x',
    ]) {
      const nodes = parseInline(`[click](${bad})`);
      assert.equal(
        nodes.some((n) => n.type === 'link'),
        false,
        bad,
      );
      assert.match(show(nodes), /^(click|\[click\]\(.*\))$/, bad);
    }
    assert.equal(show(parseInline('[click](javascript:alert(1))')), 'click');
    assert.equal(safeHref(' https://ok.org '), 'https://ok.org');
    assert.equal(safeHref('https://x.org/"onmouseover'), undefined);
  });

  test('HTML is text', () => {
    const blocks = parseMarkdown('<img src=x onerror=alert(1)>\n\n<script>alert(1)</script>');
    assert.deepEqual(
      blocks.map((b) => show((b as { children: Inline[] }).children)),
      ['<img src=x onerror=alert(1)>', '<script>alert(1)</script>'],
    );
    assert.deepEqual(hrefs(blocks), []);
  });
});

test('hostile input: deep nesting and long unmatched runs stay bounded', () => {
  const started = Date.now();
  const deepQuote = parseMarkdown(`${'>'.repeat(5000)} deep`);
  assert.equal(deepQuote[0]!.type, 'quote');
  const deepList = parseMarkdown(
    Array.from({ length: 300 }, (_, i) => `${' '.repeat(i * 2)}- level ${i}`).join('\n'),
  );
  assert.equal(deepList[0]!.type, 'list');
  const nestedEmphasis = parseInline(`${'*a '.repeat(3000)}${'b* '.repeat(3000)}`);
  assert.ok(nestedEmphasis.length > 0);
  for (const run of ['*', '_', '`', '[', '~~', '<', '**x']) {
    assert.ok(parseInline(run.repeat(20_000)).length > 0, run);
  }
  assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
});
