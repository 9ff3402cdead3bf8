/**
 * The spec's own examples against the server, with a session cookie from the real
 * OpenID Connect flow: its cURL block run by curl (only the base URL changed: the surface
 * is mounted at /cmb), and its JavaScript functions run as written with a fetch that
 * keeps cookies as a browser does for `credentials: 'include'`.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { makeTempDir } from '../../helpers/db.ts';
import { startServer, type TestServer } from '../../helpers/server.ts';
import { readSpec, skipWithoutSpec } from '../../helpers/specs.ts';
import { Browser, startProvider, type TestProvider } from './oidc-fixture.ts';

const exec = promisify(execFile);
const SPEC = 'cmbcluster.md';
const PYTHON = '/usr/bin/python3';

/** Debian's python3-httpx (CI installs it); without it the Python example is skipped. */
function skipWithoutHttpx(): string | false {
  try {
    execFileSync(PYTHON, ['-c', 'import httpx'], { stdio: 'ignore' });
    return false;
  } catch {
    return 'python3-httpx is not installed (apt-get install python3-httpx)';
  }
}
let provider: TestProvider;
let server: TestServer;
let browser: Browser;

before(async () => {
  provider = await startProvider();
  server = await startServer({
    env: {
      TASKLANE_OIDC_ISSUER: provider.issuer,
      TASKLANE_OIDC_CLIENT_ID: provider.clientId,
      TASKLANE_OIDC_CLIENT_SECRET: provider.clientSecret,
      // Each example starts an environment: allow a few at once.
      TASKLANE_ENV_MAX_CONCURRENT_FREE: '5',
    },
  });
  provider.configure(`${server.url}/cmb/auth/callback`);
  provider.accounts.set('ex', { email: 'examples@example.org', email_verified: true });
  browser = new Browser();
  const callback = await browser.signInAtProvider(
    `${server.url}/cmb/auth/login`,
    'ex',
    `${server.url}/cmb/auth/callback`,
  );
  assert.equal((await browser.fetch(callback)).status, 302);
});
after(async () => {
  await server.close();
  await provider.close();
});

/** The fenced block after a heading. */
function blockAfter(spec: string, heading: string): string {
  const at = spec.indexOf(heading);
  const match = /```[a-z]*\n([\s\S]*?)```/.exec(spec.slice(at));
  assert.ok(at >= 0 && match, `${heading} block in the spec`);
  return match[1]!;
}

describe("the spec's examples", { skip: skipWithoutSpec(SPEC) }, () => {
  test('the cURL block runs unchanged with the session cookie in cookies.txt', async () => {
    const dir = makeTempDir();
    const token = browser.cookies.get('tasklane_session');
    assert.ok(token);
    fs.writeFileSync(
      path.join(dir, 'cookies.txt'),
      `127.0.0.1\tFALSE\t/\tFALSE\t0\ttasklane_session\t${token}\n`,
    );
    fs.writeFileSync(path.join(dir, 'myfile.csv'), 'x,y\n1,2\n');
    const script = blockAfter(readSpec(SPEC), '### cURL').replaceAll(
      'http://localhost:8000',
      `${server.url}/cmb`,
    );
    // Each command's output on its own line, to check them one by one.
    const commands = script
      .replace(/\\\n\s*/g, ' ')
      .split('\n')
      .filter((line) => line.startsWith('curl'));
    assert.equal(commands.length, 3);
    const outputs: unknown[] = [];
    for (const command of commands) {
      const { stdout } = await exec('/bin/sh', ['-c', `${command} -s`], { cwd: dir });
      outputs.push(JSON.parse(stdout));
    }
    const [created, me, uploaded] = outputs as Record<string, any>[];
    assert.equal(created!.status, 'created');
    assert.match(created!.data.env_id, /^env-/);
    assert.equal(me!.data.email, 'examples@example.org');
    assert.equal(uploaded!.data.filename, 'myfile.csv');
    assert.equal(uploaded!.data.size_bytes, 8);
  });

  test('the Python (httpx) example runs unchanged, its client carrying the session cookie', {
    skip: skipWithoutHttpx(),
  }, async () => {
    const dir = makeTempDir();
    fs.writeFileSync(path.join(dir, 'data.csv'), 'a,b\n3,4\n');
    const token = browser.cookies.get('tasklane_session')!;
    const example = blockAfter(readSpec(SPEC), '### Python (httpx)').replaceAll(
      'http://localhost:8000',
      `${server.url}/cmb`,
    );
    // What a logged-in browser session gives the client: the session cookie.
    const prelude = `import httpx
_Client = httpx.Client
class Client(_Client):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cookies.set("tasklane_session", ${JSON.stringify(token)})
httpx.Client = Client
`;
    fs.writeFileSync(path.join(dir, 'example.py'), `${prelude}\n${example}`);
    const { stdout } = await exec(PYTHON, ['example.py'], { cwd: dir });
    const lines = stdout.trim().split('\n');
    assert.equal(lines.length, 3, stdout);
    assert.match(lines[0]!, /'status': 'created'/);
    assert.match(lines[0]!, /'env_id': 'env-[0-9a-f]{12}'/);
    assert.match(lines[1]!, /'email': 'examples@example.org'/);
    assert.match(lines[2]!, /'filename': 'data.csv'/);
    assert.match(lines[2]!, /'size_bytes': 8/);
  });

  test('the JavaScript functions run as written (fetch with credentials: include)', async () => {
    const spec = readSpec(SPEC);
    const source = blockAfter(spec, '### JavaScript/TypeScript').replaceAll(
      'http://localhost:8000',
      `${server.url}/cmb`,
    );
    // A browser's fetch: same-origin cookies for `credentials: 'include'`, an Origin
    // header on the POST (the CSRF check must let the dashboard's own origin through).
    const browserFetch = (url: string, init: RequestInit = {}) =>
      browser.fetch(url, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), origin: server.url },
      });
    const examples = new Function('fetch', `${source}\nreturn { createEnvironment, getUserInfo };`)(
      browserFetch,
    ) as {
      createEnvironment(): Promise<Record<string, any>>;
      getUserInfo(): Promise<Record<string, any>>;
    };
    const created = await examples.createEnvironment();
    assert.equal(created.status, 'created');
    assert.equal(created.data.status, 'creating');
    const me = await examples.getUserInfo();
    assert.equal(me.status, 'success');
    assert.equal(me.data.email, 'examples@example.org');
    assert.equal(me.data.max_uptime_minutes, 60);
  });
});
