/**
 * docs/configuration.md cannot drift from the code: every TASKLANE_* setting the config
 * reads is documented, and every documented setting is read. Reads are recorded by
 * loading the config through an env that notes each name asked for, plus the names that
 * appear literally in src/config* (settings read only in some branches).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../src/config.ts';

const REPO = path.resolve(import.meta.dirname, '..');

function namesRead(): Set<string> {
  const asked = new Set<string>();
  const env = new Proxy({} as Record<string, string | undefined>, {
    get(_target, key) {
      if (typeof key === 'string') asked.add(key);
      return undefined;
    },
  });
  loadConfig(env);
  const sources = [
    path.join(REPO, 'src/config.ts'),
    ...fs.globSync('src/config/**/*.ts', { cwd: REPO }).map((f) => path.join(REPO, f)),
  ];
  for (const file of sources) {
    for (const match of fs.readFileSync(file, 'utf8').matchAll(/['`](TASKLANE_[A-Z0-9_]+)/g)) {
      asked.add(match[1]!);
    }
  }
  return new Set([...asked].filter((name) => name.startsWith('TASKLANE_')));
}

/** The first column of each settings table row; `<NAME>` stands for any upper-case word. */
function namesDocumented(): { name: string; pattern: RegExp }[] {
  const text = fs.readFileSync(path.join(REPO, 'docs/configuration.md'), 'utf8');
  return [...text.matchAll(/^\| `(TASKLANE_[A-Z0-9_<>]+)`/gm)].map(([, name]) => ({
    name: name!,
    pattern: new RegExp(`^${name!.replace(/<[A-Z]+>/g, '[A-Z0-9]+')}$`),
  }));
}

test('every setting the config reads is documented in docs/configuration.md', () => {
  const documented = namesDocumented();
  // Names read by prefix (per surface, per provider) end in `_`; a documented pattern covers them.
  const missing = [...namesRead()].filter(
    (name) =>
      !documented.some(({ pattern, name: doc }) =>
        name.endsWith('_') ? doc.startsWith(name) : pattern.test(name),
      ),
  );
  assert.deepEqual(missing, [], `undocumented settings: ${missing.join(', ')}`);
});

test('every documented setting is one the config reads', () => {
  const read = [...namesRead()];
  const stale = namesDocumented().filter(
    ({ name, pattern }) =>
      !read.some((r) => pattern.test(r) || (r.endsWith('_') && name.startsWith(r))),
  );
  assert.deepEqual(
    stale.map((s) => s.name),
    [],
    'documented settings nothing reads',
  );
});
