/**
 * Webhook destinations and server-side request forgery, through the real server:
 * every non-public destination (IPv6 wrappings of loopback, numeric IPv4 spellings,
 * hostnames whose DNS answers are internal) is a 422 when saved; and DNS rebinding
 * cannot move a delivery onto an internal address, because the delivery connects to
 * the address it checked.
 *
 * The servers get a resolver of our own for `*.test` names (every other name goes to
 * the system resolver, as in production). A test cannot listen on a public address, so
 * 127.0.0.2, allowed through TASKLANE_WEBHOOK_ALLOW_NETWORKS, stands in for one; the
 * internal service the attacker wants is a receiver on 127.0.0.1, at the same port.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  type HostResolver,
  type ResolvedAddress,
  systemResolver,
} from '../../../src/core/shared/net-guard.ts';
import {
  assertValidation,
  registerUser,
  startTaskAssistant,
  type TaEnv,
  type TaUser,
  waitFor,
} from './support.ts';

const TYPES = ['subscription.expiring'];
const STAND_IN_PUBLIC = '127.0.0.2';

const addr = (address: string): ResolvedAddress => ({
  address,
  family: address.includes(':') ? 6 : 4,
});
/** Fixed DNS answers for names under .test. */
const RECORDS: Record<string, string[]> = {
  'loopback6.test': ['::1'],
  'nat64.test': ['64:ff9b::7f00:1'],
  'sixtofour.test': ['2002:7f00:1::'],
  'mapped.test': ['::ffff:127.0.0.1'],
  'metadata.test': ['169.254.169.254'],
  'mixed.test': ['8.8.8.8', '10.0.0.1'],
  'public.test': ['8.8.8.8', '2606:4700:4700::1111'],
};
/** `rebind.test` answers with the next entry on each lookup (TTL 0), then the last forever. */
let rebindScript: string[] = [];
const lookups: string[] = [];
const resolver: HostResolver = async (host) => {
  lookups.push(host);
  if (host === 'rebind.test') {
    const answer = rebindScript.length > 1 ? rebindScript.shift()! : rebindScript[0]!;
    return [addr(answer)];
  }
  const fixed = RECORDS[host];
  return fixed ? fixed.map(addr) : systemResolver(host);
};

const BAD_URLS = [
  // The review's three.
  'http://[::127.0.0.1]/hook',
  'http://[64:ff9b::7f00:1]/hook',
  'http://[2002:7f00:1::]/hook',
  // Other IPv6 wrappings of internal IPv4 addresses.
  'http://[::ffff:127.0.0.1]/hook',
  'http://[::ffff:0:7f00:1]/hook',
  'http://[::ffff:a9fe:a9fe]/latest/meta-data',
  'http://[64:ff9b:1::808:808]/hook',
  'http://[2002:a9fe:a9fe::1]/hook',
  'http://[2001:0:7f00:1::]/hook',
  'http://[2001:0:808:808::80ff:fffe]/hook',
  // IPv6 ranges.
  'http://[::]/hook',
  'http://[fe80::1]/hook',
  'http://[fd00::1]/hook',
  'http://[ff02::1]/hook',
  'http://[2001:db8::1]/hook',
  // Numeric spellings of 127.0.0.1 and 0.0.0.0.
  'http://2130706433/hook',
  'http://0x7f.1/hook',
  'http://0177.0.0.1/hook',
  'http://127.1/hook',
  'http://0/hook',
  // IPv4 ranges.
  'http://100.64.0.1/hook',
  'http://198.18.0.1/hook',
  'http://192.0.2.1/hook',
  'http://192.0.0.8/hook',
  'http://224.0.0.1/hook',
  'http://240.0.0.1/hook',
  'http://255.255.255.255/hook',
  // Names whose DNS answers are internal (any one internal answer is enough).
  'http://localhost/hook',
  'http://loopback6.test/hook',
  'http://nat64.test/hook',
  'http://sixtofour.test/hook',
  'http://mapped.test/hook',
  'http://metadata.test/latest/meta-data',
  'http://mixed.test/hook',
  'http://nowhere.invalid/hook',
];
const PUBLIC_URLS = [
  'http://8.8.8.8/hook',
  'https://[2606:4700:4700::1111]/hook',
  'http://[64:ff9b::808:808]/hook',
  'http://[2002:808:808::1]/hook',
  'https://public.test/hook',
];

interface Receiver {
  server: http.Server;
  paths: string[];
}
function receiver(): Receiver {
  const paths: string[] = [];
  const server = http.createServer((req, res) => {
    paths.push(req.url ?? '');
    req.resume();
    res.writeHead(200).end('ok');
  });
  return { server, paths };
}
const listen = (r: Receiver, host: string, port: number) =>
  new Promise<void>((resolve, reject) => {
    r.server.once('error', reject);
    r.server.listen(port, host, () => resolve());
  });

/** The stand-in public receiver, and the internal one at 127.0.0.1 on the same port. */
const pinned = receiver();
const internal = receiver();
let port = 0;
let strict: TaEnv;
let open: TaEnv;
before(async () => {
  await listen(pinned, STAND_IN_PUBLIC, 0);
  port = (pinned.server.address() as AddressInfo).port;
  await listen(internal, '127.0.0.1', port);
  [strict, open] = await Promise.all([
    startTaskAssistant({
      llm: false,
      resolver,
      env: { TASKLANE_WEBHOOK_ALLOW_NETWORKS: `${STAND_IN_PUBLIC}/32` },
    }),
    startTaskAssistant({ llm: false, resolver, env: { TASKLANE_WEBHOOK_ALLOW_PRIVATE: 'true' } }),
  ]);
});
after(async () => {
  await Promise.all([strict?.close(), open?.close()]);
  for (const r of [pinned, internal]) {
    r.server.closeAllConnections();
    await new Promise((resolve) => r.server.close(resolve));
  }
});

async function createHook(env: TaEnv, user: TaUser, url: string, types = TYPES) {
  const res = await env.api.post(
    '/api/v1/webhooks',
    { url, event_types: types },
    { token: user.token },
  );
  assert.equal(res.status, 201, `${url}: ${res.text}`);
  return res.body;
}

describe('saving a webhook', () => {
  test('every non-public destination is a 422 on url; public ones are accepted', async () => {
    const user = await registerUser(strict.api, 'ssrf');
    const token = user.token;
    for (const url of BAD_URLS) {
      const res = await strict.api.post('/api/v1/webhooks', { url, event_types: TYPES }, { token });
      assertValidation(res, ['body', 'url'], url);
    }
    const hooks = [];
    for (const url of PUBLIC_URLS) hooks.push(await createHook(strict, user, url));
    for (const url of BAD_URLS.slice(0, 3)) {
      const moved = await strict.api.patch(`/api/v1/webhooks/${hooks[0].id}`, { url }, { token });
      assertValidation(moved, ['body', 'url'], `PATCH ${url}`);
    }
    const list = await strict.api.get('/api/v1/webhooks', { token });
    const urls = list.body.items.map((w: { url: string }) => w.url).sort();
    assert.deepEqual(urls, [...PUBLIC_URLS].sort(), 'only the public destinations were saved');
  });
});

describe('delivering', () => {
  test('DNS rebinding cannot move a delivery to 127.0.0.1: it goes to the address checked', async () => {
    const user = await registerUser(strict.api, 'rebind');
    const token = user.token;
    // Saving looks up once, each delivery once; an HTTP client that looked the name up
    // again before connecting would get the third answer.
    rebindScript = [STAND_IN_PUBLIC, STAND_IN_PUBLIC, '127.0.0.1'];
    const hook = await createHook(strict, user, `http://rebind.test:${port}/hook`, [
      'task.created',
    ]);
    const rebindLookups = () => lookups.filter((h) => h === 'rebind.test').length;
    assert.equal(rebindLookups(), 1);

    const sent = await strict.api.post(`/api/v1/webhooks/${hook.id}/test`, undefined, { token });
    assert.equal(sent.status, 200, sent.text);
    assert.equal(sent.body.success, true, sent.text);
    assert.deepEqual(pinned.paths, ['/hook'], 'delivered to the checked address');
    assert.deepEqual(internal.paths, [], 'nothing reached 127.0.0.1');
    assert.equal(rebindLookups(), 2, 'one lookup for the delivery, none by the HTTP client');

    // The name now answers 127.0.0.1: the next delivery checks that answer and refuses it,
    // for good (not retried), whether sent now or by the delivery job.
    const refused = await strict.api.post(`/api/v1/webhooks/${hook.id}/test`, undefined, {
      token,
    });
    assert.equal(refused.status, 200, refused.text);
    assert.equal(refused.body.success, false);
    assert.equal(refused.body.status_code, null);
    assert.match(refused.body.error, /Refused: rebind\.test resolves to 127\.0\.0\.1/);
    const task = await strict.api.post('/api/v1/tasks', { title: 'after rebinding' }, { token });
    assert.equal(task.status, 201, task.text);
    const failed = await waitFor('the task.created delivery to fail', async () => {
      const res = await strict.api.get(`/api/v1/webhooks/${hook.id}/deliveries`, { token });
      const item = res.body.items.find((d: any) => d.event_type === 'task.created');
      return item?.status === 'failed' ? item : undefined;
    });
    assert.equal(failed.attempts, 1, 'a refused destination is not retried');
    assert.match(failed.last_error, /Refused: .*loopback/);
    assert.deepEqual(internal.paths, [], 'nothing ever reached 127.0.0.1');
    assert.deepEqual(pinned.paths, ['/hook']);
  });

  test('with TASKLANE_WEBHOOK_ALLOW_PRIVATE a loopback name is resolved by the system and delivered', async () => {
    const user = await registerUser(open.api, 'open');
    const hook = await createHook(open, user, `http://localhost:${port}/open`);
    const sent = await open.api.post(`/api/v1/webhooks/${hook.id}/test`, undefined, {
      token: user.token,
    });
    assert.equal(sent.status, 200, sent.text);
    assert.equal(sent.body.success, true, sent.text);
    assert.deepEqual(internal.paths, ['/open']);
  });
});
