/**
 * End to end in a real browser: Debian's Chromium (through playwright-core, no browser
 * download) drives the built console against a real server on this test's database,
 * with workers and the OpenAI-compatible LLM fixture. Sign in → create a code task →
 * watch it reach `completed` without reloading (the list has no polling: the change
 * arrives on the live WebSocket) → open it and follow its artifact link → see the
 * usage page count it → stream a chat reply and see its cost. Then the newer pages:
 * CMBCluster's environments (files, start, open, stop), CodeGuide's project page (a
 * generated document rendered as Markdown) and usage per model, and single sign-on
 * through a real OpenID Connect provider. Every page passes an axe-core check (no
 * serious or critical violations).
 *
 * Uses web/dist when it is built (CI builds it first); builds it when web/ has its
 * node_modules; otherwise, or without Chromium, skips with a message saying why.
 * A failing step saves a screenshot and prints its path.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { createUser, type TestUser } from '../helpers/users.ts';
import { startProvider, type TestProvider } from '../surfaces/cmbcluster/oidc-fixture.ts';
import { type CodeepEnv, startCodeep } from '../surfaces/codeep/support.ts';

const CHROMIUM = process.env.TASKLANE_CHROMIUM_PATH ?? '/usr/bin/chromium';
const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web');
const DIST = path.join(WEB, 'dist');
const AXE = path.join(WEB, 'node_modules', 'axe-core', 'axe.min.js');
/** Set to a directory to keep a screenshot of each page (how docs/console/*.png are made). */
const SHOTS = process.env.CONSOLE_SCREENSHOTS;

async function shoot(page: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; html: string }[];
}

/** axe-core on the current page: serious and critical violations fail the test. */
async function checkAccessibility(page: Page, where: string): Promise<void> {
  if (!fs.existsSync(AXE)) {
    console.log(
      `console e2e: axe-core not installed in web/, accessibility of ${where} not checked`,
    );
    return;
  }
  await page.addScriptTag({ path: AXE });
  const violations = (await page.evaluate(async () => {
    const axe = (globalThis as any).axe;
    const result = await axe.run((globalThis as any).document, { resultTypes: ['violations'] });
    return result.violations;
  })) as AxeViolation[];
  const serious = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.html.slice(0, 160)).join(' | ')}`,
    );
  assert.deepEqual(serious, [], `accessibility of ${where}`);
}

function ensureBuilt(): string | false {
  if (!fs.existsSync(CHROMIUM)) return `Chromium is not installed at ${CHROMIUM}`;
  if (fs.existsSync(path.join(DIST, 'index.html'))) return false;
  if (!fs.existsSync(path.join(WEB, 'node_modules', '.bin', 'vite'))) {
    return 'the console is not built and web/ has no node_modules (npm run console:build)';
  }
  const build = spawnSync(path.join(WEB, 'node_modules', '.bin', 'vite'), ['build'], {
    cwd: WEB,
    stdio: 'inherit',
  });
  return build.status === 0 ? false : 'vite build failed';
}

const skip = ensureBuilt();
let env: CodeepEnv;
let browser: Browser;
/** A real OpenID Connect provider (oidc-provider, its development login pages). */
let provider: TestProvider;

before(async () => {
  if (skip) return;
  provider = await startProvider();
  env = await startCodeep({
    workers: 2,
    env: {
      // Webhooks may reach this test's receiver on 127.0.0.1.
      TASKLANE_WEBHOOK_ALLOW_PRIVATE: 'true',
      TASKLANE_OIDC_ISSUER: provider.issuer,
      TASKLANE_OIDC_CLIENT_ID: provider.clientId,
      TASKLANE_OIDC_CLIENT_SECRET: provider.clientSecret,
    },
  });
  provider.configure(`${env.server.url}/cmb/auth/callback`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
    timeout: 60_000,
  });
});

after(async () => {
  await browser?.close();
  await env?.close();
  await provider?.close();
});

/** Runs a step; on failure saves a screenshot beside the error. */
async function step<T>(page: Page, name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const file = path.join(
      os.tmpdir(),
      `tasklane-console-${name.replace(/\W+/g, '-')}-${Date.now()}.png`,
    );
    await page.screenshot({ path: file, fullPage: true }).catch(() => {});
    console.error(`console e2e: step "${name}" failed; screenshot: ${file}`);
    throw error;
  }
}

test('sign in, create a task, see it complete live, read its artifact, see usage, chat', {
  skip,
  timeout: 180_000,
}, async () => {
  const user = await createUser(env.api, 'console');
  // bypassCSP lets the test inject axe-core; the console itself runs under its CSP.
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const consoleErrors: string[] = [];
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  let reloads = 0;
  page.on('load', () => {
    reloads += 1;
  });

  await step(page, 'open', async () => {
    // A browser opening the server lands on the console's sign-in form.
    await page.goto(`${env.server.url}/`);
    assert.match(page.url(), /\/console\/$/);
    await page.getByRole('heading', { name: 'Sign in to Tasklane' }).waitFor({ timeout: 30_000 });
    await checkAccessibility(page, 'sign-in');
  });

  await step(page, 'sign-in', async () => {
    await page.getByLabel(/^Username or email/).fill(user.username);
    await page.getByLabel(/^Password/).fill(user.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Tasks', exact: true }).waitFor({ timeout: 30_000 });
    await page.getByLabel('Live updates: live').waitFor({ timeout: 30_000 });
    assert.match(page.url(), /\/console\/tasks$/);
    await checkAccessibility(page, 'tasks');
  });

  const loadsBefore = reloads;
  const prompt = `Compute six times seven ${Date.now()}`;
  const row = page.locator('tr[data-task-id]', { hasText: prompt });
  await step(page, 'create', async () => {
    await page.getByLabel(/^Prompt/).fill(prompt);
    await page.getByRole('button', { name: 'Create task' }).click();
    await row.waitFor({ timeout: 30_000 });
  });

  await step(page, 'complete-live', async () => {
    await row
      .getByTestId('task-status')
      .filter({ hasText: 'completed' })
      .waitFor({ timeout: 120_000 });
    assert.equal(reloads, loadsBefore, 'the page was not reloaded');
    await shoot(page, 'tasks');
  });

  await step(page, 'artifact', async () => {
    await row.getByRole('link').click();
    await page.getByRole('heading', { name: 'Result and artifacts' }).waitFor({ timeout: 30_000 });
    const link = page.getByRole('link', { name: 'answer.json' });
    await link.waitFor({ timeout: 30_000 });
    const href = await link.getAttribute('href');
    assert.ok(href, 'the artifact has a download link');
    const file = await fetch(href);
    assert.equal(file.status, 200);
    assert.deepEqual(JSON.parse(await file.text()), { answer: 42 });
    await shoot(page, 'task');
    await checkAccessibility(page, 'task');
  });

  await step(page, 'usage', async () => {
    await page.getByRole('link', { name: 'Usage and credits' }).click();
    await page.getByRole('heading', { name: 'Usage and credits' }).waitFor({ timeout: 30_000 });
    await page.getByTestId('stat-total').filter({ hasText: /^1$/ }).waitFor({ timeout: 30_000 });
    await page.getByRole('figure', { name: /Tasks per day/ }).waitFor({ timeout: 30_000 });
    await page.waitForTimeout(1000); // the charts' entry animation
    await shoot(page, 'usage');
    await checkAccessibility(page, 'usage');
  });

  await step(page, 'chat', async () => {
    await page.getByRole('link', { name: 'Chat' }).click();
    await page.getByRole('heading', { name: 'Chat', exact: true }).waitFor({ timeout: 30_000 });
    await page.getByLabel(/^Title/).fill('Console test');
    await page.getByRole('button', { name: 'New conversation' }).click();
    await page.getByLabel(/^Message/).waitFor({ timeout: 30_000 });
    await page.getByLabel(/^Message/).fill('hello from the console');
    await page.getByRole('button', { name: 'Send' }).click();
    // The fixture model answers "You said: …", streamed word by word.
    const answer = page.locator('[data-role="assistant"]', { hasText: 'You said:' });
    await answer.waitFor({ timeout: 60_000 });
    await answer.getByText(/\d+ tokens · \$/).waitFor({ timeout: 30_000 });
    await shoot(page, 'chat');
    await checkAccessibility(page, 'chat');
  });

  assert.deepEqual(consoleErrors, [], 'no uncaught errors in the page');
  await page.close();
});

/** Opens the console and signs in as a new user (or `user`). */
async function signedIn(
  prefix: string,
  on: CodeepEnv = env,
  viewport = { width: 1280, height: 900 },
  user?: TestUser,
): Promise<Page> {
  user ??= await createUser(on.api, prefix);
  const page = await browser.newPage({ viewport, bypassCSP: true });
  await step(page, `sign in as ${prefix}`, async () => {
    await page.goto(`${on.server.url}/console/`);
    await page.getByLabel(/^Username or email/).fill(user.username);
    await page.getByLabel(/^Password/).fill(user.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByLabel('Live updates: live').waitFor({ timeout: 30_000 });
  }).catch(async (error) => {
    await page.close();
    throw error;
  });
  return page;
}

test('agents: create one, run it, see the run complete live', {
  skip,
  timeout: 120_000,
}, async () => {
  const page = await signedIn('agents');
  await step(page, 'agent', async () => {
    await page.getByRole('link', { name: 'Agents' }).click();
    await page.getByRole('heading', { name: 'Agents', exact: true }).waitFor({ timeout: 30_000 });
    await page.getByLabel(/^Name/).fill('Echo');
    await page.getByRole('button', { name: 'Create agent' }).click();
    await page.getByText('Echo', { exact: true }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Runs' }).click();
    await page.getByLabel(/^Input/).fill('ping from the console');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const run = page.locator('table[aria-label="Runs"] tbody tr', { hasText: 'You said:' });
    await run.getByText('completed').waitFor({ timeout: 60_000 });
    await checkAccessibility(page, 'agents');
  });
  await page.close();
});

test('webhooks: add one, send a test, see the delivery', { skip, timeout: 120_000 }, async (t) => {
  const received: string[] = [];
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      received.push(body);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  // Closed however the test ends (an open server would keep this file's process alive).
  t.after(() => {
    receiver.closeAllConnections();
    receiver.close();
  });
  const { port } = receiver.address() as AddressInfo;
  const page = await signedIn('hooks');
  try {
    await step(page, 'webhook', async () => {
      await page.getByRole('link', { name: 'Webhooks' }).click();
      await page
        .getByRole('heading', { name: 'Webhooks', exact: true })
        .waitFor({ timeout: 30_000 });
      await page.getByLabel(/^URL/).fill(`http://127.0.0.1:${port}/hook`);
      await page.getByRole('button', { name: 'Add webhook' }).click();
      await page.getByText('Signing secret (shown once)').waitFor({ timeout: 30_000 });
      await page.getByRole('button', { name: 'Deliveries' }).click();
      await page.getByRole('button', { name: 'Send test' }).click();
      await page
        .getByTestId('test-outcome')
        .filter({ hasText: 'Delivered: 200' })
        .waitFor({ timeout: 30_000 });
      await page
        .locator('table[aria-label="Deliveries"] tbody tr', { hasText: 'webhook.test' })
        .waitFor({ timeout: 30_000 });
      assert.ok(
        received.some((body) => body.includes('webhook.test')),
        'the receiver got it',
      );
      await checkAccessibility(page, 'webhooks');
    });
  } finally {
    await page.close();
  }
});

test('on a phone-sized screen: navigation, cancel a queued task and retry it', {
  skip,
  timeout: 120_000,
}, async (t) => {
  // No workers: the task stays queued until cancelled.
  const idle = await startCodeep({ workers: 0 });
  t.after(() => idle.close());
  const page = await signedIn('phone', idle, { width: 390, height: 844 });
  try {
    await step(page, 'phone', async () => {
      // The navigation folds behind the burger on a narrow screen.
      await page.getByRole('button', { name: 'Toggle navigation' }).click();
      await page.getByRole('link', { name: 'Tasks' }).click();
      await page.getByLabel(/^Prompt/).fill('Wait in the queue');
      await page.getByRole('button', { name: 'Create task' }).click();
      const row = page.locator('tr[data-task-id]', { hasText: 'Wait in the queue' });
      await row
        .getByTestId('task-status')
        .filter({ hasText: 'queued' })
        .waitFor({ timeout: 30_000 });
      await row.getByRole('link').click();
      const status = page.getByTestId('task-status');
      await status.filter({ hasText: 'queued' }).waitFor({ timeout: 30_000 });
      await checkAccessibility(page, 'task on a phone');
      await page.getByRole('button', { name: 'Cancel' }).click();
      await status.filter({ hasText: 'failed' }).waitFor({ timeout: 30_000 });
      await page.locator('code', { hasText: 'task.failed' }).waitFor({ timeout: 30_000 });
      await page.getByRole('button', { name: 'Retry' }).click();
      await status.filter({ hasText: 'queued' }).waitFor({ timeout: 30_000 });
    });
  } finally {
    await page.close();
  }
});

test('operations; projects list', { skip, timeout: 120_000 }, async () => {
  const page = await signedIn('ops');
  try {
    await step(page, 'operations', async () => {
      await page.getByRole('link', { name: 'Operations' }).click();
      await page
        .getByRole('heading', { name: 'Operations', exact: true })
        .waitFor({ timeout: 30_000 });
      // The server of these tests has two worker slots.
      await page
        .getByTestId('queue-workers')
        .filter({ hasText: /^2$/ })
        .waitFor({ timeout: 30_000 });
      await page
        .getByTestId('admin-users')
        .filter({ hasText: 'Admins only.' })
        .waitFor({ timeout: 30_000 });
      await page
        .getByTestId('admin-activity')
        .filter({ hasText: 'Admins only.' })
        .waitFor({ timeout: 30_000 });
      await shoot(page, 'operations');
      await checkAccessibility(page, 'operations');
    });
    await step(page, "operations as an admin: every user's activity", async () => {
      // Someone else does something CMBCluster records; an admin sees it with their email.
      const actor = await createUser(env.api, 'opsactor');
      const set = await env.api.post(
        '/cmb/user-env-vars',
        { key: 'OPS_SEEN', value: 'x' },
        { token: actor.token },
      );
      assert.equal(set.status, 200, set.text);
      const admin = await createUser(env.api, 'opsadmin');
      await env.server.runtime.database.db
        .updateTable('users')
        .set({ role: 'admin' })
        .where('username', '=', admin.username)
        .execute();
      const adminPage = await signedIn('opsadmin', env, undefined, admin);
      try {
        await adminPage.getByRole('link', { name: 'Operations' }).click();
        await adminPage
          .getByTestId('admin-activity')
          .locator('tr', { hasText: actor.email })
          .filter({ hasText: 'env_var_set' })
          .waitFor({ timeout: 30_000 });
        await checkAccessibility(adminPage, 'operations (admin)');
      } finally {
        await adminPage.close();
      }
    });
    await step(page, 'projects', async () => {
      await page.getByRole('link', { name: 'Projects' }).click();
      await page
        .getByRole('heading', { name: 'Projects', exact: true })
        .waitFor({ timeout: 30_000 });
      await page.getByLabel(/^Title/).fill('Console project');
      await page.getByLabel(/^Description/).fill('Made in the browser');
      await page.getByRole('button', { name: 'Create project' }).click();
      await page
        .locator('[data-project-id]', { hasText: 'Console project' })
        .waitFor({ timeout: 30_000 });
      await checkAccessibility(page, 'projects');
    });
  } finally {
    await page.close();
  }
});

/** Clicks Refresh until the environment's row shows `status` (no event exists for it). */
async function untilEnvironment(page: Page, envId: string, status: string): Promise<void> {
  const badge = page.locator(`tr[data-env-id="${envId}"]`).getByTestId('env-status');
  const deadline = Date.now() + 60_000;
  while ((await badge.textContent()) !== status) {
    if (Date.now() > deadline) throw new Error(`${envId} did not become ${status}`);
    await page.waitForTimeout(300);
    await page.getByRole('button', { name: 'Refresh' }).click();
  }
}

/** Starts an environment from the page (default image); returns its id once running. */
async function startEnvironment(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Start environment' }).click();
  const row = page.locator('table[aria-label="Environments"] tbody tr[data-env-id]').first();
  await row.waitFor({ timeout: 30_000 });
  const envId = (await row.getAttribute('data-env-id'))!;
  await untilEnvironment(page, envId, 'running');
  return envId;
}

test('environments (CMBCluster): workspace files, start one, open it, stop it; variables; activity', {
  skip,
  timeout: 180_000,
}, async () => {
  const user = await createUser(env.api, 'envs');
  const page = await signedIn('envs', env, undefined, user);
  const cmb = (path: string) =>
    fetch(`${env.server.url}/cmb${path}`, {
      headers: { authorization: `Bearer ${user.token}` },
    }).then((res) => res.json() as Promise<any>);
  try {
    const files = page.locator('table[aria-label="Workspace files"] tbody tr', {
      hasText: 'notes.txt',
    });
    await step(page, 'files', async () => {
      await page.getByRole('link', { name: 'Environments' }).click();
      await page
        .getByRole('heading', { name: 'Environments', exact: true })
        .waitFor({ timeout: 30_000 });
      await page.getByRole('tab', { name: 'Workspace files' }).click();
      assert.match(page.url(), /\/console\/environments\/files$/);
      await page.locator('input[type="file"]').setInputFiles({
        name: 'notes.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from('hello from the workspace\n'),
      });
      await page.getByRole('button', { name: 'Upload' }).click();
      await files.waitFor({ timeout: 30_000 });
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        files.getByRole('button', { name: 'Download notes.txt' }).click(),
      ]);
      assert.equal(download.suggestedFilename(), 'notes.txt');
      assert.equal(fs.readFileSync(await download.path(), 'utf8'), 'hello from the workspace\n');
      await checkAccessibility(page, 'workspace files');
    });

    let envId = '';
    await step(page, 'start', async () => {
      await page.getByRole('tab', { name: 'Environments' }).click();
      await page.getByText('No environments yet.').waitFor({ timeout: 30_000 });
      envId = await startEnvironment(page);
      const row = page.locator(`tr[data-env-id="${envId}"]`);
      // The time until auto-shutdown is the API's, as of when it was read.
      const info = (await cmb(`/environments/${envId}/info`)).data;
      if (info.time_until_shutdown_minutes === null) {
        await row.getByText(/No auto-shutdown/).waitFor({ timeout: 30_000 });
      } else {
        await row
          .getByTestId('env-shutdown')
          .filter({
            hasText: `(${info.time_until_shutdown_minutes} of ${info.max_uptime_minutes} min left)`,
          })
          .waitFor({ timeout: 30_000 });
      }
      // Its link is the API's proxied URL, which serves the workspace (the default image).
      const link = row.getByRole('link', { name: /^Open/ });
      assert.equal(await link.getAttribute('href'), info.environment.url);
      assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
      const served = await fetch(info.environment.url, {
        headers: { authorization: `Bearer ${user.token}` },
      });
      assert.equal(served.status, 200);
      assert.match(await served.text(), /notes\.txt/);
      // A password session opens it in the browser too: sign-in set the session cookie
      // (POST /cmb/auth/session), which a new tab carries.
      const [opened] = await Promise.all([page.waitForEvent('popup'), link.click()]);
      await opened.getByText('notes.txt').first().waitFor({ timeout: 30_000 });
      await opened.close();
      await shoot(page, 'environments');
      await checkAccessibility(page, 'environments');
    });

    await step(page, 'stop', async () => {
      await page.getByRole('button', { name: `Stop ${envId}` }).click();
      await page
        .locator(`tr[data-env-id="${envId}"]`)
        .getByTestId('env-status')
        .filter({ hasText: /^stopped$/ })
        .waitFor({ timeout: 30_000 });
      await page.locator(`tr[data-env-id="${envId}"]`).getByRole('link').waitFor({
        state: 'detached',
        timeout: 30_000,
      });
      const listed = (await cmb('/environments/list')).data.environments;
      assert.equal(listed.find((e: { env_id: string }) => e.env_id === envId)?.status, 'stopped');
    });

    await step(page, 'variables', async () => {
      await page.getByRole('tab', { name: 'Variables' }).click();
      await page.getByLabel(/^Name/).fill('API_TOKEN');
      await page.getByLabel(/^Value/).fill('s3cret-value');
      await page.getByRole('button', { name: 'Save variable' }).click();
      const row = page.locator('table[aria-label="Environment variables"] tbody tr', {
        hasText: 'API_TOKEN',
      });
      await row.getByText('***encrypted***').waitFor({ timeout: 30_000 });
      assert.equal(await page.getByText('s3cret-value').count(), 0, 'the value is never shown');
      await shoot(page, 'environment');
      await checkAccessibility(page, 'environment variables');
      await page.getByRole('button', { name: 'Delete API_TOKEN' }).click();
      await row.waitFor({ state: 'detached', timeout: 30_000 });
    });

    await step(page, 'activity', async () => {
      await page.getByRole('tab', { name: 'Activity' }).click();
      const log = page.locator('table[aria-label="Activity"] tbody');
      for (const action of ['file_uploaded', 'environment_created', 'environment_stopped']) {
        await log.getByRole('cell', { name: action, exact: true }).first().waitFor({
          timeout: 30_000,
        });
      }
      await checkAccessibility(page, 'activity');
    });

    await step(page, 'delete-file', async () => {
      await page.getByRole('tab', { name: 'Workspace files' }).click();
      await files.waitFor({ timeout: 30_000 });
      await page.getByRole('button', { name: 'Delete notes.txt' }).click();
      await files.waitFor({ state: 'detached', timeout: 30_000 });
      assert.deepEqual((await cmb('/user-files')).data.files, []);
    });
  } finally {
    await page.close();
  }
});

test('project page (CodeGuide): generate documents, see them as Markdown; task groups; usage per model', {
  skip,
  timeout: 180_000,
}, async () => {
  const user = await createUser(env.api, 'docs');
  const page = await signedIn('docs', env, undefined, user);
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${env.server.url}/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.ok(res.ok, `${method} ${path}: ${res.status}`);
    return (await res.json()) as any;
  };
  // The fixture model answers "You said: <prompt>", and the prompt carries the project's
  // description: so the generated documents hold this Markdown (and this HTML, as text).
  const description = [
    'A planner for console tests.',
    '',
    '## Goals',
    '',
    '- Fast **builds**',
    '- Read the [docs](https://example.com/docs) and [not this](javascript:alert(1))',
    '',
    '<script>window.__injected = true</script>',
  ].join('\n');
  try {
    let projectId = '';
    await step(page, 'project', async () => {
      await page.getByRole('link', { name: 'Projects' }).click();
      await page.getByLabel(/^Title/).fill('Docs project');
      await page.getByLabel(/^Description/).fill(description);
      await page.getByRole('button', { name: 'Create project' }).click();
      const card = page.locator('[data-project-id]', { hasText: 'Docs project' });
      await card.waitFor({ timeout: 30_000 });
      projectId = (await card.getAttribute('data-project-id'))!;
      // A task group with a task and a subtask, made through the API: the page lists them.
      const group = (
        await api('POST', '/task-groups', {
          project_id: projectId,
          name: 'Launch plan',
          description: 'What to do first',
        })
      ).data;
      const task = (
        await api('POST', '/project-tasks', {
          task_group_id: group.id,
          title: 'Write the spec',
          description: 'All of it',
        })
      ).data;
      await api('POST', '/project-tasks', {
        task_group_id: group.id,
        parent_task_id: task.id,
        title: 'Outline the spec',
        description: 'Headings first',
      });
      await card.getByRole('link', { name: 'Docs project' }).click();
      await page
        .getByRole('heading', { name: 'Docs project', level: 1 })
        .waitFor({ timeout: 30_000 });
      await page.getByText('No documents yet').waitFor({ timeout: 30_000 });
      const tasks = page.locator('table[aria-label="Tasks of Launch plan"] tbody tr');
      await tasks.filter({ hasText: 'Outline the spec' }).waitFor({ timeout: 30_000 });
      assert.deepEqual(
        (await tasks.locator('td:first-child').allTextContents()).map((t) => t.trim()),
        ['Write the spec', 'Outline the spec'],
      );
    });

    await step(page, 'generate', async () => {
      await page.getByRole('button', { name: 'Generate documents' }).click();
      await page
        .getByTestId('job-status')
        .filter({ hasText: /^completed$/ })
        .waitFor({ timeout: 90_000 });
      const stored = (await api('GET', `/projects/${projectId}`)).data.project_documents;
      assert.ok(stored.length > 0, 'documents were stored');
      assert.equal(await page.getByRole('tab').count(), stored.length);
      const document = page.getByTestId('document');
      await document.waitFor({ timeout: 30_000 });
      // Rendered as Markdown: a heading (under the page's), a list, emphasis, a safe link.
      await document.getByRole('heading', { name: 'Goals', level: 4 }).waitFor();
      await document.locator('li strong', { hasText: 'builds' }).waitFor();
      const link = document.getByRole('link', { name: 'docs' });
      assert.equal(await link.getAttribute('href'), 'https://example.com/docs');
      assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
      // A javascript: link is only its text; HTML is shown as text, never run.
      assert.equal(await document.getByRole('link', { name: 'not this' }).count(), 0);
      await document.getByText('<script>window.__injected = true</script>').waitFor();
      assert.equal(await document.locator('script').count(), 0);
      assert.equal(await page.evaluate(() => (globalThis as any).__injected), undefined);
      await shoot(page, 'project');
      await checkAccessibility(page, 'project');
    });

    await step(page, 'usage-per-model', async () => {
      await page.getByRole('link', { name: 'Usage and credits' }).click();
      const table = page.locator('table[aria-label="Usage per model"]');
      await table.locator('tbody tr[data-model]').first().waitFor({ timeout: 30_000 });
      await page.getByRole('figure', { name: /tokens and credits used, per model/ }).waitFor();
      // The page's period is the last 30 days (its default), today included.
      const day = (back: number) =>
        new Date(Date.now() - back * 86_400_000).toISOString().slice(0, 10);
      const summary = await api('GET', `/usage/summary?start_date=${day(29)}&end_date=${day(0)}`);
      const models = Object.values(summary.usage_summary.model_breakdown) as {
        calls: number;
        input_tokens: number;
        output_tokens: number;
        credits_used: number;
      }[];
      assert.ok(models.length > 0, 'generation was booked per model');
      const sum = (pick: (m: (typeof models)[number]) => number) =>
        models.reduce((total, m) => total + pick(m), 0);
      const count = (n: number) => n.toLocaleString('en-US');
      const credits = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 6 });
      assert.equal(await table.locator('tbody tr').count(), models.length);
      assert.equal(
        await page.getByTestId('models-total-calls').textContent(),
        count(sum((m) => m.calls)),
      );
      assert.equal(
        await page.getByTestId('models-total-input').textContent(),
        count(sum((m) => m.input_tokens)),
      );
      assert.equal(
        await page.getByTestId('models-total-output').textContent(),
        count(sum((m) => m.output_tokens)),
      );
      assert.equal(
        await page.getByTestId('models-total-credits').textContent(),
        credits(sum((m) => m.credits_used)),
      );
      await page
        .getByTestId('usage-all')
        .filter({
          hasText: `${count(summary.usage_summary.total_calls)} calls, ${credits(summary.usage_summary.total_credits_used)} credits`,
        })
        .waitFor({ timeout: 30_000 });
      const balance = await api('GET', '/usage/credit-balance');
      await page
        .getByTestId('credits-remaining')
        .filter({
          hasText: `${credits(balance.remaining_credits)} of ${credits(balance.total_allotted)} credits`,
        })
        .waitFor({ timeout: 30_000 });
      await page.waitForTimeout(1000); // the chart's entry animation
      // The per-model part, below the fold, under the fixed header.
      await page
        .getByText('Credits left this cycle')
        .evaluate((element) => element.scrollIntoView({ block: 'start' }));
      await page.evaluate(() => (globalThis as any).scrollBy(0, -72));
      await shoot(page, 'usage-models');
      await checkAccessibility(page, 'usage per model');
    });
  } finally {
    await page.close();
  }
});

test('single sign-on (OpenID Connect): sign in at the provider, the console runs on the session, an environment opens in the browser', {
  skip,
  timeout: 180_000,
}, async () => {
  provider.accounts.set('grace', {
    email: 'grace@example.org',
    email_verified: true,
    name: 'Grace',
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  try {
    await step(page, 'sso-sign-in', async () => {
      await page.goto(`${env.server.url}/console/`);
      const button = page.getByRole('button', { name: 'Sign in with single sign-on' });
      await button.waitFor({ timeout: 30_000 });
      await checkAccessibility(page, 'sign-in with single sign-on');
      await button.click();
      // The provider's own (development) pages: sign in, then consent.
      await page.locator('input[name="login"]').fill('grace');
      await page.locator('input[name="password"]').fill('any');
      await page.locator('button[type="submit"]').click();
      await page.getByRole('button', { name: 'Continue' }).click();
      // Back through /cmb/auth/callback (the session cookie) and / to the console, signed in.
      await page.getByRole('heading', { name: 'Tasks', exact: true }).waitFor({ timeout: 30_000 });
      // The live socket needs a token: the cookie was traded for one of the same session.
      await page.getByLabel('Live updates: live').waitFor({ timeout: 30_000 });
      await page.getByText('grace', { exact: true }).waitFor();
      const cookies = await page.context().cookies(env.server.url);
      assert.ok(cookies.some((c) => c.name === 'tasklane_session' && c.httpOnly));
    });

    let url = '';
    await step(page, 'sso-environment', async () => {
      await page.getByRole('link', { name: 'Environments' }).click();
      const envId = await startEnvironment(page);
      // The browser opens the proxied URL itself: the session cookie authenticates it.
      const [opened] = await Promise.all([
        page.waitForEvent('popup'),
        page.locator(`tr[data-env-id="${envId}"]`).getByRole('link', { name: /^Open/ }).click(),
      ]);
      await opened.getByText('Directory listing for /').first().waitFor({ timeout: 30_000 });
      url = opened.url();
      await opened.close();
      await page.getByRole('button', { name: `Stop ${envId}` }).click();
      await page
        .locator(`tr[data-env-id="${envId}"]`)
        .getByTestId('env-status')
        .filter({ hasText: /^stopped$/ })
        .waitFor({ timeout: 30_000 });
    });

    await step(page, 'sso-sign-out', async () => {
      const before = (await page.context().cookies(env.server.url)).find(
        (c) => c.name === 'tasklane_session',
      )!;
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in to Tasklane' }).waitFor({ timeout: 30_000 });
      // The cookie is cleared, and the session it carried has ended everywhere.
      const cookies = await page.context().cookies(env.server.url);
      assert.equal(
        cookies.some((c) => c.name === 'tasklane_session'),
        false,
      );
      assert.equal((await page.request.get(url)).status(), 401);
      const replayed = await fetch(`${env.server.url}/cmb/users/me`, {
        headers: { cookie: `tasklane_session=${before.value}` },
      });
      assert.equal(replayed.status, 401);
    });
  } finally {
    await page.close();
  }
});
