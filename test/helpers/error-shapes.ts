/** Assertions that an error body has exactly the shape its spec documents. */
import assert from 'node:assert/strict';
import type { Response } from './http.ts';

export type SurfaceShape = 'codeep' | 'autoserve' | 'taskassistant' | 'codeguide' | 'cmbcluster';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

export function assertErrorShape(shape: SurfaceShape, res: Response, context = ''): void {
  const where = `${context} → ${res.status} ${res.text.slice(0, 300)}`;
  assert.ok(res.status >= 400 && res.status < 500, `expected a 4xx ${where}`);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/, where);
  const body = res.body as Record<string, any>;
  switch (shape) {
    case 'codeep':
      assert.equal(typeof body.msg, 'string', where);
      assert.ok('error' in body, where);
      break;
    case 'autoserve':
      assert.equal(typeof body.error, 'object', where);
      assert.match(body.error.code, /^[A-Z_]+$/, where);
      assert.equal(typeof body.error.message, 'string', where);
      assert.match(body.error.timestamp, ISO, where);
      assert.equal(typeof body.error.request_id, 'string', where);
      assert.ok('details' in body.error, where);
      break;
    case 'taskassistant':
    case 'cmbcluster':
      if (res.status === 422) {
        assert.ok(Array.isArray(body.detail), where);
        for (const item of body.detail) {
          assert.ok(Array.isArray(item.loc), where);
          assert.equal(typeof item.msg, 'string', where);
          assert.equal(typeof item.type, 'string', where);
        }
      } else {
        assert.equal(typeof body.detail, 'string', where);
        assert.match(body.error_code, /^[A-Z_]+$/, where);
        assert.match(body.timestamp, ISO, where);
      }
      break;
    case 'codeguide':
      assert.ok('detail' in body, where);
      break;
  }
}
