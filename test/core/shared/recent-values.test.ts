/** RecentValues: one value per key per window, shared while in flight; failures not kept. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecentValues } from '../../../src/core/shared/recent-values.ts';

test('callers within the window share one value, even while it is being made', async () => {
  const values = new RecentValues<string, number>(60_000, 10);
  let made = 0;
  const make = async () => ++made;
  const all = await Promise.all(Array.from({ length: 100 }, () => values.get('a', make)));
  assert.ok(all.every((v) => v === 1));
  assert.equal(await values.get('b', make), 2, 'another key is made on its own');
  assert.equal(await values.get('a', make, 0), 3, 'a shorter window asks again');
});

test('a failure is not kept: the next caller makes the value again', async () => {
  const values = new RecentValues<string, number>(60_000, 10);
  await assert.rejects(values.get('a', async () => Promise.reject(new Error('down'))));
  assert.equal(await values.get('a', async () => 7), 7);
});

test('bounded: past maxKeys it starts over', async () => {
  const values = new RecentValues<number, number>(60_000, 3);
  for (let key = 0; key < 4; key++) await values.get(key, async () => key);
  // Key 0 was dropped when the fourth key came in.
  assert.equal(await values.get(0, async () => 100), 100);
});
