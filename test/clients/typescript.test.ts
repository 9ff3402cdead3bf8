/**
 * The TypeScript client package (clients/typescript), loaded from its path the way an
 * installed copy runs (plain ESM; the examples import it by its package name through its
 * `exports`), against a real server: every README example (clients/typescript/examples)
 * runs and its typed results are checked; each auth helper; mounts other than the
 * defaults; the README's code blocks are the examples'. The root `tsc` type-checks the
 * package (its .js against its .d.ts), the examples, and the type errors below.
 *
 * The package's one dependency, openapi-fetch, is a development dependency of the root
 * too (the same version the console pins), so the package resolves it from the
 * repository's node_modules here as it would from its own once installed.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type LlmFixture, startLlmFixture } from '../helpers/llm-fixture.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { Browser, startProvider, type TestProvider } from '../surfaces/cmbcluster/oidc-fixture.ts';

const root = path.resolve(import.meta.dirname, '../..');
const pkgDir = path.join(root, 'clients', 'typescript');

async function load() {
  return {
    codeep: await import('../../clients/typescript/examples/codeep.ts'),
    codeguide: await import('../../clients/typescript/examples/codeguide.ts'),
    autoserve: await import('../../clients/typescript/examples/autoserve.ts'),
    taskassistant: await import('../../clients/typescript/examples/taskassistant.ts'),
    cmbcluster: await import('../../clients/typescript/examples/cmbcluster.ts'),
    client: await import('../../clients/typescript/src/index.js'),
  };
}
let pkg: Awaited<ReturnType<typeof load>>;
let provider: TestProvider;
/** Codeep refuses tasks while no model is configured; no task runs here (no workers). */
let llm: LlmFixture;
let server: TestServer;
/** The same database served with every surface somewhere other than its default mount. */
let moved: TestServer;

const MOUNTS = {
  codeep: '/codeep',
  codeguide: '/codeguide',
  autoserve: '/autoserve',
  taskassistant: '/assistant',
  cmbcluster: '/cmbcluster',
};

before(async () => {
  pkg = await load();
  provider = await startProvider();
  llm = await startLlmFixture();
  server = await startServer({
    env: {
      TASKLANE_LLM_BASE_URL: llm.baseUrl,
      TASKLANE_LLM_MODEL: 'llama3.1:8b',
      TASKLANE_OIDC_ISSUER: provider.issuer,
      TASKLANE_OIDC_CLIENT_ID: provider.clientId,
      TASKLANE_OIDC_CLIENT_SECRET: provider.clientSecret,
      // Short enough that the AutoServe example's token refreshes before its first use.
      TASKLANE_ACCESS_TOKEN_TTL: '30',
    },
  });
  provider.configure(`${server.url}/cmb/auth/callback`);
  provider.accounts.set('ada', { email: 'ada@example.org', email_verified: true, name: 'Ada' });
  moved = await startServer({
    shared: {
      databaseUrl: server.env.TASKLANE_DATABASE_URL!,
      dataDir: server.env.TASKLANE_DATA_DIR!,
    },
    env: Object.fromEntries(
      Object.entries(MOUNTS).map(([name, mount]) => [
        `TASKLANE_SURFACE_${name.toUpperCase()}_MOUNT`,
        mount,
      ]),
    ),
  });
});
after(async () => {
  await moved?.close();
  await server?.close();
  await provider?.close();
  await llm?.close();
});

/** A fetch that records each request (method, URL, headers) and answers `body`. */
function recorder(body: unknown = {}) {
  const seen: Request[] = [];
  const fetch = async (request: Request) => {
    seen.push(request);
    return Response.json(body);
  };
  return { seen, fetch };
}

describe('the README examples against a real server', () => {
  test('Codeep: register, log in, a task created and read back with a bearer token', async () => {
    const { login, created, status } = await pkg.codeep.codeepExample(server.url);
    assert.equal(login.user.username, 'ada');
    assert.match(login.user.api_key ?? '', /^tl_/);
    assert.equal(created.message, 'Task created successfully');
    assert.deepEqual(created.task.toolset, ['code_executor']);
    assert.equal(status, 'queued');
  });

  test('CodeGuide: X-API-Key and X-User-ID from the Codeep account', async () => {
    const { account, titles } = await pkg.codeguide.codeguideExample(server.url);
    assert.deepEqual(titles, ['Billing service']);
    // The user id is checked against the key's owner: a wrong one is refused.
    const wrong = pkg.client.createCodeGuideClient({
      baseUrl: server.url,
      auth: { apiKey: account.user.api_key!, userId: account.user.id + 1000 },
    });
    const refused = await wrong.GET('/projects');
    assert.equal(refused.response.status, 401);
    assert.equal(refused.data, undefined);
  });

  test('AutoServe: the bearer function refreshes the token, then a task is created', async () => {
    const { login, task, token } = await pkg.autoserve.autoserveExample(server.url);
    assert.equal(login.expires_in, 30);
    assert.notEqual(token().value, login.access_token, 'the token was refreshed before use');
    assert.equal(task.title, 'Say 42');
    assert.equal(task.priority, 'high');
    assert.equal(task.status, 'pending');
  });

  test('Task Assistant: register a tenant, log in, create a task under /api/v1', async () => {
    const { user, task } = await pkg.taskassistant.taskAssistantExample(server.url);
    assert.equal(user.role, 'admin');
    assert.equal(user.email, 'user@example.com');
    assert.equal(task.title, 'Analyze quarterly sales data');
    assert.equal(task.priority, 'high');
    assert.equal(task.status, 'pending');
  });

  test('CMBCluster: OpenID Connect sign-in, then the session cookie (credentials: include)', async () => {
    const browser = new Browser();
    const original = globalThis.fetch;
    const credentials: string[] = [];
    // The page's fetch, as a browser runs it: its cookie jar only for requests made with
    // `credentials: 'include'`, and its Origin (the page's: the server's own) on requests
    // that change state. The server in this process fetches too (from the OpenID
    // provider): those pass through untouched.
    const browserFetch = async (input: string | URL | Request, init?: RequestInit) => {
      if (!(input instanceof Request) || !input.url.startsWith(server.url))
        return original(input, init);
      credentials.push(input.credentials);
      const headers = new Headers(input.headers);
      if (input.method !== 'GET') headers.set('origin', server.url);
      const request = {
        method: input.method,
        headers,
        body: input.body ? await input.arrayBuffer() : undefined,
      };
      if (input.credentials !== 'include') return original(input.url, request);
      return browser.fetch(input.url, request);
    };
    globalThis.fetch = browserFetch;
    try {
      const { me, saved } = await pkg.cmbcluster.cmbclusterExample(server.url, async (authUrl) => {
        const callback = await browser.signInFrom(
          authUrl,
          'ada',
          `${server.url}/cmb/auth/callback`,
        );
        const res = await browser.fetch(callback);
        assert.equal(res.status, 302, 'the callback signs in and sends the browser on');
      });
      assert.equal(me.data.email, 'ada@example.org');
      assert.deepEqual(
        { key: saved.data.key, value: saved.data.value },
        { key: 'OPENAI_API_KEY', value: '***encrypted***' },
      );
      assert.ok(credentials.length >= 3 && credentials.every((c) => c === 'include'));

      // The API's CSRF rule for cookie sessions: the same request from another site's page is refused.
      const session = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const crossSite = pkg.client.createCmbClusterClient({
        baseUrl: server.url,
        auth: { cookie: true },
        fetch: (request) => {
          const headers = new Headers(request.headers);
          headers.set('cookie', session);
          headers.set('origin', 'https://elsewhere.example');
          return original(new Request(request, { headers }));
        },
      });
      const refused = await crossSite.POST('/user-env-vars', { body: { key: 'X', value: 'y' } });
      assert.equal(refused.response.status, 403);
      const read = await crossSite.GET('/user-env-vars'); // reading is not a state change
      assert.deepEqual(
        read.data?.data.env_vars.map((v) => v.key),
        ['OPENAI_API_KEY'],
      );
    } finally {
      globalThis.fetch = original;
    }
  });
});

describe('auth helpers', () => {
  test('bearer: a function is awaited before every request; a header set on the request wins', async () => {
    const { seen, fetch } = recorder();
    let calls = 0;
    const codeep = pkg.client.createCodeepClient({
      baseUrl: 'http://api.example',
      fetch,
      auth: {
        bearer: async () => {
          calls += 1;
          return `token-${calls}`;
        },
      },
    });
    await codeep.GET('/auth/me');
    await codeep.GET('/auth/me');
    await codeep.GET('/auth/me', { headers: { Authorization: 'Bearer mine' } });
    assert.deepEqual(
      seen.map((r) => r.headers.get('authorization')),
      ['Bearer token-1', 'Bearer token-2', 'Bearer mine'],
    );
    assert.deepEqual(
      seen.map((r) => r.url),
      Array(3).fill('http://api.example/v1/auth/me'),
    );
  });

  test('bearer: no token (undefined) sends no Authorization header', async () => {
    const { seen, fetch } = recorder();
    const codeep = pkg.client.createCodeepClient({
      baseUrl: 'http://api.example',
      fetch,
      auth: { bearer: () => undefined },
    });
    await codeep.GET('/auth/me');
    assert.equal(seen[0]!.headers.get('authorization'), null);
  });

  test('apiKey: X-API-Key, and X-User-ID only when given; cookie: credentials include, no header', async () => {
    const { seen, fetch } = recorder();
    const base = { baseUrl: 'http://api.example', fetch };
    await pkg.client
      .createCodeGuideClient({ ...base, auth: { apiKey: 'tl_k', userId: 7 } })
      .GET('/projects');
    await pkg.client.createCodeGuideClient({ ...base, auth: { apiKey: 'tl_k' } }).GET('/projects');
    await pkg.client.createCmbClusterClient({ ...base, auth: { cookie: true } }).GET('/users/me');
    await pkg.client.createCmbClusterClient(base).GET('/users/me');
    const [withUser, keyOnly, cookie, none] = seen as [Request, Request, Request, Request];
    assert.equal(withUser.headers.get('x-api-key'), 'tl_k');
    assert.equal(withUser.headers.get('x-user-id'), '7');
    assert.equal(keyOnly.headers.get('x-user-id'), null);
    assert.equal(cookie.credentials, 'include');
    assert.deepEqual([...cookie.headers.keys()], []);
    assert.equal(none.credentials, 'same-origin');
  });

  test('an API key works as a bearer token on a real server', async () => {
    const codeep = pkg.client.createCodeepClient({ baseUrl: server.url });
    const { data } = await codeep.POST('/auth/register', {
      body: {
        username: 'keyholder',
        email: 'keyholder@example.com',
        password: 'correct horse battery',
      },
    });
    const viaBearer = pkg.client.createCodeepClient({
      baseUrl: server.url,
      auth: { bearer: data!.user.api_key! },
    });
    const me = await viaBearer.GET('/auth/me');
    assert.equal(me.data?.user.username, 'keyholder');
  });
});

describe('mounts', () => {
  test('default base URLs are the servers each OpenAPI document publishes', async () => {
    const factories = {
      codeep: pkg.client.createCodeepClient,
      codeguide: pkg.client.createCodeGuideClient,
      autoserve: pkg.client.createAutoServeClient,
      taskassistant: pkg.client.createTaskAssistantClient,
      cmbcluster: pkg.client.createCmbClusterClient,
    };
    for (const [name, create] of Object.entries(factories)) {
      const res = await fetch(`${server.url}/openapi/${name}.json`);
      const document = (await res.json()) as { servers: { url: string }[] };
      const { seen, fetch: record } = recorder();
      // A path no document has: only the base URL matters here.
      await (create({ baseUrl: 'http://api.example', fetch: record }) as any).GET('/x');
      const expected = `http://api.example${document.servers[0]!.url.replace(/\/$/, '')}/x`;
      assert.equal(seen[0]!.url, expected, name);
    }
  });

  test('`mount` follows TASKLANE_SURFACE_<NAME>_MOUNT; AutoServe /health stays at the root', async () => {
    const url = moved.url;
    const login = await pkg.client
      .createCodeepClient({ baseUrl: url, mount: MOUNTS.codeep })
      .POST('/auth/login', { body: { username: 'ada', password: 'correct horse battery' } });
    assert.equal(login.response.status, 200);
    const auth = { bearer: login.data!.access_token };

    const codeep = pkg.client.createCodeepClient({ baseUrl: url, mount: MOUNTS.codeep, auth });
    assert.equal((await codeep.GET('/auth/me')).data?.user.username, 'ada');

    const codeguide = pkg.client.createCodeGuideClient({
      baseUrl: url,
      mount: MOUNTS.codeguide,
      auth,
    });
    assert.equal((await codeguide.GET('/projects')).response.status, 200);

    const autoserve = pkg.client.createAutoServeClient({
      baseUrl: url,
      mount: MOUNTS.autoserve,
      auth,
    });
    const tasks = await autoserve.GET('/tasks');
    assert.equal(tasks.response.url, `${url}/autoserve/tasks`);
    assert.equal(tasks.response.status, 200);
    const health = await autoserve.GET('/health');
    assert.equal(health.response.url, `${url}/health`);
    assert.equal(health.data?.status, 'healthy');

    const assistant = pkg.client.createTaskAssistantClient({
      baseUrl: `${url}/`,
      mount: MOUNTS.taskassistant,
      auth,
    });
    const listed = await assistant.GET('/tasks');
    assert.equal(listed.response.url, `${url}/assistant/api/v1/tasks`);
    assert.equal(listed.response.status, 200);

    const cmb = pkg.client.createCmbClusterClient({ baseUrl: url, mount: 'cmbcluster/', auth });
    const me = await cmb.GET('/users/me');
    assert.equal(me.response.url, `${url}/cmbcluster/users/me`);
    assert.equal(me.data?.data.role, 'user');
  });
});

test('the type-level contract (checked by `npm run typecheck`; these run harmlessly)', {}, async () => {
  const { fetch } = recorder({ tasks: [] });
  const codeep = pkg.client.createCodeepClient({ baseUrl: 'http://api.example', fetch });
  // @ts-expect-error: not a Codeep path
  await codeep.GET('/tasks/nope');
  // @ts-expect-error: `promt` is not a field of the task body
  await codeep.POST('/tasks/tasks', { body: { promt: 'x' } });
  // @ts-expect-error: the path parameter is required
  await codeep.GET('/tasks/tasks/{task_id}', {});
  const { data } = await codeep.GET('/tasks/tasks');
  // @ts-expect-error: a task has no `state`; its `status` is one of four words
  data?.tasks[0]?.state;
  const status: 'queued' | 'processing' | 'completed' | 'failed' | undefined =
    data?.tasks[0]?.status;
  assert.equal(status, undefined);
  // @ts-expect-error: one kind of auth at a time
  pkg.client.createCodeepClient({ baseUrl: 'x', auth: { bearer: 't', apiKey: 'k' } });
  // @ts-expect-error: baseUrl is required
  assert.throws(() => pkg.client.createTaskAssistantClient({}), TypeError);
  const assistant = pkg.client.createTaskAssistantClient({ baseUrl: 'http://api.example', fetch });
  // @ts-expect-error: the client adds /api/v1: paths are the document's
  await assistant.GET('/api/v1/tasks');
});

test('README code blocks are the examples, verbatim', () => {
  const readme = fs.readFileSync(path.join(pkgDir, 'README.md'), 'utf8');
  const marked = [...readme.matchAll(/<!-- example: (\S+) -->\n```ts\n([\s\S]*?)\n```/g)];
  const files = fs.readdirSync(path.join(pkgDir, 'examples')).filter((f) => f.endsWith('.ts'));
  assert.deepEqual(
    marked.map((m) => m[1]).sort(),
    files.map((f) => `examples/${f}`).sort(),
    'one README block per example file',
  );
  for (const [, file, block] of marked) {
    const source = fs.readFileSync(path.join(pkgDir, file!), 'utf8');
    const imports = source.split('\n').filter((line) => line.startsWith('import '));
    const region = /\n([ ]*)\/\/ #region README\n([\s\S]*?)\n[ ]*\/\/ #endregion README/.exec(
      source,
    );
    assert.ok(region, `${file} has a README region`);
    const body = region[2]!.split('\n').map((line) => line.slice(region[1]!.length));
    assert.equal(block, [...imports, '', ...body].join('\n'), `README block of ${file}`);
  }
});
