/**
 * `browser_screenshot`: opens a page in the system Chromium (playwright-core) and saves
 * out/screenshot.png. The run's network policy holds in the browser too: without
 * network, only data: URLs and files inside the workspace load; every other request is
 * aborted. (Chromium runs beside the bubblewrap sandbox with its own; see docs.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { jsonSchema, tool } from 'ai';
import { chromium } from 'playwright-core';
import type { ToolEnv } from './tool-env.ts';

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
      const executablePath = env.ctx.config.ai.tools.chromiumPath;
      if (!fs.existsSync(executablePath))
        throw new Error(`No browser is installed on this server (${executablePath})`);
      const workspaceRoot = fs.realpathSync(env.workspace.resolve('.'));
      const target = /^[a-z][a-z0-9+.-]*:/i.test(url)
        ? url
        : pathToFileURL(env.workspace.resolve(url)).href;
      if (!env.network && !isLocal(target, workspaceRoot))
        throw new Error(
          'This task has no network access: only data: URLs and workspace files can be opened',
        );
      const browser = await chromium.launch({
        executablePath,
        headless: true,
        // Chromium's own sandbox cannot run as root.
        args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
        timeout: 30_000,
      });
      const close = () => browser.close().catch(() => {});
      env.signal.addEventListener('abort', close, { once: true });
      try {
        const page = await browser.newPage({
          viewport: { width: width ?? 1280, height: height ?? 800 },
        });
        let blocked = 0;
        await page.route('**/*', (route) => {
          if (env.network || isLocal(route.request().url(), workspaceRoot)) return route.continue();
          blocked++;
          return route.abort('blockedbyclient');
        });
        const response = await page.goto(target, { timeout: 30_000, waitUntil: 'load' });
        const file = path.join(env.workspace.outDir, 'screenshot.png');
        fs.mkdirSync(path.dirname(file), { recursive: true });
        await page.screenshot({ path: file, fullPage: full_page ?? false });
        return {
          saved: 'out/screenshot.png',
          title: await page.title(),
          status: response?.status() ?? null,
          blocked_requests: blocked,
        };
      } finally {
        env.signal.removeEventListener('abort', close);
        await close();
      }
    },
  });
}

function isLocal(url: string, workspaceRoot: string): boolean {
  if (url.startsWith('data:') || url === 'about:blank') return true;
  if (!url.startsWith('file:')) return false;
  try {
    const real = fs.realpathSync(new URL(url).pathname);
    return real === workspaceRoot || real.startsWith(workspaceRoot + path.sep);
  } catch {
    return false;
  }
}
