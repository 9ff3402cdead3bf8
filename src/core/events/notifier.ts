/**
 * Cross-process signals: "an event was recorded", "a job is ready", "cancel that job".
 * Three implementations behind one interface: in-process (embedded), PostgreSQL
 * LISTEN/NOTIFY, and Redis pub/sub. A notification sent inside a transaction is
 * delivered only if the transaction commits.
 */
import type { Ctx } from '../context.ts';

export type NotificationHandler = (payload: string) => void;

export interface Notifier {
  readonly name: 'local' | 'postgres' | 'redis';
  /** Sends after the caller's transaction commits (or at once outside one). */
  notify(ctx: Ctx, channel: string, payload: string): Promise<void>;
  /** Delivers every notification on the channel, from this and other processes. */
  listen(channel: string, handler: NotificationHandler): Promise<() => void>;
  close(): Promise<void>;
}

/** In-process delivery for the embedded mode: one process, no services. */
export class LocalNotifier implements Notifier {
  readonly name = 'local' as const;
  readonly #handlers = new Map<string, Set<NotificationHandler>>();

  async notify(ctx: Ctx, channel: string, payload: string): Promise<void> {
    ctx.afterCommit(() => this.deliver(channel, payload));
  }

  deliver(channel: string, payload: string): void {
    for (const handler of this.#handlers.get(channel) ?? []) {
      try {
        handler(payload);
      } catch {
        // A failing subscriber must not stop the others.
      }
    }
  }

  async listen(channel: string, handler: NotificationHandler): Promise<() => void> {
    let set = this.#handlers.get(channel);
    if (!set) {
      set = new Set();
      this.#handlers.set(channel, set);
    }
    set.add(handler);
    return () => set.delete(handler);
  }

  async close(): Promise<void> {
    this.#handlers.clear();
  }
}
