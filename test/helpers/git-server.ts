/**
 * A real git server for tests: repositories made with the `git` CLI in a temp dir,
 * served over smart HTTP by `git http-backend` (CGI) behind a small node HTTP server on
 * 127.0.0.1 (or another loopback address). It can also answer with redirects, stall, or
 * record what it was asked, so clones through the SSRF guard can be tested end to end.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { makeTempDir } from './db.ts';

/** A file's content, or a symlink to `target` (committed as a link, never followed). */
export type RepoFile = string | Buffer | { symlink: string };

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  HOME: '/nonexistent',
};

function gitCli(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    env: { ...process.env, ...GIT_ENV },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export interface GitServer {
  /** http://127.0.0.1:<port> */
  url: string;
  /** Repositories live here, as `<name>.git` (bare). */
  root: string;
  /** Every request: method and path with query. */
  requests: { method: string; path: string }[];
  /** The clone URL of a repository made with createRepository. */
  repoUrl(name: string): string;
  /**
   * Makes a bare repository `<name>.git` with one commit on `main` holding `files`
   * (paths with `/` make directories). Returns its clone URL.
   */
  createRepository(name: string, files: Record<string, RepoFile>): string;
  /** When set, a request whose path this maps to a URL is answered 302 to that URL. */
  redirect: ((pathWithQuery: string) => string | undefined) | undefined;
  /** When set, requests wait this long before an answer (the timeout). */
  stallMs: number;
  close(): Promise<void>;
}

export async function startGitServer(options: { host?: string } = {}): Promise<GitServer> {
  const root = makeTempDir('tasklane-git-');
  const requests: GitServer['requests'] = [];
  const state = {
    redirect: undefined as GitServer['redirect'],
    stallMs: 0,
  };
  const server = http.createServer((req, res) => {
    const pathWithQuery = req.url ?? '/';
    requests.push({ method: req.method ?? 'GET', path: pathWithQuery });
    const answer = () => {
      const target = state.redirect?.(pathWithQuery);
      if (target) {
        req.resume();
        res.writeHead(302, { location: target }).end();
        return;
      }
      serveCgi(root, req, res);
    };
    if (state.stallMs > 0) {
      const timer = setTimeout(answer, state.stallMs);
      res.once('close', () => clearTimeout(timer));
    } else answer();
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;
  return {
    url,
    root,
    requests,
    repoUrl: (name) => `${url}/${name}.git`,
    createRepository(name, files) {
      const work = makeTempDir('tasklane-git-work-');
      gitCli(work, 'init', '-q', '-b', 'main');
      for (const [file, content] of Object.entries(files)) {
        const target = path.join(work, file);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        if (typeof content === 'object' && !Buffer.isBuffer(content))
          fs.symlinkSync(content.symlink, target);
        else fs.writeFileSync(target, content);
      }
      gitCli(work, 'add', '-A');
      gitCli(work, 'commit', '-q', '-m', 'initial');
      gitCli(root, 'clone', '-q', '--bare', work, `${name}.git`);
      fs.rmSync(work, { recursive: true, force: true });
      return `${url}/${name}.git`;
    },
    get redirect() {
      return state.redirect;
    },
    set redirect(fn) {
      state.redirect = fn;
    },
    get stallMs() {
      return state.stallMs;
    },
    set stallMs(ms) {
      state.stallMs = ms;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Runs `git http-backend` for one request (CGI/1.1) and relays its answer. */
function serveCgi(root: string, req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://git.test');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    GIT_CONFIG_NOSYSTEM: '1',
    HOME: '/nonexistent',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    REQUEST_METHOD: req.method ?? 'GET',
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    SERVER_PROTOCOL: 'HTTP/1.1',
    GATEWAY_INTERFACE: 'CGI/1.1',
  };
  if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length'];
  if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = req.headers['content-encoding'];
  if (req.headers['git-protocol']) env.GIT_PROTOCOL = String(req.headers['git-protocol']);
  const cgi = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  req.pipe(cgi.stdin);
  cgi.stdin.on('error', () => {});
  let head = Buffer.alloc(0);
  let headersSent = false;
  cgi.stdout.on('data', (chunk: Buffer) => {
    if (headersSent) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const text = head.toString('latin1');
    const end = text.search(/\r?\n\r?\n/);
    if (end < 0) return;
    const separator = /\r?\n\r?\n/.exec(text.slice(end))![0].length;
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of text.slice(0, end).split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'status') status = Number.parseInt(value, 10) || 200;
      else headers[name] = value;
    }
    res.writeHead(status, headers);
    headersSent = true;
    res.write(head.subarray(end + separator));
  });
  cgi.on('close', () => {
    if (!headersSent) res.writeHead(502).end('http-backend gave no answer');
    else res.end();
  });
  res.once('close', () => cgi.kill());
}
