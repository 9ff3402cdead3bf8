/**
 * The V8 heap's sizing, set before the server's modules load: the young generation's
 * size and the old generation's growth.
 *
 * The young generation. While the server loads (some 1,300 modules whose objects
 * mostly survive their first collection) V8 doubles the semi-spaces up to their maximum
 * (64 MB each on a machine with this much memory) and then keeps them: RSS that an idle
 * server holds for nothing (issue 15). So start-up runs with the young generation held at
 * its initial size (growth factor 1), and once the server is up `allowYoungGrowth` lets
 * it grow under load, where a larger one saves scavenges, but only up to
 * SEMI_SPACE_CAP_MB: past that, each step saves little (a scavenge copies the survivors,
 * not the garbage) and costs its size in RSS for good, since V8 does not give the pages
 * back when the load stops. Measured with 100k task creations: semi-spaces at 64 MB left
 * the server at ≈350 MB, capped at 8 MB ≈255 MB.
 *
 * Of the semi-space flags only the growth factor is read at run time (a maximum set from
 * inside the process comes too late), so the cap is kept by watching the size after each
 * collection and turning growth off at the cap (on again if V8 shrinks it).
 *
 * Imported first by cli.ts, before the server's modules load. An operator's own
 * semi-space flags (NODE_OPTIONS or the command line) are left alone.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';

/** V8's default growth factor. */
const GROWTH_FACTOR = 2;
/** The largest semi-space growth takes it to (the young generation holds two). */
const SEMI_SPACE_CAP_MB = 8;

/** Whether the operator set a V8 flag matching `pattern` (command line or NODE_OPTIONS). */
const operatorSet = (pattern: RegExp) =>
  [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((arg) => pattern.test(arg));

const operatorChose = operatorSet(/semi[-_]space/);

if (!operatorChose) v8.setFlagsFromString('--semi-space-growth-factor=1');

/**
 * The old generation's growth: after each full collection V8 sets the next one's limit at
 * 1.1–4× what survived, the factor chosen from how fast it collects against how fast the
 * program allocates. Under a burst of load on a slow machine it picks the top of that
 * range, and the garbage that piles up to the limit stays resident afterwards: nine runs
 * of 100k task creations ended between 209 and 349 MB of RSS for the same code. Held at
 * 2× (V8 reads it after every collection), the limit follows what is live: 240–256 MB
 * in five runs, flat after 50k (at 3×, 299 MB and still growing). The price is more
 * full collections under load: task creation on SQLite ran 8–14 % slower in three paired
 * runs against V8's own choice. An operator's own `--heap-growing-percent` is kept.
 */
if (!operatorSet(/heap[-_]growing/)) v8.setFlagsFromString('--heap-growing-percent=100');

/** Lets the young generation grow under load, up to the cap (called once the server is ready). */
export function allowYoungGrowth(): void {
  if (operatorChose) return;
  let growing = false;
  const follow = () => {
    const young = v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
    const grow = (young?.space_size ?? 0) < 2 * SEMI_SPACE_CAP_MB * 1024 * 1024;
    if (grow === growing) return;
    growing = grow;
    v8.setFlagsFromString(`--semi-space-growth-factor=${grow ? GROWTH_FACTOR : 1}`);
  };
  follow();
  new PerformanceObserver(follow).observe({ entryTypes: ['gc'] });
}
