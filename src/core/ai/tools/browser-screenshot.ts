/**
 * `browser_screenshot`: opens a page in the system Chromium (playwright-core) and saves
 * out/screenshot.png. Chromium runs inside the task's own sandbox (bubblewrap, as the
 * workspace's uid, its cgroup and network policy), where the workspace is /workspace:
 * a page or link the task made can only reach what the sandbox sees. The screenshot
 * comes back to the server as bytes and is written through the workspace, never to a
 * path. Without network, only data: URLs and workspace files load.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { jsonSchema, tool } from 'ai';
import type { Browser } from 'playwright-core';
import { checkRelative } from '../../execution/workspace.ts';
import type { ToolEnv } from './tool-env.ts';

/** Chromium needs more than a task's program: memory for a renderer, and many threads. */
const BROWSER_MIN_MEMORY_MB = 1024;
const BROWSER_PROCESSES = 1024;
const BROWSER_TIMEOUT_MS = 60_000;

export function browserScreenshotTool(env: ToolEnv) {
  return tool({
    description:
      'Open a URL (or an HTML file in the workspace, by relative path) in a headless browser and save a PNG screenshot as out/screenshot.png.',
    inputSchema: jsonSchema<{ url: string; full_page?: boolean; width?: number; height?: number }>({
      type: 'object',
      properties: {
        url: { type: 'string' },
        full_page: { type: 'boolean' },
        width: { type: 'integer', minimum: 200, maximum: 3840 },
        height: { type: 'integer', minimum: 200, maximum: 2160 },
      },
      required: ['url'],
      additionalProperties: false,
    }),
    async execute({ url, full_page, width, height }) {
      const executable = env.ctx.config.ai.tools.chromiumPath;
      if (!fs.existsSync(executable))
        throw new Error(`No browser is installed on this server (${executable})`);
      if (!env.sandbox) throw new Error('No sandbox is available on this server; no browser runs');
      const target = /^[a-z][a-z0-9+.-]*:/i.test(url)
        ? url
        : `file:///workspace/${encodeURI(checkRelative(url))}`;
      if (!env.network && !isLocal(target))
        throw new Error(
          'This task has no network access: only data: URLs and workspace files can be opened',
        );
      const png = await withSandboxedBrowser(env, executable, async (browser) => {
        const page = await browser.newPage({
          viewport: { width: width ?? 1280, height: height ?? 800 },
        });
        let blocked = 0;
        await page.route('**/*', (route) => {
          if (env.network || isLocal(route.request().url())) return route.continue();
          blocked++;
          return route.abort('blockedbyclient');
        });
        const response = await page.goto(target, { timeout: 30_000, waitUntil: 'load' });
        const image = await page.screenshot({ fullPage: full_page ?? false });
        return { image, title: await page.title(), status: response?.status() ?? null, blocked };
      });
      await env.workspace.write('out/screenshot.png', png.image);
      return {
        saved: 'out/screenshot.png',
        title: png.title,
        status: png.status,
        blocked_requests: png.blocked,
      };
    },
  });
}

/** Launches Chromium through the sandbox's command line (a wrapper script playwright runs). */
async function withSandboxedBrowser<T>(
  env: ToolEnv,
  executable: string,
  use: (browser: Browser) => Promise<T>,
): Promise<T> {
  const program = fs.realpathSync(executable);
  const prepared = await env.sandbox!.prepare({
    argv: [program],
    workspace: env.workspace,
    network: env.network,
    readOnlyBinds: browserBinds(program),
    env: { HOME: '/tmp' },
    limits: {
      memoryMb: Math.max(env.ctx.config.sandbox.memoryMb, BROWSER_MIN_MEMORY_MB),
      processes: BROWSER_PROCESSES,
      openFiles: 4096,
      timeoutMs: BROWSER_TIMEOUT_MS,
    },
  });
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'tasklane-browser-'));
  const wrapper = path.join(dir, 'chromium');
  let browser: Browser | undefined;
  try {
    await fsp.writeFile(wrapper, `#!/bin/sh\nexec ${prepared.argv.map(quote).join(' ')} "$@"\n`, {
      mode: 0o700,
    });
    // Loaded on first use: playwright-core is ~55 MB of the idle server's memory otherwise.
    const { chromium } = await import('playwright-core');
    browser = await chromium
      .launch({
        executablePath: wrapper,
        headless: true,
        // bubblewrap is the sandbox; Chromium's own cannot nest inside it.
        args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
        timeout: 30_000,
      })
      .catch((error: Error) => {
        env.ctx.log.warn({ err: error }, 'browser_screenshot: the browser did not start');
        throw new Error('The browser could not be started on this server');
      });
    const close = () => browser?.close().catch(() => {});
    env.signal.addEventListener('abort', close, { once: true });
    const timer = setTimeout(close, BROWSER_TIMEOUT_MS);
    try {
      return await use(browser);
    } finally {
      clearTimeout(timer);
      env.signal.removeEventListener('abort', close);
    }
  } finally {
    await browser?.close().catch(() => {});
    await prepared.finish().catch(() => {});
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

/**
 * What the browser needs besides /usr: Debian's launcher reads /etc/chromium.d, and a
 * browser outside /usr (e.g. /opt/google/chrome) is mounted read-only where it is.
 */
function browserBinds(program: string): { host: string; inside: string }[] {
  const binds = ['/etc/chromium.d', '/etc/chromium']
    .filter((dir) => fs.existsSync(dir))
    .map((dir) => ({ host: dir, inside: dir }));
  if (!program.startsWith('/usr/'))
    binds.push({ host: path.dirname(program), inside: path.dirname(program) });
  return binds;
}

function quote(arg: string): string {
  return `'${arg.replaceAll("'", "'\\''")}'`;
}

function isLocal(url: string): boolean {
  return (
    url.startsWith('data:') ||
    url === 'about:blank' ||
    url === 'file:///workspace' ||
    url.startsWith('file:///workspace/')
  );
}
