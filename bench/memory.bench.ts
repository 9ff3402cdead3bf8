/**
 * Memory: the resident set (VmRSS) of `tasklane serve` on its embedded defaults (SQLite,
 * in-process workers) when idle, and after creating tasks through HTTP in batches up
 * to --tasks (default 100,000), sampled after each batch so a leak shows as a slope;
 * beside a bare Fastify hello-world process measured in the same run.
 *
 * Flags: --tasks N (100000), --batches N (4), --settle-ms N (5000: the pause before an
 * idle reading). BENCH_CONNECTIONS (default 32).
 */
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { barChart, round, rssMb, signIn, startHello, startTasklane } from './lib.ts';
import { sleep } from './pg-lib.ts';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);

export async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(3),
    options: {
      tasks: { type: 'string', default: '100000' },
      batches: { type: 'string', default: '4' },
      'settle-ms': { type: 'string', default: '5000' },
    },
  });
  const total = Number(values.tasks);
  const batches = Number(values.batches);
  const settleMs = Number(values['settle-ms']);

  const hello = await startHello();
  // The embedded defaults; a provider is named so that agent tasks can be created (it
  // never answers), and the per-user daily task limit is out of reach.
  const tasklane = await startTasklane({
    TASKLANE_LLM_BASE_URL: 'http://127.0.0.1:9/v1',
    TASKLANE_LLM_MODEL: 'bench',
    TASKLANE_DEFAULT_DAILY_LIMIT: '1000000000',
  });
  try {
    await sleep(settleMs);
    const helloRss = rssMb(hello.process.pid!);
    const idle = rssMb(tasklane.process.pid!);
    console.log(`idle: tasklane ${idle} MB, hello-world ${helloRss} MB`);

    const token = await signIn(tasklane.url);
    const samples: [string, number][] = [['idle', idle]];
    let created = 0;
    for (let batch = 1; batch <= batches; batch++) {
      const amount = Math.round((total * batch) / batches) - created;
      const result = await autocannon({
        url: `${tasklane.url}/v1/tasks/tasks`,
        method: 'POST',
        connections: CONNECTIONS,
        amount,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'bench', toolset: [] }),
      });
      const failed = result.errors + result.non2xx;
      if (failed > 0) throw new Error(`${failed} of ${amount} creations failed`);
      created += amount;
      const rss = rssMb(tasklane.process.pid!);
      samples.push([`${created} tasks`, rss]);
      console.log(`  ${created} tasks created (${round(result.requests.average, 0)}/s): ${rss} MB`);
    }
    await sleep(settleMs);
    const after = rssMb(tasklane.process.pid!);
    samples.push([`${created} tasks, settled`, after]);
    const half = samples[Math.ceil(samples.length / 2)]![1];

    console.log(barChart('\nRSS (lower is better)', [['hello-world', helloRss], ...samples], 'MB'));
    console.log(
      JSON.stringify({
        bench: 'memory',
        tasks: created,
        samples_mb: Object.fromEntries(samples),
        hello_rss_mb: helloRss,
        idle_rss_mb: idle,
        rss_after_100k_mb: after,
        // Growth over the second half of the creations: near 0 when memory is flat.
        second_half_growth_mb: round(after - half, 1),
      }),
    );
  } finally {
    await tasklane.stop();
    await hello.stop();
  }
}
