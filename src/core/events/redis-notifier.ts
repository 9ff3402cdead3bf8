/**
 * Redis pub/sub, for fanning events out between replicas when TASKLANE_REDIS_URL is
 * set. Publishing happens after the transaction commits; subscribers that miss a
 * message (a dropped connection) can replay from the events table by sequence.
 */
import type { Redis } from 'ioredis';
import type { Ctx, Logger } from '../context.ts';
import type { NotificationHandler, Notifier } from './notifier.ts';

export class RedisNotifier implements Notifier {
  readonly name = 'redis' as const;
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #prefix: string;
  readonly #log: Logger;
  readonly #handlers = new Map<string, Set<NotificationHandler>>();

  constructor(publisher: Redis, prefix: string, log: Logger) {
    this.#publisher = publisher;
    // A connection in subscriber mode can do nothing else, so it is a separate one. It
    // queues commands while (re)connecting: a SUBSCRIBE must survive a Redis restart.
    this.#subscriber = publisher.duplicate({
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
    });
    this.#subscriber.on('error', (error) => log.warn({ err: error }, 'redis subscriber error'));
    this.#prefix = prefix;
    this.#log = log;
    this.#subscriber.on('message', (channel: string, payload: string) => {
      const name = channel.slice(this.#prefix.length);
      for (const handler of this.#handlers.get(name) ?? []) {
        try {
          handler(payload);
        } catch (error) {
          this.#log.warn({ err: error, channel: name }, 'notification handler failed');
        }
      }
    });
  }

  async notify(ctx: Ctx, channel: string, payload: string): Promise<void> {
    ctx.afterCommit(async () => {
      await this.#publisher.publish(this.#prefix + channel, payload);
    });
  }

  async listen(channel: string, handler: NotificationHandler): Promise<() => void> {
    let set = this.#handlers.get(channel);
    if (!set) {
      set = new Set();
      this.#handlers.set(channel, set);
      // Not awaited: with Redis down at start-up the SUBSCRIBE waits in the offline queue
      // and runs on connect; the server must come up regardless (/health reports it).
      this.#subscriber.subscribe(this.#prefix + channel).catch((error: unknown) => {
        this.#log.warn({ err: error, channel }, 'redis subscribe failed');
      });
    }
    set.add(handler);
    return () => set.delete(handler);
  }

  async close(): Promise<void> {
    this.#subscriber.disconnect();
  }
}
