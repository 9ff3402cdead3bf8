/**
 * An event's JSON as one surface presents it, made once however many sockets push it.
 * The hub hands the same event object to every subscriber, so a thousand sockets of a
 * tenant share one presentation and one JSON.stringify (issue 15: it was one per
 * socket). `present` must be a module-level function: it is the memo's key.
 */
import type { StoredEvent } from '../core/events/events.types.ts';

type Presenter = (event: StoredEvent) => unknown;

const presented = new WeakMap<StoredEvent, Map<Presenter, string>>();

export function eventJson(event: StoredEvent, present: Presenter): string {
  let byPresenter = presented.get(event);
  if (!byPresenter) {
    byPresenter = new Map();
    presented.set(event, byPresenter);
  }
  let json = byPresenter.get(present);
  if (json === undefined) {
    json = JSON.stringify(present(event));
    byPresenter.set(present, json);
  }
  return json;
}
