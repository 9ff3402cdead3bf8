/**
 * The bad-input matrix every route gets: malformed JSON, wrong types, missing and extra
 * fields, an oversized body, a non-JSON content type, non-object JSON. Each must be a
 * 4xx in the surface's error shape, never a 5xx.
 */
import assert from 'node:assert/strict';
import { assertErrorShape, type SurfaceShape } from './error-shapes.ts';
import { request } from './http.ts';

export interface RouteUnderTest {
  shape: SurfaceShape;
  method: 'POST' | 'PUT' | 'PATCH';
  path: string;
  /** A body the route accepts (so each case changes exactly one thing). */
  valid: Record<string, unknown>;
  /** Fields that must be present. */
  required: string[];
  token?: string;
  headers?: Record<string, string>;
}

export async function checkBadInput(
  base: string,
  route: RouteUnderTest,
  bodyLimit: number,
): Promise<void> {
  const headers = { ...route.headers };
  const opts = { token: route.token, headers };
  const label = `${route.method} ${route.path}`;
  const send = (raw: string, contentType = 'application/json') =>
    request(base, route.method, route.path, undefined, { ...opts, raw, contentType });

  assertErrorShape(route.shape, await send('{"broken": '), `${label} malformed JSON`);
  assertErrorShape(route.shape, await send('[1,2,3]'), `${label} JSON array`);
  assertErrorShape(route.shape, await send('"just a string"'), `${label} JSON string`);
  assertErrorShape(route.shape, await send('null'), `${label} JSON null`);

  for (const field of Object.keys(route.valid)) {
    for (const wrong of wrongValuesFor(route.valid[field])) {
      const res = await send(JSON.stringify({ ...route.valid, [field]: wrong }));
      assertErrorShape(
        route.shape,
        res,
        `${label} wrong type for ${field}: ${JSON.stringify(wrong)}`,
      );
    }
  }
  for (const field of route.required) {
    const { [field]: _, ...rest } = route.valid;
    assertErrorShape(route.shape, await send(JSON.stringify(rest)), `${label} missing ${field}`);
  }
  assertErrorShape(
    route.shape,
    await send(JSON.stringify({ ...route.valid, unexpected_field: 'x' })),
    `${label} extra field`,
  );
  const oversized = await send(
    JSON.stringify({ ...route.valid, padding: 'x'.repeat(bodyLimit + 10) }),
  );
  assert.equal(oversized.status, 413, `${label} oversized body → ${oversized.status}`);
  assertErrorShape(route.shape, oversized, `${label} oversized`);
  const plain = await send(JSON.stringify(route.valid), 'text/plain');
  assert.equal(plain.status, 415, `${label} text/plain → ${plain.status}`);
  assertErrorShape(route.shape, plain, `${label} text/plain`);
  assertErrorShape(
    route.shape,
    await send('a=1&b=2', 'application/x-www-form-urlencoded'),
    `${label} form body`,
  );
}

function wrongValuesFor(value: unknown): unknown[] {
  if (typeof value === 'string') return [12345, true, { nested: 1 }, ['a']];
  if (typeof value === 'number') return ['not-a-number', true, { n: 1 }];
  if (typeof value === 'boolean') return ['yes', 1];
  if (Array.isArray(value)) return ['not-an-array', 7, [{ deep: { er: 1 } }]];
  if (value && typeof value === 'object') return ['not-an-object', 3, [1]];
  return [];
}
