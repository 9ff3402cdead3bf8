/**
 * HTTP: GET /v1/auth/me with a JWT on Tasklane (auth verification + one db round trip)
 * against a bare Fastify hello-world, both loaded by autocannon in the same run.
 */
import autocannon from 'autocannon';
import { barChart, round, startHello, startTasklane } from './lib.ts';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(url: string, headers: Record<string, string> = {}): Promise<Figures> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION, headers });
  return {
    rps: round(result.requests.average, 1),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

export async function main(): Promise<void> {
  const hello = await startHello();
  const tasklane = await startTasklane();
  try {
    const user = { username: 'bench', email: 'bench@example.com', password: 'bench-password-1' };
    await fetch(`${tasklane.url}/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(user),
    });
    const login = await fetch(`${tasklane.url}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: user.username, password: user.password }),
    });
    const { access_token } = (await login.json()) as { access_token: string };
    const check = await fetch(`${tasklane.url}/v1/auth/me`, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    if (check.status !== 200)
      throw new Error(`GET /v1/auth/me answered ${check.status}: ${await check.text()}`);

    console.log(
      `autocannon: ${CONNECTIONS} connections, ${DURATION}s each, same machine, same run`,
    );
    // Warm both up so JIT and the db cache are in steady state before measuring.
    await autocannon({ url: hello.url, connections: 8, duration: 2 });
    await autocannon({
      url: `${tasklane.url}/v1/auth/me`,
      connections: 8,
      duration: 2,
      headers: { authorization: `Bearer ${access_token}` },
    });
    const baseline = await load(hello.url);
    const ours = await load(`${tasklane.url}/v1/auth/me`, {
      authorization: `Bearer ${access_token}`,
    });

    console.log(
      barChart(
        '\nrequests/s (higher is better)',
        [
          ['bare fastify hello', baseline.rps],
          ['tasklane /v1/auth/me', ours.rps],
        ],
        'req/s',
      ),
    );
    console.log(
      barChart(
        '\np99 latency (lower is better)',
        [
          ['bare fastify hello', baseline.p99],
          ['tasklane /v1/auth/me', ours.p99],
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
      rps_ratio: round(ours.rps / baseline.rps, 3),
    };
    console.log(JSON.stringify(figures));
  } finally {
    await tasklane.stop();
    await hello.stop();
  }
}
