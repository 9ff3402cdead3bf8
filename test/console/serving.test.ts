/**
 * The server serves the web console: index.html at the mount (with its <base href> and
 * the surfaces' mounts), hashed assets cached as immutable, the SPA fallback for any
 * other path, a 404 for a missing asset, no escape from the build directory, a clear
 * 503 when the console is not built, and `/` redirecting browsers while API clients keep
 * the JSON. A small build in a temp directory stands in for web/dist, so this runs
 * without Vite; the real build is driven in console-browser.test.ts.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeTempDir } from '../helpers/db.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const INDEX =
  '<!doctype html><html lang="en"><head><meta charset="utf-8" /><title>Tasklane console</title>' +
  '<script type="module" src="./assets/index-Abc123.js"></script></head><body><div id="root"></div></body></html>';
const SCRIPT = 'console.log("console");';

function fakeBuild(): string {
  const dir = makeTempDir('tasklane-console-');
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'index.html'), INDEX);
  fs.writeFileSync(path.join(dir, 'assets', 'index-Abc123.js'), SCRIPT);
  fs.writeFileSync(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  fs.writeFileSync(path.join(path.dirname(dir), 'outside-secret.txt'), 'secret');
  return dir;
}

async function get(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers, redirect: 'manual' });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('console at the default mount', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ env: { TASKLANE_CONSOLE_DIR: fakeBuild() } });
  });
  after(() => server.close());

  test('index.html at /console and /console/, never cached, with base href and mounts', async () => {
    for (const url of ['/console', '/console/']) {
      const res = await get(server.url + url);
      assert.equal(res.status, 200, url);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      assert.equal(res.headers.get('cache-control'), 'no-cache');
      assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
      assert.match(res.text, /<head><base href="\/console\/">/);
      const meta = /<meta name="tasklane-console" content="([^"]+)">/.exec(res.text);
      assert.ok(meta, res.text);
      const settings = JSON.parse(meta[1]!.replaceAll('&quot;', '"'));
      assert.equal(settings.mount, '/console');
      assert.equal(settings.mounts.codeep, '/v1');
      assert.equal(settings.mounts.taskassistant, '');
      // No OpenID Connect client configured: the sign-in page shows no such button.
      assert.equal(settings.oidc, false);
      // Only surfaces this server really mounts.
      for (const name of Object.keys(settings.mounts)) {
        assert.ok(
          server.built.surfaces.some((s) => s.definition.name === name),
          `${name} is mounted`,
        );
      }
      assert.match(res.text, /index-Abc123\.js/);
    }
  });

  test('hashed assets are served with their type and cached as immutable', async () => {
    const res = await get(`${server.url}/console/assets/index-Abc123.js`);
    assert.equal(res.status, 200);
    assert.equal(res.text, SCRIPT);
    assert.match(res.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  });

  test('a missing asset is a 404, not index.html', async () => {
    const res = await get(`${server.url}/console/assets/index-Missing.js`);
    assert.equal(res.status, 404);
    assert.doesNotMatch(res.text, /<html/);
  });

  test('other files of the build are served; every other path falls back to index.html', async () => {
    const icon = await get(`${server.url}/console/favicon.svg`);
    assert.equal(icon.status, 200);
    assert.match(icon.headers.get('content-type') ?? '', /image\/svg\+xml/);
    for (const url of ['/console/tasks', '/console/tasks/0190-abc', '/console/usage?days=7']) {
      const res = await get(server.url + url);
      assert.equal(res.status, 200, url);
      assert.match(res.text, /<div id="root">/, url);
      assert.equal(res.headers.get('cache-control'), 'no-cache', url);
    }
  });

  test('paths cannot leave the build directory', async () => {
    for (const url of [
      '/console/..%2foutside-secret.txt',
      '/console/assets/..%2f..%2foutside-secret.txt',
      '/console/%2e%2e/outside-secret.txt',
    ]) {
      const res = await get(server.url + url);
      assert.doesNotMatch(res.text, /^secret$/, url);
    }
  });

  test('/ redirects a browser to the console and answers JSON to API clients', async () => {
    const browser = await get(`${server.url}/`, {
      accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
    });
    assert.equal(browser.status, 302);
    assert.equal(browser.headers.get('location'), '/console/');
    assert.match(browser.headers.get('vary') ?? '', /accept/i);
    for (const accept of [undefined, '*/*', 'application/json', 'application/json, text/html']) {
      const res = await get(`${server.url}/`, accept ? { accept } : {});
      assert.equal(res.status, 200, String(accept));
      const body = JSON.parse(res.text);
      assert.equal(body.service, 'Tasklane');
      assert.equal(body.docs, '/docs');
    }
  });

  test('the API is untouched beside it', async () => {
    const res = await get(`${server.url}/health`);
    assert.equal(res.status, 200);
  });
});

describe('console at a configured mount', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({
      env: {
        TASKLANE_CONSOLE_DIR: fakeBuild(),
        TASKLANE_CONSOLE_MOUNT: '/ui/admin/',
        TASKLANE_SURFACE_CODEEP_MOUNT: '/codeep',
        TASKLANE_SURFACE_TASKASSISTANT_ENABLED: 'false',
        TASKLANE_OIDC_CLIENT_ID: 'console-test',
      },
    });
  });
  after(() => server.close());

  test('serves at the mount, with that base href, and / redirects there', async () => {
    const res = await get(`${server.url}/ui/admin/tasks`);
    assert.equal(res.status, 200);
    assert.match(res.text, /<base href="\/ui\/admin\/">/);
    // The console's API clients follow the surfaces' mounts; a disabled surface is absent.
    const settings = JSON.parse(
      /<meta name="tasklane-console" content="([^"]+)">/
        .exec(res.text)![1]!
        .replaceAll('&quot;', '"'),
    );
    assert.equal(settings.mounts.codeep, '/codeep');
    assert.equal('taskassistant' in settings.mounts, false);
    // CMBCluster is served with an OpenID Connect client: the sign-in page offers it.
    assert.equal(settings.oidc, true);
    const asset = await get(`${server.url}/ui/admin/assets/index-Abc123.js`);
    assert.equal(asset.status, 200);
    const home = await get(`${server.url}/`, { accept: 'text/html' });
    assert.equal(home.headers.get('location'), '/ui/admin/');
    const old = await get(`${server.url}/console`);
    assert.equal(old.status, 404);
  });
});

describe('OpenID Connect configured but CMBCluster not served', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({
      env: {
        TASKLANE_CONSOLE_DIR: fakeBuild(),
        TASKLANE_SURFACE_CMBCLUSTER_ENABLED: 'false',
        TASKLANE_OIDC_CLIENT_ID: 'console-test',
      },
    });
  });
  after(() => server.close());

  test('the sign-in page is not told to offer it', async () => {
    const res = await get(`${server.url}/console/`);
    const settings = JSON.parse(
      /<meta name="tasklane-console" content="([^"]+)">/
        .exec(res.text)![1]!
        .replaceAll('&quot;', '"'),
    );
    assert.equal(settings.oidc, false);
    assert.equal('cmbcluster' in settings.mounts, false);
  });
});

describe('console switched off', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ env: { TASKLANE_CONSOLE_MOUNT: 'off' } });
  });
  after(() => server.close());

  test('no console route, and / answers JSON even to a browser', async () => {
    assert.equal((await get(`${server.url}/console`)).status, 404);
    const home = await get(`${server.url}/`, { accept: 'text/html' });
    assert.equal(home.status, 200);
    assert.equal(JSON.parse(home.text).service, 'Tasklane');
  });
});

describe('console not built', () => {
  let server: TestServer;
  const empty = makeTempDir('tasklane-empty-');
  before(async () => {
    server = await startServer({ env: { TASKLANE_CONSOLE_DIR: empty } });
  });
  after(() => server.close());

  test('the mount says so (503) and how to build it; the API still works', async () => {
    for (const url of ['/console', '/console/tasks']) {
      const res = await get(server.url + url);
      assert.equal(res.status, 503, url);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(res.text, /console is not built/);
      assert.match(res.text, /npm ci &amp;&amp; npm run build/);
      assert.ok(!res.text.includes(empty), 'no server path on the page');
    }
    assert.equal((await get(`${server.url}/health`)).status, 200);
  });
});

test('TASKLANE_CONSOLE_MOUNT must be below the root', async () => {
  const { loadConfig } = await import('../../src/config.ts');
  for (const bad of ['/', 'console', '/con sole', '/../x']) {
    assert.throws(() => loadConfig({ TASKLANE_CONSOLE_MOUNT: bad }), /TASKLANE_CONSOLE_MOUNT/, bad);
  }
  assert.equal(loadConfig({ TASKLANE_CONSOLE_MOUNT: '/ops/' }).console.mount, '/ops');
  assert.equal(loadConfig({}).console.mount, '/console');
});
