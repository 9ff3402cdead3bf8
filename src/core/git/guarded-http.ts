/**
 * isomorphic-git's HTTP client, replaced by one that goes through the shared SSRF guard
 * (shared/net-guard.ts, the one webhooks use): every request resolves the host, checks
 * every address and connects only to the checked one. Redirects are followed here, at
 * most `maxRedirects`, and each hop is checked again (scheme, credentials, allowed host,
 * then the guard). Like git, a redirect of the ref advertisement moves the rest of the
 * clone to the new base URL. Response bytes are counted as they arrive (the size limit).
 */
import http from 'node:http';
import type { Readable } from 'node:stream';
import type { GitHttpRequest, GitHttpResponse, HttpClient } from 'isomorphic-git';
import {
  DestinationRefused,
  type GuardedResponse,
  guardedFetch,
  HostUnresolved,
  type NetPolicy,
} from '../shared/net-guard.ts';
import { CloneFailed } from './clone-errors.ts';
import type { RepositoryUrlPolicy } from './repository-url.ts';

export interface GuardedGitHttpOptions {
  netPolicy: NetPolicy;
  urlPolicy: RepositoryUrlPolicy;
  /** Aborts every request (timeout, size limit, cancellation). */
  signal: AbortSignal;
  maxRedirects: number;
  /** Hears the size of each response chunk; throws to stop the clone (the size limit). */
  onReceived(bytes: number): void;
}

export interface GuardedGitHttp extends HttpClient {
  /** The first refusal or connection failure, in case the git library wraps it. */
  readonly failure: CloneFailed | undefined;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const ADVERTISEMENT = /\/info\/refs\?service=git-[a-z-]+$/;

export function guardedGitHttp(options: GuardedGitHttpOptions): GuardedGitHttp {
  /** Base URLs the server moved (from → to), applied to later requests of the clone. */
  const moved: [string, string][] = [];
  let failure: CloneFailed | undefined;
  const fail = (error: CloneFailed) => {
    failure ??= error;
    return error;
  };

  async function request(req: GitHttpRequest): Promise<GitHttpResponse> {
    const body = req.body ? await collect(req.body) : undefined;
    let url = new URL(relocate(moved, req.url));
    let method = (req.method ?? 'GET').toUpperCase();
    let payload = body;
    for (let hop = 0; ; hop++) {
      let res: GuardedResponse;
      try {
        res = await guardedFetch(
          url,
          { method, headers: req.headers, body: payload, signal: options.signal },
          options.netPolicy,
        );
      } catch (error) {
        throw translate(error, url, hop);
      }
      const location = res.headers.location;
      if (!REDIRECTS.has(res.status) || !location) {
        remember(moved, req.url, url.href);
        return {
          url: url.href,
          method,
          headers: flatten(res.headers),
          body: counted(res.body, options.onReceived),
          statusCode: res.status,
          statusMessage: http.STATUS_CODES[res.status] ?? '',
        };
      }
      res.body.destroy();
      if (hop >= options.maxRedirects)
        throw fail(
          new CloneFailed(
            'refused',
            `the server redirected more than ${options.maxRedirects} times (last to ${shown(location)})`,
          ),
        );
      const next = URL.canParse(location, url.href) ? new URL(location, url) : undefined;
      const why = next ? redirectRefusal(next, options.urlPolicy) : 'not a valid URL';
      if (!next || why)
        throw fail(
          new CloneFailed('refused', `the server redirected to ${shown(location)}: ${why}`),
        );
      // Like git: 303 turns into a GET; other redirects keep the method and body.
      if (res.status === 303) {
        method = 'GET';
        payload = undefined;
      }
      url = next;
    }
  }

  function translate(error: unknown, url: URL, hop: number): unknown {
    if (options.signal.aborted) return error;
    const where = hop === 0 ? '' : `the redirect to ${shown(url.href)} was refused: `;
    if (error instanceof DestinationRefused)
      return fail(
        new CloneFailed(
          'refused',
          `${where}${error.message}; non-public addresses are refused (TASKLANE_GIT_ALLOW_PRIVATE, TASKLANE_GIT_ALLOW_NETWORKS)`,
        ),
      );
    if (error instanceof HostUnresolved)
      return fail(new CloneFailed('unreachable', `${where}${error.message}`));
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return fail(new CloneFailed('unreachable', `could not reach ${url.host} (${code})`));
  }

  return {
    request,
    get failure() {
      return failure;
    },
  };
}

/** Why a redirect target is refused before any connection, or undefined. */
function redirectRefusal(url: URL, policy: RepositoryUrlPolicy): string | undefined {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'only http(s) is allowed';
  if (url.username || url.password) return 'a URL with credentials is refused';
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (policy.allowedHosts.length > 0 && !policy.allowedHosts.includes(host))
    return `host ${host} is not allowed on this server (TASKLANE_GIT_ALLOWED_HOSTS)`;
  return undefined;
}

/** A URL for a message: no query, bounded length. */
function shown(location: string): string {
  return location.replace(/[?#].*$/, '').slice(0, 200);
}

/** When the ref advertisement was redirected, later requests go to the new base. */
function remember(moved: [string, string][], requested: string, final: string): void {
  const suffix = ADVERTISEMENT.exec(requested)?.[0];
  if (!suffix || requested === final || !final.endsWith(suffix)) return;
  moved.push([requested.slice(0, -suffix.length), final.slice(0, -suffix.length)]);
}

function relocate(moved: [string, string][], url: string): string {
  for (const [from, to] of moved)
    if (url.startsWith(`${from}/`)) return to + url.slice(from.length);
  return url;
}

function flatten(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}

async function collect(
  body: AsyncIterable<Uint8Array> | Iterable<Uint8Array> | Uint8Array,
): Promise<Buffer> {
  if (body instanceof Uint8Array) return Buffer.from(body);
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function* counted(
  stream: Readable,
  onReceived: (bytes: number) => void,
): AsyncGenerator<Uint8Array, undefined> {
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      onReceived(chunk.length);
      yield chunk;
    }
  } finally {
    stream.destroy();
  }
  return undefined;
}
