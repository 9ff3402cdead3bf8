/**
 * An event's JSON as one surface presents it, made once however many sockets push it.
 * The hub hands the same event object to every subscriber, so a thousand sockets of a
 * tenant share one presentation, one JSON.stringify and one UTF-8 encoding (issue 15:
 * it was one of each per socket). The bytes go out as text frames (`TEXT_FRAME`): ws
 * sends a buffer as it is, where a string would be measured and encoded again for every
 * socket. Nobody may write to them. `present` must be a module-level function: it is the
 * memo's key.
 */
import type { StoredEvent } from '../core/events/events.types.ts';

type Presenter = (event: StoredEvent) => unknown;

const presented = new WeakMap<StoredEvent, Map<Presenter, Buffer>>();

/** ws send options for a UTF-8 JSON buffer: a text frame, not a binary one. */
export const TEXT_FRAME = { binary: false } as const;

export function eventBytes(event: StoredEvent, present: Presenter): Buffer {
  let byPresenter = presented.get(event);
  if (!byPresenter) {
    byPresenter = new Map();
    presented.set(event, byPresenter);
  }
  let bytes = byPresenter.get(present);
  if (bytes === undefined) {
    bytes = Buffer.from(JSON.stringify(present(event)));
    byPresenter.set(present, bytes);
  }
  return bytes;
}
