/**
 * Just enough TOML to read dependency tables (pyproject.toml, Cargo.toml): table
 * headers (`[a.b]`, `[[a]]`, quoted parts), dotted and quoted keys, basic and literal
 * strings (multi-line ones too), arrays over several lines, inline tables, and bare
 * values (numbers, booleans, dates) kept as text. It never throws: a line it cannot
 * read is skipped, so a broken file yields what could be read.
 */
export type TomlValue = string | TomlValue[] | TomlTable;
export interface TomlTable {
  [key: string]: TomlValue;
}

class Cursor {
  pos = 0;
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  peek(): string {
    return this.text[this.pos] ?? '';
  }
  startsWith(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }
  /** Skips spaces, tabs, and (when `lines`) newlines and comments too. */
  skip(lines: boolean): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\r') this.pos++;
      else if (lines && c === '\n') this.pos++;
      else if (lines && c === '#')
        while (this.pos < this.text.length && this.peek() !== '\n') this.pos++;
      else return;
    }
  }
  restOfLine(): void {
    while (this.pos < this.text.length && this.peek() !== '\n') this.pos++;
    this.pos++;
  }
}

class TomlSyntax extends Error {}

export function parseToml(text: string): TomlTable {
  const root: TomlTable = {};
  let table = root;
  const cursor = new Cursor(text.length > 2_000_000 ? text.slice(0, 2_000_000) : text);
  while (cursor.pos < cursor.text.length) {
    const lineStart = cursor.pos;
    try {
      cursor.skip(true);
      if (cursor.pos >= cursor.text.length) break;
      if (cursor.peek() === '[') {
        const array = cursor.startsWith('[[');
        cursor.pos += array ? 2 : 1;
        const path = readKey(cursor);
        cursor.skip(false);
        if (!cursor.startsWith(array ? ']]' : ']')) throw new TomlSyntax('header');
        table = tableAt(root, path);
      } else {
        const path = readKey(cursor);
        cursor.skip(false);
        if (cursor.peek() !== '=') throw new TomlSyntax('=');
        cursor.pos++;
        cursor.skip(false);
        const value = readValue(cursor, 0);
        const parent = tableAt(table, path.slice(0, -1));
        parent[path[path.length - 1]!] = value;
      }
    } catch {
      cursor.pos = Math.max(cursor.pos, lineStart);
    }
    cursor.restOfLine();
  }
  return root;
}

function tableAt(root: TomlTable, path: string[]): TomlTable {
  let table = root;
  for (const part of path) {
    const next = table[part];
    if (next && typeof next === 'object' && !Array.isArray(next)) table = next;
    else {
      const created: TomlTable = {};
      table[part] = created;
      table = created;
    }
  }
  return table;
}

function readKey(cursor: Cursor): string[] {
  const parts: string[] = [];
  for (;;) {
    cursor.skip(false);
    const c = cursor.peek();
    if (c === '"' || c === "'") parts.push(readString(cursor));
    else {
      const match = /^[A-Za-z0-9_-]+/.exec(cursor.text.slice(cursor.pos, cursor.pos + 256));
      if (!match) throw new TomlSyntax('key');
      parts.push(match[0]);
      cursor.pos += match[0].length;
    }
    cursor.skip(false);
    if (cursor.peek() !== '.') return parts;
    cursor.pos++;
  }
}

function readValue(cursor: Cursor, depth: number): TomlValue {
  if (depth > 32) throw new TomlSyntax('depth');
  const c = cursor.peek();
  if (c === '"' || c === "'") return readString(cursor);
  if (c === '[') {
    cursor.pos++;
    const items: TomlValue[] = [];
    for (;;) {
      cursor.skip(true);
      if (cursor.peek() === ']') {
        cursor.pos++;
        return items;
      }
      if (cursor.pos >= cursor.text.length) throw new TomlSyntax('array');
      items.push(readValue(cursor, depth + 1));
      cursor.skip(true);
      if (cursor.peek() === ',') cursor.pos++;
    }
  }
  if (c === '{') {
    cursor.pos++;
    const table: TomlTable = {};
    for (;;) {
      cursor.skip(false);
      if (cursor.peek() === '}') {
        cursor.pos++;
        return table;
      }
      const path = readKey(cursor);
      cursor.skip(false);
      if (cursor.peek() !== '=') throw new TomlSyntax('=');
      cursor.pos++;
      cursor.skip(false);
      tableAt(table, path.slice(0, -1))[path[path.length - 1]!] = readValue(cursor, depth + 1);
      cursor.skip(false);
      if (cursor.peek() === ',') cursor.pos++;
      else if (cursor.peek() !== '}') throw new TomlSyntax('inline table');
    }
  }
  const bare = /^[^\s,\]}#]+/.exec(cursor.text.slice(cursor.pos, cursor.pos + 256));
  if (!bare) throw new TomlSyntax('value');
  cursor.pos += bare[0].length;
  return bare[0];
}

function readString(cursor: Cursor): string {
  const quote = cursor.peek();
  const triple = quote.repeat(3);
  if (cursor.startsWith(triple)) {
    const end = cursor.text.indexOf(triple, cursor.pos + 3);
    if (end < 0) throw new TomlSyntax('string');
    const value = cursor.text.slice(cursor.pos + 3, end).replace(/^\r?\n/, '');
    cursor.pos = end + 3;
    return quote === '"' ? unescapeBasic(value) : value;
  }
  let out = '';
  cursor.pos++;
  while (cursor.pos < cursor.text.length) {
    const c = cursor.peek();
    if (c === '\n') break;
    if (c === quote) {
      cursor.pos++;
      return out;
    }
    if (c === '\\' && quote === '"') {
      out += unescapeBasic(cursor.text.slice(cursor.pos, cursor.pos + 2));
      cursor.pos += 2;
      continue;
    }
    out += c;
    cursor.pos++;
  }
  throw new TomlSyntax('string');
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' };

function unescapeBasic(text: string): string {
  return text.replace(/\\(.)/g, (_m, c: string) => ESCAPES[c] ?? c);
}
