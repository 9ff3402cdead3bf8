/**
 * Every GET route of every surface whose query string has numbers (limit, offset, page,
 * per_page, days, expires…) gets hostile values for each of them: huge (1e308, past
 * int64, Infinity), negative, fractional, not a number. Each must be a 4xx in the
 * owning surface's error shape that names the parameter, never a 500 (an offset of 1e308
 * is an integer to JSON Schema and an overflow to the database). The routes are the
 * app's own registered routes, so a list route added later is walked too.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ownerOfPath } from '../../src/http/surface.ts';
import { assertErrorShape, type SurfaceShape } from '../helpers/error-shapes.ts';
import { type Client, client } from '../helpers/http.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createUser, type TestUser } from '../helpers/users.ts';

let server: TestServer;
let api: Client;
let user: TestUser;
before(async () => {
  server = await startServer();
  api = client(server.url);
  user = await createUser(api, 'bounds');
});
after(() => server.close());

const HOSTILE = [
  '1e308',
  '-1e308',
  '1e9999',
  'Infinity',
  '99999999999999999999',
  '9007199254740993',
  '-1',
  '1.5',
  'NaN',
  'abc',
];

/** A well-formed id for path parameters: the query is checked before any lookup. */
const SOME_ID = '01890000-0000-7000-8000-000000000000';

interface NumericRoute {
  url: string;
  path: string;
  params: string[];
  /** Parameters that take fractions (`number`): 1.5 is a fair value for them. */
  fractional: string[];
  /** Other required query parameters, with an acceptable value, so the hostile one is what fails. */
  required: Record<string, string>;
  shape: SurfaceShape;
}

function numericQueryRoutes(): NumericRoute[] {
  const found: NumericRoute[] = [];
  for (const route of server.built.routes) {
    const methods = [route.method].flat();
    const query = route.schema?.querystring as
      | { properties?: Record<string, { type?: string }>; required?: string[] }
      | undefined;
    if (!methods.includes('GET') || !query?.properties) continue;
    const params = Object.entries(query.properties)
      .filter(([, schema]) => schema.type === 'integer' || schema.type === 'number')
      .map(([name]) => name);
    if (params.length === 0) continue;
    const fractional = params.filter((name) => query.properties?.[name]?.type === 'number');
    const path = route.url.replace(/:[A-Za-z_]+/g, SOME_ID);
    const owner = ownerOfPath(path, server.built.surfaces);
    const required = Object.fromEntries(
      (query.required ?? []).map((name) => {
        const type = query.properties?.[name]?.type;
        return [name, type === 'integer' || type === 'number' ? '1' : 'x'];
      }),
    );
    found.push({
      url: route.url,
      path,
      params,
      fractional,
      required,
      shape: owner?.name ?? 'autoserve',
    });
  }
  return found;
}

test('the walk covers the list routes of every surface and the download links', () => {
  const urls = numericQueryRoutes().map((r) => r.url);
  for (const expected of [
    '/v1/tasks/tasks',
    '/v1/dashboard/tasks/history',
    '/v1/dashboard/usage',
    '/api/v1/tasks',
    '/api/v1/agents',
    '/api/v1/webhooks',
    '/downloads/:id/:name',
  ])
    assert.ok(urls.includes(expected), `${expected} in ${urls.join(', ')}`);
});

test('hostile numbers in every numeric query parameter: a 4xx in the surface shape naming it', async () => {
  for (const route of numericQueryRoutes()) {
    for (const param of route.params) {
      for (const value of HOSTILE) {
        if (value === '1.5' && route.fractional.includes(param)) continue;
        const query = new URLSearchParams({ ...route.required, [param]: value });
        const target = `${route.path}?${query}`;
        const res = await api.get(target, { token: user.token });
        assertErrorShape(route.shape, res, `GET ${target}`);
        assert.ok(res.text.includes(param), `GET ${target} names ${param}: ${res.text}`);
      }
    }
  }
  assert.ok(!server.logs.some((line) => line.includes('"level":50')), 'no error was logged');
});

test('the largest accepted offset and page still answer 200 on both databases', async () => {
  const t = { token: user.token };
  const list = await api.get('/v1/tasks/tasks?offset=1000000000&limit=1000', t);
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.body.tasks, []);
  const ta = await api.get('/api/v1/tasks?offset=1000000000&limit=100', t);
  assert.equal(ta.status, 200, ta.text);
  assert.equal(ta.body.offset, 1_000_000_000);
  const history = await api.get('/v1/dashboard/tasks/history?page=10000001&per_page=100', t);
  assert.equal(history.status, 200, history.text);
  assert.equal(history.body.pagination.page, 10_000_001);
  // Past the bounds: one more is refused, not sent to the database.
  assert.equal((await api.get('/v1/tasks/tasks?offset=1000000001', t)).status, 400);
  assert.equal((await api.get('/v1/dashboard/tasks/history?page=10000002', t)).status, 400);
  // A page size past the spec's 100 is still capped, as docs/surfaces/codeep.md says.
  const capped = await api.get('/v1/dashboard/tasks/history?per_page=5000', t);
  assert.equal(capped.body.pagination.per_page, 100);
});
