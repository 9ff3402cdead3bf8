/**
 * A client for Coolify's API v4 (coolify.io/docs/api-reference), the two calls CodeGuide
 * needs:
 *
 * - `GET  /api/v1/applications` — every application the token's team can see;
 * - `POST /api/v1/applications/{uuid}/start?force=…` — queue a deployment of one
 *   application (Coolify's `start-application-by-uuid`, "Deploy" in its UI). It answers
 *   `{message, deployment_uuid}`, or only `{message}` when Coolify skipped it (one is
 *   already queued for the commit), and 404 for an application the team does not have.
 *   Unlike `GET /api/v1/deploy?uuid=…`, it never starts a database or a service whose
 *   uuid was given by mistake.
 *
 * Every request goes through net-guard (the address is checked, then connected to, so a
 * DNS answer cannot move it inside the network), with the Bearer token, a timeout for
 * the whole exchange (TASKLANE_COOLIFY_TIMEOUT_MS) and a cap on the answer
 * (TASKLANE_COOLIFY_MAX_RESPONSE_BYTES). Redirects are not followed. Failures are
 * `bad_gateway` DomainErrors whose message says what went wrong; the token never appears
 * in one, nor in a log line.
 */
import type { Readable } from 'node:stream';
import type { Ctx } from '../context.ts';
import { DomainError, notFound } from '../errors.ts';
import {
  DestinationRefused,
  guardedFetch,
  HostUnresolved,
  type NetPolicy,
} from '../shared/net-guard.ts';

/** Where requests go and whose token they carry. */
export interface CoolifyTarget {
  baseUrl: string;
  token: string;
  /** The user's own credentials, or the installation's (TASKLANE_COOLIFY_*). */
  source: 'user' | 'installation';
}

export interface CoolifyApplication {
  /** Coolify's application uuid. */
  id: string;
  name: string;
  /** Coolify's status word, e.g. `running:healthy`, `exited:unhealthy`. */
  status: string;
  /** The first of the application's domains (`fqdn`), or '' when it has none. */
  url: string;
  /** Epoch ms, or null when Coolify gave no readable date. */
  createdAt: number | null;
}

export interface StartedDeployment {
  /** Coolify's deployment uuid; null when Coolify started none (`message` says why). */
  deploymentUuid: string | null;
  message: string;
}

/** Where Coolify requests may go, from config, with the runtime's resolver. */
export function coolifyPolicy(ctx: Ctx): NetPolicy {
  const { allowPrivate, allowNetworks } = ctx.config.coolify;
  return { allowPrivate, allowNetworks, resolve: ctx.runtime.resolver };
}

/** `base` + `/api/v1` + `path`; a base that already ends in `/api/v1` is taken as is. */
export function apiUrl(baseUrl: string, path: string): URL {
  const base = baseUrl.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
  return new URL(`${base}/api/v1${path}`);
}

export function fetchApplications(ctx: Ctx, target: CoolifyTarget): Promise<CoolifyApplication[]> {
  return warnOnFailure(ctx, target, () => listOnce(ctx, target));
}

async function listOnce(ctx: Ctx, target: CoolifyTarget): Promise<CoolifyApplication[]> {
  const answer = await call(ctx, target, 'GET', '/applications');
  if (answer.status === 404)
    throw badGateway(
      `Coolify at ${host(target)} has no /api/v1/applications (404): is the base URL a Coolify v4 instance?`,
    );
  expectOk(target, answer);
  if (!Array.isArray(answer.json))
    throw badGateway("Coolify's list of applications is not a JSON array");
  return answer.json.flatMap((item) => {
    const app = toApplication(item);
    return app ? [app] : [];
  });
}

export function startDeployment(
  ctx: Ctx,
  target: CoolifyTarget,
  applicationUuid: string,
  options: { force: boolean },
): Promise<StartedDeployment> {
  return warnOnFailure(ctx, target, () => startOnce(ctx, target, applicationUuid, options));
}

async function startOnce(
  ctx: Ctx,
  target: CoolifyTarget,
  applicationUuid: string,
  options: { force: boolean },
): Promise<StartedDeployment> {
  const path = `/applications/${encodeURIComponent(applicationUuid)}/start?force=${options.force}`;
  const answer = await call(ctx, target, 'POST', path);
  if (answer.status === 404) throw notFound(`Coolify application "${applicationUuid}"`);
  expectOk(target, answer);
  const body = answer.json;
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw badGateway("Coolify's answer to the deployment is not a JSON object");
  const { deployment_uuid: uuid, message } = body as Record<string, unknown>;
  return {
    // Shown to the user and stored: only a plain identifier is taken from the instance.
    deploymentUuid: typeof uuid === 'string' && /^[A-Za-z0-9_-]{1,100}$/.test(uuid) ? uuid : null,
    message: typeof message === 'string' ? clean(message) : '',
  };
}

// ── The exchange ────────────────────────────────────────────────────────────

interface Answer {
  status: number;
  location: string | undefined;
  json: unknown;
}

async function call(ctx: Ctx, target: CoolifyTarget, method: string, path: string) {
  const url = apiUrl(target.baseUrl, path);
  const { timeoutMs, maxResponseBytes } = ctx.config.coolify;
  const signal = AbortSignal.timeout(timeoutMs);
  const where = `Coolify at ${url.host}`;
  try {
    const response = await guardedFetch(
      url,
      {
        method,
        headers: {
          authorization: `Bearer ${target.token}`,
          accept: 'application/json',
          'user-agent': 'Tasklane-Coolify/1',
        },
        signal,
      },
      coolifyPolicy(ctx),
    );
    const text = await readCapped(response.body, maxResponseBytes, signal);
    if (text === undefined)
      throw badGateway(`${where} answered more than ${maxResponseBytes} bytes`);
    let json: unknown;
    if (response.status >= 200 && response.status < 300) {
      try {
        json = JSON.parse(text);
      } catch {
        throw badGateway(`${where} answered ${response.status} with a body that is not JSON`);
      }
    } else json = parseOrNull(text);
    return {
      status: response.status,
      location: response.headers.location,
      json,
    } satisfies Answer;
  } catch (error) {
    throw error instanceof DomainError ? error : translate(error, where, timeoutMs, signal);
  }
}

/** A failed exchange as a bad_gateway DomainError saying why (never with the token). */
function translate(error: unknown, where: string, timeoutMs: number, signal: AbortSignal) {
  if (error instanceof DestinationRefused)
    return badGateway(
      `${where} is refused: ${error.message} (non-public addresses need TASKLANE_COOLIFY_ALLOW_PRIVATE=true or their network in TASKLANE_COOLIFY_ALLOW_NETWORKS)`,
    );
  if (error instanceof HostUnresolved)
    return badGateway(`${where} cannot be reached: ${error.message}`);
  if (signal.aborted) return badGateway(`${where} did not answer within ${timeoutMs} ms`);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return badGateway(`${where} cannot be reached${code ? ` (${code})` : ''}`);
}

/** Operators see every upstream failure in the log (the message never holds the token). */
async function warnOnFailure<T>(ctx: Ctx, target: CoolifyTarget, fn: () => Promise<T>) {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof DomainError && error.code === 'bad_gateway')
      ctx.log.warn({ coolify: host(target), source: target.source }, `coolify: ${error.message}`);
    throw error;
  }
}

function expectOk(target: CoolifyTarget, answer: Answer): void {
  const { status } = answer;
  if (status >= 200 && status < 300) return;
  const said = coolifyMessage(answer.json);
  if (status === 401 || status === 403) {
    const whose =
      target.source === 'user'
        ? 'the saved Coolify API token'
        : "the installation's Coolify API token (TASKLANE_COOLIFY_TOKEN)";
    throw badGateway(
      `Coolify refused ${whose} (HTTP ${status}${said}): check that it is valid, has the read and deploy permissions, and that the Coolify API is enabled`,
    );
  }
  if (status >= 300 && status < 400)
    throw badGateway(
      `Coolify at ${host(target)} answered a redirect (HTTP ${status}${answer.location ? ` to ${clean(answer.location)}` : ''}); redirects are not followed: check the base URL`,
    );
  throw badGateway(`Coolify at ${host(target)} answered HTTP ${status}${said}`);
}

/** Reads a body up to `max` bytes; undefined when it is longer (the stream is destroyed). */
async function readCapped(
  body: Readable,
  max: number,
  signal: AbortSignal,
): Promise<string | undefined> {
  const abort = () => body.destroy(signal.reason as Error);
  signal.addEventListener('abort', abort, { once: true });
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > max) {
        body.destroy();
        return undefined;
      }
      chunks.push(chunk);
    }
    if (signal.aborted) throw signal.reason;
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    signal.removeEventListener('abort', abort);
  }
}

// ── Coolify's JSON → ours ───────────────────────────────────────────────────

function toApplication(item: unknown): CoolifyApplication | undefined {
  if (!item || typeof item !== 'object') return undefined;
  const app = item as Record<string, unknown>;
  if (typeof app.uuid !== 'string' || app.uuid === '') return undefined;
  const created = typeof app.created_at === 'string' ? Date.parse(app.created_at) : Number.NaN;
  return {
    id: app.uuid,
    name: typeof app.name === 'string' ? app.name : '',
    status: typeof app.status === 'string' && app.status !== '' ? app.status : 'unknown',
    url: firstDomain(app.fqdn),
    createdAt: Number.isFinite(created) ? created : null,
  };
}

/** Coolify keeps an application's domains as one comma-separated `fqdn`. */
function firstDomain(fqdn: unknown): string {
  if (typeof fqdn !== 'string') return '';
  return (
    fqdn
      .split(',')
      .map((d) => d.trim())
      .find(Boolean) ?? ''
  );
}

function coolifyMessage(json: unknown): string {
  const message = (json as { message?: unknown } | null)?.message;
  return typeof message === 'string' && message.trim() ? `: ${clean(message)}` : '';
}

function parseOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Text from the instance, fit for a one-line message: no control characters, bounded. */
function clean(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point.
  const controls = /[\u0000-\u001f\u007f]+/g;
  return text.replace(controls, ' ').trim().slice(0, 300);
}

function host(target: CoolifyTarget): string {
  return new URL(target.baseUrl).host;
}

function badGateway(message: string): DomainError {
  return new DomainError('bad_gateway', message);
}
