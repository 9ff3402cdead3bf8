/**
 * End to end in a real browser: Debian's Chromium (through playwright-core, no browser
 * download) drives the built console against a real server on this test's database,
 * with workers and the OpenAI-compatible LLM fixture. Sign in → create a code task →
 * watch it reach `completed` without reloading (the list has no polling: the change
 * arrives on the live WebSocket) → open it and follow its artifact link → see the
 * usage page count it → stream a chat reply and see its cost. Every page passes an
 * axe-core check (no serious or critical violations).
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
import { createUser } from '../helpers/users.ts';
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

before(async () => {
  if (skip) return;
  // Webhooks may reach this test's receiver on 127.0.0.1.
  env = await startCodeep({ workers: 2, env: { TASKLANE_WEBHOOK_ALLOW_PRIVATE: 'true' } });
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
    await page.getByRole('button', { name: 'Sign in' }).click();
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

/** Opens the console and signs in as a new user. */
async function signedIn(
  prefix: string,
  on: CodeepEnv = env,
  viewport = { width: 1280, height: 900 },
): Promise<Page> {
  const user = await createUser(on.api, prefix);
  const page = await browser.newPage({ viewport, bypassCSP: true });
  await page.goto(`${on.server.url}/console/`);
  await page.getByLabel(/^Username or email/).fill(user.username);
  await page.getByLabel(/^Password/).fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Live updates: live').waitFor({ timeout: 30_000 });
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

test('webhooks: add one, send a test, see the delivery', { skip, timeout: 120_000 }, async () => {
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
    receiver.close();
  }
});

test('on a phone-sized screen: navigation, cancel a queued task and retry it', {
  skip,
  timeout: 120_000,
}, async () => {
  // No workers: the task stays queued until cancelled.
  const idle = await startCodeep({ workers: 0 });
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
    await idle.close();
  }
});

test('environment (CMBCluster): save an encrypted variable, see it masked, delete it; operations; projects', {
  skip,
  timeout: 120_000,
}, async () => {
  const page = await signedIn('envvars');
  try {
    await step(page, 'environment', async () => {
      await page.getByRole('link', { name: 'Environment' }).click();
      await page
        .getByRole('heading', { name: 'Environment', exact: true })
        .waitFor({ timeout: 30_000 });
      await page.getByLabel(/^Name/).fill('API_TOKEN');
      await page.getByLabel(/^Value/).fill('s3cret-value');
      await page.getByRole('button', { name: 'Save variable' }).click();
      const row = page.locator('table[aria-label="Environment variables"] tbody tr', {
        hasText: 'API_TOKEN',
      });
      await row.getByText('***encrypted***').waitFor({ timeout: 30_000 });
      assert.equal(await page.getByText('s3cret-value').count(), 0, 'the value is never shown');
      await shoot(page, 'environment');
      await checkAccessibility(page, 'environment');
      await page.getByRole('button', { name: 'Delete API_TOKEN' }).click();
      await row.waitFor({ state: 'detached', timeout: 30_000 });
    });
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
      await shoot(page, 'operations');
      await checkAccessibility(page, 'operations');
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
