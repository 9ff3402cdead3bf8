/**
 * The core's capabilities depend on one another in one direction only (ARCHITECTURE.md:
 * "imports point down"): the graph of imports between `src/core/<capability>` folders
 * has no cycle. Biome's rules (biome.json) hold the other boundaries.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const CORE = path.resolve(import.meta.dirname, '../src/core');
const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm;

function capabilityOf(file: string): string | undefined {
  const [first, ...rest] = path.relative(CORE, file).split(path.sep);
  return rest.length > 0 ? first : undefined; // files at the core's root are shared plumbing
}

function importGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const entry of fs.readdirSync(CORE, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const file = path.join(entry.parentPath, entry.name);
    const from = capabilityOf(file);
    if (!from || from === 'shared') continue;
    for (const match of fs.readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = path.resolve(path.dirname(file), match[1]!);
      if (!match[1]!.startsWith('.') || !target.startsWith(CORE)) continue;
      const to = capabilityOf(target);
      if (!to || to === from || to === 'shared') continue;
      if (!graph.has(from)) graph.set(from, new Map());
      graph.get(from)!.set(to, path.relative(CORE, file));
    }
  }
  return graph;
}

test('core capabilities import one another without cycles', () => {
  const graph = importGraph();
  const state = new Map<string, 'visiting' | 'done'>();
  const walk = (node: string, trail: string[]): void => {
    if (state.get(node) === 'done') return;
    if (state.get(node) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(node)), node];
      const where = cycle
        .slice(0, -1)
        .map((from, i) => `${from} → ${cycle[i + 1]} (${graph.get(from)!.get(cycle[i + 1]!)})`);
      assert.fail(`capability cycle: ${where.join(', ')}`);
    }
    state.set(node, 'visiting');
    for (const next of graph.get(node)?.keys() ?? []) walk(next, [...trail, node]);
    state.set(node, 'done');
  };
  for (const node of graph.keys()) walk(node, []);
  assert.ok(graph.size > 5, 'the graph was read');
});
