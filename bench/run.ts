/**
 * `npm run bench -- <name> [flags]`: runs one benchmark. Each prints a comparison
 * measured in the same run and ends with one JSON line of its figures. A failure exits
 * non-zero.
 */
const BENCHES: Record<string, () => Promise<{ main(): Promise<void> }>> = {
  autoscale: () => import('./autoscale.bench.ts'),
  http: () => import('./http.bench.ts'),
  memory: () => import('./memory.bench.ts'),
  queue: () => import('./queue.bench.ts'),
  sandbox: () => import('./sandbox.bench.ts'),
  tasks: () => import('./tasks.bench.ts'),
  ws: () => import('./ws.bench.ts'),
};

const name = process.argv[2];
if (!name || !(name in BENCHES)) {
  console.error(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> [flags]`);
  process.exit(1);
}
try {
  const bench = await BENCHES[name]!();
  await bench.main();
} catch (error) {
  console.error(`bench ${name} failed:`, error);
  process.exit(1);
}
