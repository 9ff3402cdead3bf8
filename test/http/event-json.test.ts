/** eventJson: one presentation and one JSON per event and presenter, shared by every socket. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StoredEvent } from '../../src/core/events/events.types.ts';
import { eventJson } from '../../src/http/event-json.ts';

function event(seq: number): StoredEvent {
  return {
    seq,
    id: `e${seq}`,
    type: 'task.updated',
    tenantId: 't',
    userId: 1,
    subjectId: 's',
    subjectSeq: seq,
    payload: { status: 'queued' },
    createdAt: 0,
  };
}

test('a thousand sockets pushing one event present it once per presenter', () => {
  let calls = 0;
  const present = (e: StoredEvent) => {
    calls++;
    return { type: 'x', seq: e.seq };
  };
  const other = (e: StoredEvent) => ({ type: 'y', seq: e.seq });
  const first = event(1);
  const sent = Array.from({ length: 1000 }, () => eventJson(first, present));
  assert.equal(calls, 1);
  assert.ok(sent.every((json) => json === '{"type":"x","seq":1}'));
  assert.equal(eventJson(first, other), '{"type":"y","seq":1}');
  // Another event (even an equal one) is presented afresh.
  assert.equal(eventJson(event(2), present), '{"type":"x","seq":2}');
  assert.equal(calls, 2);
});
