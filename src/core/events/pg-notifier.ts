/**
 * PostgreSQL LISTEN/NOTIFY. `pg_notify` runs inside the caller's transaction, so a
 * notification is sent exactly when the change it announces commits. One dedicated
 * connection listens; it reconnects with backoff and re-subscribes.
 */
import type pg from 'pg';
import type { Ctx, Logger } from '../context.ts';
import { pgNotify } from './events.repo.ts';
import type { NotificationHandler, Notifier } from './notifier.ts';

const MAX_PAYLOAD = 7900; // PostgreSQL's limit is 8000 bytes

export class PgNotifier implements Notifier {
  readonly name = 'postgres' as const;
  readonly #url: string;
  readonly #log: Logger;
  readonly #handlers = new Map<string, Set<NotificationHandler>>();
  #client: pg.Client | undefined;
  #connecting: Promise<void> | undefined;
  #closed = false;
  #retryMs = 100;

  constructor(url: string, log: Logger) {
    this.#url = url;
    this.#log = log;
  }

  async notify(ctx: Ctx, channel: string, payload: string): Promise<void> {
    if (Buffer.byteLength(payload) > MAX_PAYLOAD)
      throw new Error(`notification on ${channel} is too large`);
    await pgNotify(ctx, channel, payload);
  }

  async listen(channel: string, handler: NotificationHandler): Promise<() => void> {
    let set = this.#handlers.get(channel);
    if (!set) {
      set = new Set();
      this.#handlers.set(channel, set);
      await this.#ensureConnected();
      await this.#client?.query(`LISTEN ${quoteIdent(channel)}`);
    }
    set.add(handler);
    return () => set.delete(handler);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }

  #ensureConnected(): Promise<void> {
    if (this.#client) return Promise.resolve();
    this.#connecting ??= this.#connect().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #connect(): Promise<void> {
    const { default: pg } = await import('pg');
    const client = new pg.Client({
      connectionString: this.#url,
      application_name: 'tasklane-listen',
    });
    client.on('notification', (message) => {
      for (const handler of this.#handlers.get(message.channel) ?? []) {
        try {
          handler(message.payload ?? '');
        } catch (error) {
          this.#log.warn({ err: error, channel: message.channel }, 'notification handler failed');
        }
      }
    });
    client.on('error', (error) => {
      this.#log.warn({ err: error }, 'LISTEN connection lost; reconnecting');
      if (this.#client === client) this.#client = undefined;
      void client.end().catch(() => {});
      this.#scheduleReconnect();
    });
    await client.connect();
    this.#client = client;
    this.#retryMs = 100;
    for (const channel of this.#handlers.keys())
      await client.query(`LISTEN ${quoteIdent(channel)}`);
  }

  #scheduleReconnect(): void {
    if (this.#closed) return;
    const delay = this.#retryMs;
    this.#retryMs = Math.min(this.#retryMs * 2, 5000);
    setTimeout(() => {
      if (this.#closed) return;
      this.#ensureConnected().catch(() => this.#scheduleReconnect());
    }, delay).unref();
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
