/** eventBytes: one presentation, one JSON and one encoding per event and presenter, shared by every socket. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StoredEvent } from '../../src/core/events/events.types.ts';
import { eventBytes } from '../../src/http/event-bytes.ts';

function event(seq: number): StoredEvent {
  return {
    seq,
    id: `e${seq}`,
    type: 'task.updated',
    tenantId: 't',
    userId: 1,
    subjectId: 's',
    subjectSeq: seq,
    payload: { status: 'queued', title: 'é ✓' },
    createdAt: 0,
  };
}

test('a thousand sockets pushing one event present and encode it once per presenter', () => {
  let calls = 0;
  const present = (e: StoredEvent) => {
    calls++;
    return { type: 'x', seq: e.seq, title: e.payload.title };
  };
  const other = (e: StoredEvent) => ({ type: 'y', seq: e.seq });
  const first = event(1);
  const sent = Array.from({ length: 1000 }, () => eventBytes(first, present));
  assert.equal(calls, 1);
  assert.ok(
    sent.every((bytes) => bytes === sent[0]),
    'one buffer for every socket',
  );
  assert.equal(sent[0]!.toString('utf8'), '{"type":"x","seq":1,"title":"é ✓"}', 'UTF-8 JSON');
  assert.equal(eventBytes(first, other).toString(), '{"type":"y","seq":1}');
  // Another event (even an equal one) is presented afresh.
  assert.equal(eventBytes(event(2), present).toString(), '{"type":"x","seq":2,"title":"é ✓"}');
  assert.equal(calls, 2);
});
