/**
 * HTTP: GET /v1/auth/me with a JWT on Tasklane (auth verification + one db round trip)
 * against a bare Fastify hello-world, loaded by autocannon in the same run; and the
 * same Tasklane path with the API usage log off, to show what logging every
 * authenticated request costs.
 */
import autocannon from 'autocannon';
import { barChart, round, signIn, startHello, startTasklane } from './lib.ts';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(
  url: string,
  headers: Record<string, string> = {},
  duration = DURATION,
): Promise<Figures> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration, headers });
  return {
    rps: round(result.requests.average, 1),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

function mean(a: Figures, b: Figures): Figures {
  return {
    rps: round((a.rps + b.rps) / 2, 1),
    p50: (a.p50 + b.p50) / 2,
    p99: (a.p99 + b.p99) / 2,
    errors: a.errors + b.errors,
  };
}

export async function main(): Promise<void> {
  const hello = await startHello();
  // A provider is configured so that an agent task can be created and read (it is never
  // answered: nothing listens there, and the read path is what is measured).
  const llm = { TASKLANE_LLM_BASE_URL: 'http://127.0.0.1:9/v1', TASKLANE_LLM_MODEL: 'bench' };
  const tasklane = await startTasklane(llm);
  const unlogged = await startTasklane({ ...llm, TASKLANE_API_LOG_ENABLED: 'false' });
  try {
    const me = async (server: { url: string }) => ({
      url: `${server.url}/v1/auth/me`,
      headers: { authorization: `Bearer ${await signIn(server.url)}` },
    });
    const logged = await me(tasklane);
    const plain = await me(unlogged);
    const created = await fetch(`${tasklane.url}/v1/tasks/tasks`, {
      method: 'POST',
      headers: { ...logged.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'bench', toolset: [] }),
    });
    if (created.status !== 201)
      throw new Error(`POST /v1/tasks/tasks answered ${created.status}: ${await created.text()}`);
    const { task_id } = ((await created.json()) as { task: { task_id: string } }).task;
    const read = { url: `${tasklane.url}/v1/tasks/tasks/${task_id}`, headers: logged.headers };

    console.log(
      `autocannon: ${CONNECTIONS} connections, ${DURATION}s each, same machine, same run`,
    );
    // Warm all up so JIT and the db cache are in steady state before measuring.
    await autocannon({ url: hello.url, connections: 8, duration: 2 });
    for (const target of [logged, plain, read])
      await autocannon({ ...target, connections: 8, duration: 2 });
    const baseline = await load(hello.url);
    // The two servers that differ only by the API usage log are measured in alternating
    // halves (A B B A), so a trend over the run (the client warming up, the machine's
    // other load) does not land on one of them.
    const [logA, plainA, plainB, logB] = [
      await load(logged.url, logged.headers, DURATION / 2),
      await load(plain.url, plain.headers, DURATION / 2),
      await load(plain.url, plain.headers, DURATION / 2),
      await load(logged.url, logged.headers, DURATION / 2),
    ];
    const ours = mean(logA, logB);
    const withoutLog = mean(plainA, plainB);
    const taskRead = await load(read.url, read.headers);

    const rows: [string, number][] = [
      ['bare fastify hello', baseline.rps],
      ['tasklane /v1/auth/me', ours.rps],
      ['… API usage log off', withoutLog.rps],
      ['tasklane GET /v1/tasks/tasks/{id}', taskRead.rps],
    ];
    console.log(barChart('\nrequests/s (higher is better)', rows, 'req/s'));
    console.log(
      barChart(
        '\np99 latency (lower is better)',
        [
          ['bare fastify hello', baseline.p99],
          ['tasklane /v1/auth/me', ours.p99],
          ['… API usage log off', withoutLog.p99],
          ['tasklane GET /v1/tasks/tasks/{id}', taskRead.p99],
        ],
        'ms',
      ),
    );
    const figures = {
      bench: 'http',
      duration_s: DURATION,
      connections: CONNECTIONS,
      baseline_hello: baseline,
      tasklane_auth_me: ours,
      tasklane_auth_me_api_log_off: withoutLog,
      tasklane_task_read: taskRead,
      rps_ratio: round(ours.rps / baseline.rps, 3),
      task_read_ratio: round(taskRead.rps / baseline.rps, 3),
      api_log_cost: round(1 - ours.rps / withoutLog.rps, 3),
    };
    console.log(JSON.stringify(figures));
  } finally {
    await unlogged.stop();
    await tasklane.stop();
    await hello.stop();
  }
}
