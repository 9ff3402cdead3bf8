/**
 * Requests refused before any route runs are answered in the error shape of the surface
 * that owns the path, with a proper status line: Fastify's framework errors (a URL with
 * bad percent-encoding, a path segment past maxParamLength) and what Node's HTTP parser
 * rejects first (a request line or headers past maxHeaderSize, a malformed request
 * line). Raw sockets send what fetch would refuse to.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { assertErrorShape, type SurfaceShape } from '../helpers/error-shapes.ts';
import { client, type Response } from '../helpers/http.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(() => server.close());

/** Writes raw bytes and parses the one response the server sends before closing. */
function rawRequest(data: string): Promise<Response & { statusLine: string }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(Number(port), hostname, () => socket.write(data));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const split = raw.indexOf('\r\n\r\n');
      const [statusLine = '', ...lines] = raw.slice(0, split).split('\r\n');
      const headers = new Headers();
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
      }
      const text = raw.slice(split + 4);
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {}
      resolve({ statusLine, status: Number(statusLine.split(' ')[1]), headers, body, text });
    });
  });
}

const get = (path: string, headers = '') =>
  rawRequest(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n${headers}\r\n`);

function assertRefused(
  res: Response & { statusLine?: string },
  shape: SurfaceShape,
  status: number,
  context: string,
) {
  assert.equal(res.status, status, `${context}: ${res.statusLine ?? ''} ${res.text}`);
  assertErrorShape(shape, res, context);
  if (shape === 'autoserve')
    assert.equal(res.body.error.request_id, res.headers.get('x-request-id'), context);
}

test('bad percent-encoding in the URL: 400 in the owning surface shape', async () => {
  const api = client(server.url);
  const cases: [string, SurfaceShape][] = [
    ['/v1/tasks/tasks/%E0%A4%A', 'codeep'],
    ['/api/v1/tasks/%E0%A4%A', 'taskassistant'],
    ['/users/%E0%A4%A', 'autoserve'],
    ['/downloads/%E0%A4%A/x', 'autoserve'],
  ];
  for (const [path, shape] of cases) {
    const res = await api.get(path);
    assertRefused(res, shape, 400, path);
    assert.match(res.text, /Malformed URL/, path);
  }
});

test('a path segment past maxParamLength: 414 in the owning surface shape', async () => {
  const api = client(server.url);
  const id = 'x'.repeat(300);
  assertRefused(await api.get(`/v1/tasks/tasks/${id}`), 'codeep', 414, 'codeep');
  assertRefused(await api.get(`/api/v1/tasks/${id}`), 'taskassistant', 414, 'task assistant');
});

test("a URL past Node's header limit: 414 with a status line, in the owning surface shape", async () => {
  const long = `?q=${'a'.repeat(20_000)}`;
  const codeep = await get(`/v1/tasks/tasks${long}`);
  assert.equal(codeep.statusLine, 'HTTP/1.1 414 URI Too Long');
  assertRefused(codeep, 'codeep', 414, 'codeep');
  assertRefused(await get(`/api/v1/tasks${long}`), 'taskassistant', 414, 'task assistant');
  assertRefused(await get(`/health${long}`), 'autoserve', 414, 'root');
});

test('headers past the limit: 431 in the owning surface shape', async () => {
  const big = `X-Padding: ${'a'.repeat(20_000)}\r\n`;
  const ta = await get('/api/v1/tasks', big);
  assert.equal(ta.statusLine, 'HTTP/1.1 431 Request Header Fields Too Large');
  assertRefused(ta, 'taskassistant', 431, 'task assistant');
  assert.equal(ta.body.error_code, 'HEADERS_TOO_LARGE');
  assertRefused(await get('/v1/tasks/tasks', big), 'codeep', 431, 'codeep');
  assertRefused(await get('/users/me', big), 'autoserve', 431, 'autoserve');
  assert.equal(ta.headers.get('x-content-type-options'), 'nosniff');
});

test("a malformed request: 400 in the owner's shape, AutoServe's when no path can be read", async () => {
  const codeep = await rawRequest('GET /v1/tasks/ta sks HTTP/1.1\r\nHost: localhost\r\n\r\n');
  assert.equal(codeep.statusLine, 'HTTP/1.1 400 Bad Request');
  assertRefused(codeep, 'codeep', 400, 'codeep');
  const ta = await rawRequest('GET /api/v1/tasks HTTP/1.1\r\nBad Header\r\n\r\n');
  assertRefused(ta, 'taskassistant', 400, 'task assistant');
  assert.equal(ta.body.error_code, 'VALIDATION_ERROR');
  const garbage = await rawRequest('\x00\x01\x02 nonsense\r\n\r\n');
  assert.equal(garbage.statusLine, 'HTTP/1.1 400 Bad Request');
  assertRefused(garbage, 'autoserve', 400, 'garbage');
});

test('the server still answers after all that', async () => {
  const res = await client(server.url).get('/health');
  assert.equal(res.status, 200);
});
