/**
 * A stand-in for a Coolify v4 instance on 127.0.0.1, speaking the two endpoints Tasklane
 * calls as Coolify's API reference documents them: `GET /api/v1/applications` and
 * `GET|POST /api/v1/applications/{uuid}/start` (`{message, deployment_uuid}`, or 404
 * `{message: "Application not found."}`). Every request needs `Authorization: Bearer
 * <token>` (else 401 `{message: "Unauthenticated."}`, as Laravel Sanctum answers) and is
 * recorded. `answerWith` replaces every answer (a failure, a redirect, a huge or
 * non-JSON body, or none at all) until `reset`.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
}

export interface CannedAnswer {
  status?: number;
  headers?: Record<string, string>;
  /** Sent as is (a string) or as JSON. */
  body?: unknown;
  /** Never answer (the client's timeout is what ends the exchange). */
  hang?: boolean;
}

export interface CoolifyStandin {
  /** Base URL, e.g. http://127.0.0.1:43210 */
  url: string;
  port: number;
  token: string;
  /** Coolify's application objects, as its API lists them. */
  applications: Record<string, unknown>[];
  requests: RecordedRequest[];
  /** Deployment uuids handed out, by application uuid. */
  deployments: { applicationUuid: string; deploymentUuid: string; force: string }[];
  answerWith(answer: CannedAnswer): void;
  reset(): void;
  close(): Promise<void>;
}

/** A Coolify-style deployment uuid (a cuid2: 24 lower-case letters and digits). */
const cuid = () =>
  [...randomBytes(24)].map((b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('');

export async function startCoolifyStandin(options: {
  token: string;
  applications?: Record<string, unknown>[];
  host?: string;
}): Promise<CoolifyStandin> {
  let canned: CannedAnswer | undefined;
  const sockets = new Set<Socket>();
  const standin: CoolifyStandin = {
    url: '',
    port: 0,
    token: options.token,
    applications: options.applications ?? [],
    requests: [],
    deployments: [],
    answerWith(answer) {
      canned = answer;
    },
    reset() {
      canned = undefined;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://standin');
    standin.requests.push({
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: req.headers.authorization,
    });
    req.resume();
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(text);
    };
    if (canned) {
      if (canned.hang) return;
      return send(canned.status ?? 200, canned.body ?? '', canned.headers);
    }
    if (req.headers.authorization !== `Bearer ${standin.token}`)
      return send(401, { message: 'Unauthenticated.' });
    if (req.method === 'GET' && url.pathname === '/api/v1/applications')
      return send(200, standin.applications);
    const start = /^\/api\/v1\/applications\/([^/]+)\/start$/.exec(url.pathname);
    if (start && (req.method === 'GET' || req.method === 'POST')) {
      const uuid = decodeURIComponent(start[1]!);
      if (!standin.applications.some((app) => app.uuid === uuid))
        return send(404, { message: 'Application not found.' });
      const deploymentUuid = cuid();
      standin.deployments.push({
        applicationUuid: uuid,
        deploymentUuid,
        force: url.searchParams.get('force') ?? '',
      });
      return send(200, { message: 'Deployment request queued.', deployment_uuid: deploymentUuid });
    }
    send(404, { message: 'Not found.' });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.host ?? '127.0.0.1', () => resolve());
  });
  standin.port = (server.address() as AddressInfo).port;
  standin.url = `http://${options.host ?? '127.0.0.1'}:${standin.port}`;
  return standin;
}
