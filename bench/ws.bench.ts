/**
 * WebSocket fan-out: one task change reaching --clients authenticated AutoServe
 * sockets (`/ws/events`, `task_status`), against a bare @fastify/websocket server
 * broadcasting a message of the same shape to as many clients, in the same run.
 *
 * Tasklane's path is the product's: `PUT /tasks/{id}` (AutoServe) changes a queued
 * task, the core records `task.updated` in the outbox, the event hub hands it to every
 * subscribed socket and each presents and sends it. The baseline's is a `POST
 * /broadcast` whose handler sends the body, serialized once, to every socket. Latency
 * is from the request's start to a client's receipt of that change, over every client
 * and every round (--rounds, default 50, after --warmup 5).
 *
 * Flags: --clients N (1000), --rounds N (50), --warmup N (5).
 */
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import {
  barChart,
  type Child,
  percentile,
  round,
  signIn,
  startHello,
  startTasklane,
} from './lib.ts';
import { sleep } from './pg-lib.ts';

interface Latency {
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  received: number;
  expected: number;
}

/** Opens `count` sockets (a few at a time) and resolves once all are open. */
async function connect(url: string, count: number): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < count; i += 50) {
    const batch = Array.from({ length: Math.min(50, count - i) }, () => {
      const socket = new WebSocket(url);
      sockets.push(socket);
      return new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('error', reject);
      });
    });
    await Promise.all(batch);
  }
  return sockets;
}

/**
 * Runs `rounds` changes; each resolves when every socket has seen the marker it
 * carries (`match` reads it out of a message) or after 10 s.
 */
async function measure(
  sockets: WebSocket[],
  rounds: number,
  change: (marker: string) => Promise<void>,
  match: (message: Record<string, unknown>) => string | undefined,
): Promise<Latency> {
  const latencies: number[] = [];
  let received = 0;
  for (let round = 0; round < rounds; round++) {
    const marker = `m${round}-${Math.random().toString(36).slice(2, 8)}`;
    let waiting = sockets.length;
    let start = 0;
    const allSeen = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 10_000);
      for (const socket of sockets) {
        const onMessage = (data: WebSocket.RawData) => {
          const seen = match(JSON.parse(data.toString()) as Record<string, unknown>);
          if (seen !== marker) return;
          socket.off('message', onMessage);
          latencies.push(performance.now() - start);
          received++;
          if (--waiting === 0) {
            clearTimeout(timer);
            resolve();
          }
        };
        socket.on('message', onMessage);
      }
    });
    start = performance.now();
    await change(marker);
    await allSeen;
    for (const socket of sockets) socket.removeAllListeners('message');
    await sleep(20);
  }
  latencies.sort((a, b) => a - b);
  return {
    p50_ms: round(percentile(latencies, 50), 2),
    p99_ms: round(percentile(latencies, 99), 2),
    max_ms: round(latencies.at(-1) ?? Number.NaN, 2),
    received,
    expected: rounds * sockets.length,
  };
}

/** `warmup` rounds not counted, then `rounds` measured; the sockets are closed after. */
async function warmedUp(
  sockets: WebSocket[],
  plan: { warmup: number; rounds: number },
  change: (marker: string) => Promise<void>,
  match: (message: Record<string, unknown>) => string | undefined,
): Promise<Latency> {
  try {
    await measure(sockets, plan.warmup, change, match);
    return await measure(sockets, plan.rounds, change, match);
  } finally {
    for (const socket of sockets) socket.terminate();
  }
}

async function baseline(clients: number, rounds: number, warmup: number): Promise<Latency> {
  const server: Child = await startHello('ws-broadcast.ts');
  try {
    const sockets = await connect(`${server.url.replace('http', 'ws')}/ws`, clients);
    const change = async (marker: string) => {
      const res = await fetch(`${server.url}/broadcast`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'task_status',
          data: { task_id: marker, status: 'pending', progress: 0, timestamp: new Date() },
        }),
      });
      await res.arrayBuffer();
    };
    const match = (m: Record<string, unknown>) => (m.data as { task_id?: string })?.task_id;
    // Awaited here: the finally below stops the server, which must outlive the rounds.
    return await warmedUp(sockets, { warmup, rounds }, change, match);
  } finally {
    await server.stop();
  }
}

async function tasklane(clients: number, rounds: number, warmup: number): Promise<Latency> {
  const server = await startTasklane();
  try {
    const token = await signIn(server.url);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    // A task that stays queued (it runs in a year), so its title can change each round.
    const created = await fetch(`${server.url}/tasks`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        title: 'bench',
        task_type: 'code',
        scheduled_at: new Date(Date.now() + 365 * 86_400_000).toISOString(),
        parameters: { language: 'bash', source: 'true' },
      }),
    });
    if (created.status !== 201)
      throw new Error(`POST /tasks answered ${created.status}: ${await created.text()}`);
    const { id } = (await created.json()) as { id: string };
    const sockets = await connect(
      `${server.url.replace('http', 'ws')}/ws/events?token=${encodeURIComponent(token)}`,
      clients,
    );
    // The marker travels in the title; the socket's message carries the task's id and
    // timestamp, so a round is matched by the event that follows its change.
    let current = '';
    const change = async (marker: string) => {
      current = marker;
      const res = await fetch(`${server.url}/tasks/${id}`, {
        method: 'PUT',
        headers,
        body: JSON.stringify({ title: marker }),
      });
      if (res.status !== 200) throw new Error(`PUT /tasks answered ${res.status}`);
      await res.arrayBuffer();
    };
    const match = (m: Record<string, unknown>) =>
      m.type === 'task_status' && (m.data as { task_id?: string })?.task_id === id
        ? current
        : undefined;
    // Awaited here: the finally below stops the server, which must outlive the rounds.
    return await warmedUp(sockets, { warmup, rounds }, change, match);
  } finally {
    await server.stop();
  }
}

export async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(3),
    options: {
      clients: { type: 'string', default: '1000' },
      rounds: { type: 'string', default: '50' },
      warmup: { type: 'string', default: '5' },
    },
  });
  const clients = Number(values.clients);
  const rounds = Number(values.rounds);
  const warmup = Number(values.warmup);
  console.log(`${clients} sockets, ${rounds} rounds after ${warmup} warm-up rounds`);
  const bare = await baseline(clients, rounds, warmup);
  const ours = await tasklane(clients, rounds, warmup);
  for (const [name, figures] of [
    ['bare', bare],
    ['tasklane', ours],
  ] as const) {
    if (figures.received < figures.expected)
      throw new Error(`${name}: ${figures.received} of ${figures.expected} messages arrived`);
  }
  console.log(
    barChart(
      '\nchange → every client, p99 (lower is better)',
      [
        ['bare @fastify/websocket broadcast', bare.p99_ms],
        ['tasklane PUT /tasks/{id} → /ws/events', ours.p99_ms],
      ],
      'ms',
    ),
  );
  console.log(
    JSON.stringify({
      bench: 'ws',
      clients,
      rounds,
      baseline_broadcast: bare,
      tasklane_task_event: ours,
      p50_ratio: round(ours.p50_ms / bare.p50_ms, 3),
      p99_ratio: round(ours.p99_ms / bare.p99_ms, 3),
    }),
  );
}
