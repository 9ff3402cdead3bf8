/** UUIDv7 ids: RFC 9562 layout, strictly increasing within a process, never repeated. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isUuid, uuidv7 } from '../../../src/core/shared/ids.ts';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('version 7, RFC variant, the timestamp in the first 48 bits', () => {
  const at = Date.UTC(2026, 11, 2, 3, 4, 5, 678);
  const id = uuidv7(at);
  assert.match(id, V7);
  assert.ok(isUuid(id));
  assert.equal(parseInt(id.replace(/-/g, '').slice(0, 12), 16), at);
});

test('100,000 ids in a burst (many per millisecond) are unique and sort in creation order', () => {
  const ids = Array.from({ length: 100_000 }, () => uuidv7());
  assert.equal(new Set(ids).size, ids.length);
  for (let i = 1; i < ids.length; i++)
    assert.ok(ids[i - 1]! < ids[i]!, `${ids[i - 1]} < ${ids[i]}`);
  // The random tail varies (it is not a zeroed or repeated pool).
  const tails = new Set(ids.map((id) => id.slice(-12)));
  assert.equal(tails.size, ids.length);
});
