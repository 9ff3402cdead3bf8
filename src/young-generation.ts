/**
 * The young generation's size. While the server loads (some 1,300 modules whose objects
 * mostly survive their first collection) V8 doubles the semi-spaces up to their maximum
 * (32 MB each here) and then keeps them: 60+ MB of RSS that an idle server holds for
 * nothing (issue 15). So start-up runs with the young generation held at its initial
 * size (growth factor 1), and once the server is up `allowYoungGrowth` restores V8's
 * growth factor: under load the young generation grows back, where a large one saves
 * scavenges. (Of the semi-space flags only the growth factor is read at run time; a
 * maximum set from inside the process comes too late.)
 *
 * Imported first by cli.ts, before the server's modules load. An operator's own
 * semi-space flags (NODE_OPTIONS or the command line) are left alone.
 */
import v8 from 'node:v8';

/** V8's default growth factor. */
const GROWTH_FACTOR = 2;

const operatorChose = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((arg) =>
  /semi[-_]space/.test(arg),
);

if (!operatorChose) v8.setFlagsFromString('--semi-space-growth-factor=1');

/** Lets the young generation grow under load (called once the server is ready). */
export function allowYoungGrowth(): void {
  if (!operatorChose) v8.setFlagsFromString(`--semi-space-growth-factor=${GROWTH_FACTOR}`);
}
