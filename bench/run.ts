/**
 * `npm run bench -- <name>`: runs one benchmark. Each prints a comparison measured in
 * the same run and ends with one JSON line of its figures.
 */
const BENCHES: Record<string, () => Promise<{ main(): Promise<void> }>> = {
  http: () => import('./http.bench.ts'),
};

const name = process.argv[2];
if (!name || !(name in BENCHES)) {
  console.error(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}>`);
  process.exit(1);
}
const bench = await BENCHES[name]!();
await bench.main();
