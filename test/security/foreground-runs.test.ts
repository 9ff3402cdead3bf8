/**
 * Finding 5: foreground agent runs (Task Assistant's WebSocket `agent_execute`, and
 * `POST /agents/{id}/execute`) used to run in the API process, all at once, untouched by
 * rate limits. Now every run is a queued job: no more run at once than the workers have
 * slots, each message counts against the surface's rate limits, and a run whose caller
 * goes away (socket closed, HTTP client gone) is cancelled with its sandbox killed and
 * its credit hold released.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { listAgentRuns } from '../../src/core/agents/agent-runs.service.ts';
import { createContext, systemActor } from '../../src/core/context.ts';
import { probeBwrap } from '../../src/core/execution/sandbox/bwrap.ts';
import { actAsUser } from '../../src/core/identity/auth.service.ts';
import { getBalance } from '../../src/core/metering/metering.service.ts';
import {
  registerUser,
  startTaskAssistant,
  type TaEnv,
  type TaUser,
  waitFor,
} from '../surfaces/taskassistant/support.ts';
import { Socket } from '../surfaces/taskassistant/ws-client.ts';

const bwrap = probeBwrap();
let env: TaEnv;
let user: TaUser;
let agentId: string;

before(async () => {
  // Two worker slots (startTaskAssistant), rate limits on with the spec's numbers.
  env = await startTaskAssistant({ llm: true, env: { TASKLANE_RATE_LIMIT: 'true' } });
  user = await registerUser(env.api, 'fg');
  const agent = await env.api.post(
    '/api/v1/agents',
    { name: 'Sleeper', provider: 'openai', model: 'gpt-4', tools: ['code_executor'] },
    { token: user.token },
  );
  assert.equal(agent.status, 201, agent.text);
  agentId = agent.body.id;
});
after(() => env?.close());

/** Each run: one code_executor step that sleeps `seconds` (a marker for pgrep), then an answer. */
function sleepyModel(seconds: string) {
  env.fixture!.script = (results) =>
    results.length === 0
      ? [{ name: 'code_executor', arguments: { language: 'bash', code: `sleep ${seconds}` } }]
      : undefined;
}

/** The agent's runs by status, read from the core (polling over HTTP would meet the rate limits). */
async function runsByStatus(): Promise<Record<string, number>> {
  const ctx = createContext(env.server.runtime, systemActor);
  const owner = await actAsUser(ctx, await userIdOf(user));
  const page = await listAgentRuns(owner!, agentId, { limit: 100, offset: 0 });
  const counts: Record<string, number> = {};
  for (const run of page.items) counts[run.status] = (counts[run.status] ?? 0) + 1;
  return counts;
}

test('ten agent_execute messages never run more at once than the workers have slots', {
  skip: !bwrap.ok && 'needs bubblewrap',
}, async () => {
  sleepyModel('1.5');
  const socket = await Socket.open(env.server.url, user.token);
  for (let i = 0; i < 10; i++)
    socket.send({ type: 'agent_execute', agent_id: agentId, input: `run ${i}` });
  let mostRunning = 0;
  await waitFor(
    'all ten runs to finish',
    async () => {
      const counts = await runsByStatus();
      mostRunning = Math.max(mostRunning, counts.running ?? 0);
      return (counts.completed ?? 0) >= 10 ? true : undefined;
    },
    120_000,
  );
  assert.ok(mostRunning >= 1 && mostRunning <= 2, `at most 2 ran at once (saw ${mostRunning})`);
  // A run is marked completed before its result is sent: give the last one time to arrive.
  await waitFor(
    'ten agent_result messages',
    async () =>
      socket.messages.filter((m) => m.type === 'agent_result').length >= 10 ? true : undefined,
    60_000,
  );
  const results = socket.messages.filter((m) => m.type === 'agent_result');
  assert.equal(results.length, 10);
  assert.ok(results.every((m) => m.status === 'completed'));
  socket.close();
});

test('agent_execute messages count against the rate limits (50 per minute per user)', async () => {
  env.fixture!.script = () => undefined; // answers at once, no tools
  const other = await registerUser(env.api, 'fgrate');
  const agent = await env.api.post(
    '/api/v1/agents',
    { name: 'Quick', provider: 'openai', model: 'gpt-4', tools: [] },
    { token: other.token },
  );
  const socket = await Socket.open(env.server.url, other.token);
  for (let i = 0; i < 60; i++)
    socket.send({ type: 'agent_execute', agent_id: agent.body.id, input: `n${i}` });
  const limited = await socket.seen(
    (m) => m.type === 'error' && m.error_code === 'RATE_LIMIT_EXCEEDED',
  );
  assert.equal(limited.request_type, 'agent_execute');
  await waitFor(
    'the allowed runs to finish',
    async () => {
      const done = socket.messages.filter((m) => m.type === 'agent_result' || m.type === 'error');
      return done.length >= 60 ? true : undefined;
    },
    180_000,
  );
  const results = socket.messages.filter((m) => m.type === 'agent_result').length;
  const refused = socket.messages.filter((m) => m.error_code === 'RATE_LIMIT_EXCEEDED').length;
  assert.ok(results <= 50, `${results} runs got through`);
  assert.equal(results + refused, 60);
  socket.close();
});

test('closing the socket cancels its run: the sandbox is killed and the credit hold released', {
  skip: !bwrap.ok && 'needs bubblewrap',
}, async () => {
  const marker = `${40 + (process.pid % 50)}.${Date.now() % 1000}`;
  sleepyModel(marker);
  const socket = await Socket.open(env.server.url, user.token);
  socket.send({ type: 'agent_execute', agent_id: agentId, input: 'long' });
  const sleeping = () => {
    try {
      return execFileSync('pgrep', ['-f', `sleep ${marker}`], { encoding: 'utf8' }).trim() !== '';
    } catch {
      return false;
    }
  };
  await waitFor(
    'the sandboxed sleep to start',
    async () => (sleeping() ? true : undefined),
    120_000,
  );
  socket.close();
  await waitFor('the sandbox to be killed', async () => (sleeping() ? undefined : true), 60_000);
  const run = await waitFor(
    'the run to be closed',
    async () => {
      const ctx = createContext(env.server.runtime, systemActor);
      const owner = await actAsUser(ctx, await userIdOf(user));
      const latest = (await listAgentRuns(owner!, agentId, { limit: 1, offset: 0 })).items[0];
      return latest?.status === 'failed' ? latest : undefined;
    },
    60_000,
  );
  assert.match(run.errorMessage ?? '', /Cancelled/);
  const ctx = createContext(env.server.runtime, systemActor);
  const balance = await getBalance(ctx, await userIdOf(user));
  assert.equal(balance.reservedMicroUsd, 0, 'no credit stays held');
});

const ids = new Map<string, number>();
async function userIdOf(u: TaUser): Promise<number> {
  if (!ids.has(u.token)) {
    const me = await env.api.get('/v1/auth/me', { token: u.token });
    ids.set(u.token, me.body.user.id);
  }
  return ids.get(u.token)!;
}
