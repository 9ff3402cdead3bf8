/**
 * The web console (web/, built by Vite into TASKLANE_CONSOLE_DIR) at TASKLANE_CONSOLE_MOUNT.
 *
 * - `<mount>/assets/*` are content-hashed files: cached for a year, immutable. A missing
 *   one is a 404 (never index.html, which a browser would try to run as a script).
 * - Any other path under the mount is the single-page app's: a file of the build when
 *   one exists (favicon…), otherwise index.html, so a reload on /console/tasks/… works.
 *   index.html is never cached and gets a `<base href>` (the build uses relative URLs, so
 *   the same build works at any mount) and a meta tag with the surfaces' mounts, which
 *   the console's API client prefixes its paths with.
 * - Without a build the mount answers 503 saying how to make one; the API is unaffected.
 *
 * A small handler rather than @fastify/static: it needs exactly these three rules.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ConsoleConfig } from '../config/console.ts';
import type { SurfaceName } from '../config.ts';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** The console's pages: its own scripts and styles, the API on this origin, nothing else. */
const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // Mantine sets CSS variables through style attributes and a style element.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self' ws: wss:",
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'self'",
  "form-action 'self'",
].join('; ');

const IMMUTABLE = 'public, max-age=31536000, immutable';

export interface ConsoleRouteOptions {
  console: ConsoleConfig;
  /** The surfaces this server really mounts, with their mounts (without a base path). */
  surfaces: { name: SurfaceName; mount: string }[];
  /**
   * Whether CMBCluster's OpenID Connect sign-in is served and configured, so the sign-in
   * page shows its button (the API's only other answer to that is starting a login).
   */
  oidc: boolean;
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/**
 * index.html with the mount as its base URL, and the surfaces' mounts (for the API
 * client) and whether OpenID Connect sign-in is offered.
 */
function renderIndex(html: string, options: ConsoleRouteOptions): string {
  const mounts = Object.fromEntries(options.surfaces.map((s) => [s.name, s.mount]));
  const settings = { mount: options.console.mount, mounts, oidc: options.oidc };
  const head =
    `<base href="${escapeAttribute(options.console.mount)}/">` +
    `<meta name="tasklane-console" content="${escapeAttribute(JSON.stringify(settings))}">`;
  return html.replace('<head>', `<head>${head}`);
}

/** The file under `root` a URL path names, or undefined when it escapes `root` or is no file. */
async function fileUnder(root: string, relative: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(relative);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const file = path.resolve(root, `.${path.posix.sep}${decoded}`);
  if (file !== root && !file.startsWith(root + path.sep)) return undefined;
  const stat = await fs.stat(file).catch(() => undefined);
  return stat?.isFile() ? file : undefined;
}

/** The page at the mount when there is no build (it names no server path). */
function notBuilt(reply: FastifyReply) {
  return reply
    .code(503)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tasklane console not built</title></head>' +
        '<body><h1>The Tasklane console is not built</h1>' +
        '<p>No <code>index.html</code> in the console directory (<code>TASKLANE_CONSOLE_DIR</code>). Build it with ' +
        '<code>npm ci &amp;&amp; npm run build</code> in <code>web/</code> (<code>scripts/up.sh</code> does this), ' +
        'or point the setting at a build. The APIs work without it: see <a href="/docs">/docs</a>.</p>' +
        '</body></html>',
    );
}

export async function consoleRoutes(
  app: FastifyInstance,
  options: ConsoleRouteOptions,
): Promise<void> {
  const { mount, dir } = options.console;
  if (!mount) return;
  const root = path.resolve(dir);

  const handler = async (request: { url: string }, reply: FastifyReply) => {
    const pathname = (request.url.split('?')[0] ?? '').slice(mount.length).replace(/^\/+/, '');
    if (pathname.startsWith('assets/')) {
      const file = await fileUnder(root, pathname);
      if (!file) {
        return reply
          .code(404)
          .type('text/plain; charset=utf-8')
          .send(`Not found: ${mount}/${pathname}`);
      }
      return reply
        .type(TYPES[path.extname(file)] ?? 'application/octet-stream')
        .header('cache-control', IMMUTABLE)
        .send(await fs.readFile(file));
    }
    const file =
      pathname && pathname !== 'index.html' ? await fileUnder(root, pathname) : undefined;
    if (file) {
      return reply
        .type(TYPES[path.extname(file)] ?? 'application/octet-stream')
        .header('cache-control', 'public, max-age=3600')
        .send(await fs.readFile(file));
    }
    const html = await fs.readFile(path.join(root, 'index.html'), 'utf8').catch(() => undefined);
    if (html === undefined) return notBuilt(reply);
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('content-security-policy', CONSOLE_CSP)
      .send(renderIndex(html, options));
  };

  const route = { config: { auth: 'none' as const }, schema: { hide: true } };
  app.get(mount, route, handler);
  app.get(`${mount}/*`, route, handler);
}

/** Whether a request to `/` comes from a browser wanting a page (not an API client). */
export function wantsHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((part) => part.split(';')[0]!.trim().toLowerCase());
  const html = types.indexOf('text/html');
  const json = types.indexOf('application/json');
  return html !== -1 && (json === -1 || html < json);
}
