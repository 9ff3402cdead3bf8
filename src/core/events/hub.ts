/**
 * The subscriber API: WebSocket, SSE and in-process consumers subscribe with a filter
 * and receive every matching event, from this process or any other, in order per
 * subject.
 */
import { type Ctx, createContext, type Runtime, systemActor } from '../context.ts';
import { findEventBySeq } from './events.repo.ts';
import { EVENTS_CHANNEL, type EventFilter, type StoredEvent } from './events.types.ts';

export type EventListener = (event: StoredEvent) => void;

interface Subscription {
  filter: EventFilter;
  listener: EventListener;
}

export class EventHub {
  readonly #subscriptions = new Set<Subscription>();
  #runtime: Runtime | undefined;
  #stop: (() => void) | undefined;
  // Messages are handled one at a time so a by-reference event (fetched from the db)
  // cannot be overtaken by the next one: order per subject is kept.
  #chain: Promise<void> = Promise.resolve();

  /** Starts listening on the events channel (idempotent). */
  async start(runtime: Runtime): Promise<void> {
    if (this.#stop) return;
    this.#runtime = runtime;
    this.#stop = await runtime.eventNotifier.listen(EVENTS_CHANNEL, (message) => {
      this.#chain = this.#chain.then(() => this.#receive(message)).catch(() => {});
    });
  }

  subscribe(filter: EventFilter, listener: EventListener): () => void {
    const subscription = { filter, listener };
    this.#subscriptions.add(subscription);
    return () => this.#subscriptions.delete(subscription);
  }

  /** Resolves with the first matching event (tests, and callers that wait for one outcome). */
  waitFor(
    filter: EventFilter,
    predicate: (e: StoredEvent) => boolean = () => true,
    timeoutMs = 30_000,
  ): Promise<StoredEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        unsubscribe();
        reject(new Error(`no matching event within ${timeoutMs} ms`));
      }, timeoutMs);
      const unsubscribe = this.subscribe(filter, (event) => {
        if (!predicate(event)) return;
        clearTimeout(timer);
        unsubscribe();
        resolve(event);
      });
    });
  }

  close(): void {
    this.#stop?.();
    this.#stop = undefined;
    this.#subscriptions.clear();
  }

  async #receive(message: string): Promise<void> {
    let event: StoredEvent & { ref?: boolean };
    try {
      event = JSON.parse(message);
    } catch {
      return;
    }
    if (this.#subscriptions.size === 0) return;
    if (event.ref && this.#runtime) {
      const ctx: Ctx = createContext(this.#runtime, systemActor);
      const full = await findEventBySeq(ctx, event.seq);
      if (!full) return;
      event = full;
    }
    for (const { filter, listener } of this.#subscriptions) {
      if (!matches(filter, event)) continue;
      try {
        listener(event);
      } catch {
        // One subscriber's failure is its own.
      }
    }
  }
}

export function matches(filter: EventFilter, event: StoredEvent): boolean {
  if (filter.tenantId !== undefined && event.tenantId !== filter.tenantId) return false;
  if (filter.userId !== undefined && event.userId !== filter.userId) return false;
  if (filter.subjectId !== undefined && event.subjectId !== filter.subjectId) return false;
  if (
    filter.types &&
    !filter.types.some((t) => (t.endsWith('.') ? event.type.startsWith(t) : event.type === t))
  ) {
    return false;
  }
  return true;
}
