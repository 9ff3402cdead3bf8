/**
 * The spec's "Webhooks" (document generation status): a finished background generation
 * is delivered to the user's Standard Webhooks endpoint (registered through Task
 * Assistant's webhook API, the one delivery machinery), signed and verifiable, with
 * the job's outcome in `data`.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { type CgEnv, type CgUser, registerUser, startCodeGuide, waitFor } from './support.ts';

const SECRET = 'codeguide_webhook_secret_123';
let env: CgEnv;
let user: CgUser;
let receiver: http.Server;
const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];

before(async () => {
  receiver = http.createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    received.push({ headers: req.headers, body });
    res.end('ok');
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  env = await startCodeGuide({ workers: 2, env: { TASKLANE_WEBHOOK_ALLOW_PRIVATE: 'true' } });
  user = await registerUser(env.api);
});
after(async () => {
  await env?.close();
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

test('a finished background generation is delivered as a signed webhook', async () => {
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  const hook = await env.api.post(
    '/api/v1/webhooks',
    {
      url,
      event_types: ['document_generation.completed', 'document_generation.failed'],
      secret: SECRET,
    },
    user.bearer,
  );
  assert.equal(hook.status, 201, hook.text);
  const projectId = (
    await env.api.post('/v1/projects', { title: 'Hooked', description: 'd' }, user.auth)
  ).body.data.id;
  const started = await env.api.post(
    '/v1/generate/background',
    { project_id: projectId, document_types: ['prd'] },
    user.auth,
  );
  assert.equal(started.status, 200, started.text);
  const delivery = await waitFor('the webhook', async () =>
    received.find((r) => r.body.includes(started.body.job_id)),
  );
  const verifier = new Webhook(Buffer.from(SECRET).toString('base64'));
  const payload = verifier.verify(delivery.body, {
    'webhook-id': String(delivery.headers['webhook-id']),
    'webhook-timestamp': String(delivery.headers['webhook-timestamp']),
    'webhook-signature': String(delivery.headers['webhook-signature']),
  }) as { type: string; data: Record<string, unknown> };
  assert.equal(payload.type, 'document_generation.completed');
  assert.equal(payload.data.job_id, started.body.job_id);
  assert.equal(payload.data.project_id, projectId);
  assert.equal(payload.data.status, 'completed');
  assert.deepEqual(payload.data.succeeded, ['prd']);
  assert.deepEqual(payload.data.failed, []);
});
