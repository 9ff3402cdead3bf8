/**
 * The agent's http_fetch tool reaches only public addresses: a host the operator
 * allow-listed that resolves to loopback is refused (the error is fed back to the
 * model), and the service listening there receives nothing. Real runtime and worker;
 * the AI SDK's mock model calls the tool.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createTask, getTask } from '../../../src/core/tasks/tasks.service.ts';
import type { Task } from '../../../src/core/tasks/tasks.types.ts';
import { newActor } from '../../helpers/actors.ts';
import { useScriptedModel } from '../../helpers/mock-model.ts';
import { startRuntime, type TestRuntime } from '../../helpers/runtime.ts';

const hits: string[] = [];
const internal = http.createServer((req, res) => {
  hits.push(req.url ?? '');
  res.writeHead(200, { 'content-type': 'text/plain' }).end('internal secret');
});
let t: TestRuntime;
before(async () => {
  await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve));
  t = await startRuntime({ workers: 1, env: { TASKLANE_HTTP_FETCH_ALLOW_HOSTS: 'localhost' } });
});
after(async () => {
  await t.close();
  internal.closeAllConnections();
  await new Promise((resolve) => internal.close(resolve));
});

async function settled(ctx: Parameters<typeof getTask>[0], id: string): Promise<Task> {
  for (;;) {
    const task = await getTask(ctx, id);
    if (['succeeded', 'failed', 'cancelled'].includes(task.status)) return task;
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('an allow-listed host that resolves to loopback is refused, and nothing reaches it', async () => {
  const url = `http://localhost:${(internal.address() as AddressInfo).port}/admin`;
  const scripted = useScriptedModel(t, (call) =>
    call.n === 1
      ? { toolCalls: [{ name: 'http_fetch', input: { url } }] }
      : { text: `fetch said: ${call.toolOutputs[0]}` },
  );
  const { ctx } = await newActor(t);
  const task = await createTask(ctx, {
    kind: 'agent',
    prompt: 'fetch the admin page',
    toolset: ['http_fetch'],
    parameters: { model: 'gpt-4o' },
    source: 'test',
  });
  const done = await settled(ctx, task.id);
  assert.equal(done.status, 'succeeded');
  assert.equal(scripted.calls.length, 2);
  assert.match(String(done.result), /localhost resolves to 127\.0\.0\.1, a loopback address/);
  assert.doesNotMatch(String(done.result), /internal secret/);
  assert.deepEqual(hits, [], 'the loopback service received nothing');
});
