/**
 * The warm pool: workspaces with a sandbox already started in them (bubblewrap up,
 * cgroup joined, uid dropped; sandbox/warm-sandbox.ts), kept per profile (language,
 * memory size, network policy) as TASKLANE_SANDBOX_WARM_POOL says. A run that fits its
 * workspace's warm sandbox skips the sandbox's start; the pool refills in the background.
 *
 * Each warm workspace is made for nobody: it is handed to one task and removed with it,
 * so nothing (files, uid, processes) passes from one run, or one tenant, to another.
 * A profile starts filling the first time a run asks for it, so a server that runs no
 * code holds no sandboxes; a profile whose start fails is left alone for a while.
 */
import type { WarmPoolEntry } from '../../config/warm-pool.ts';
import type { Logger } from '../context.ts';
import { type WarmProfile, warmProfileKey } from './warm-profile.ts';
import type { Workspace } from './workspace.ts';

/** After a failed start, a profile waits this long before trying again. */
const RETRY_AFTER_MS = 30_000;

interface Slot {
  entry: WarmPoolEntry;
  ready: Workspace[];
  starting: number;
  /** A run has asked for this profile: keep it filled. */
  wanted: boolean;
  retryAt: number;
}

export class WarmPool {
  readonly #slots = new Map<string, Slot>();
  readonly #start: (profile: WarmProfile) => Promise<Workspace | undefined>;
  readonly #log: Logger;
  /** The starts under way (what settled() and close() wait for). */
  readonly #starting = new Set<Promise<unknown>>();
  #closed = false;

  /** `start` makes a workspace with a warm sandbox in it (undefined: this profile cannot be). */
  constructor(
    entries: WarmPoolEntry[],
    start: (profile: WarmProfile) => Promise<Workspace | undefined>,
    log: Logger,
  ) {
    for (const entry of entries)
      this.#slots.set(warmProfileKey(entry), {
        entry,
        ready: [],
        starting: 0,
        wanted: false,
        retryAt: 0,
      });
    this.#start = start;
    this.#log = log;
  }

  /** A ready workspace for `profile`, if one is waiting; either way the profile is (re)filled. */
  take(profile: WarmProfile): Workspace | undefined {
    const slot = this.#slots.get(warmProfileKey(profile));
    if (!slot || this.#closed) return undefined;
    slot.wanted = true;
    let found: Workspace | undefined;
    while (!found && slot.ready.length > 0) {
      const workspace = slot.ready.shift()!;
      if (workspace.warm) found = workspace;
      else void workspace.remove(); // its stub died (killed from outside): never handed out
    }
    this.#fill(slot);
    return found;
  }

  /** Resolves once every wanted profile is full (or has failed); for benchmarks and tests. */
  async settled(): Promise<void> {
    while (this.#starting.size > 0) await Promise.allSettled(this.#starting);
  }

  /** How many are ready per profile (`python`, `bash+net@1024`…). */
  stats(): Record<string, number> {
    return Object.fromEntries(
      [...this.#slots.values()].map((slot) => [describe(slot.entry), slot.ready.length]),
    );
  }

  /**
   * Stops refilling, lets the starts under way finish (each is then removed at once) and
   * removes every waiting workspace (their stubs are killed).
   */
  async close(): Promise<void> {
    this.#closed = true;
    await this.settled();
    const waiting = [...this.#slots.values()].flatMap((slot) => slot.ready.splice(0));
    await Promise.allSettled(waiting.map((workspace) => workspace.remove()));
  }

  #fill(slot: Slot): void {
    if (this.#closed || !slot.wanted || Date.now() < slot.retryAt) return;
    const missing = slot.entry.count - slot.ready.length - slot.starting;
    for (let i = 0; i < missing; i++) {
      slot.starting++;
      const started = this.#start(slot.entry).then(
        (workspace) => {
          slot.starting--;
          if (!workspace) {
            slot.retryAt = Number.POSITIVE_INFINITY; // the runtime is not installed
            return;
          }
          // Started while closing: removed here, and close() waits for the removal too.
          if (this.#closed)
            return workspace.remove().catch((error: unknown) => {
              this.#log.warn({ err: error }, 'warm pool: could not remove a warm workspace');
            });
          slot.ready.push(workspace);
        },
        (error: unknown) => {
          slot.starting--;
          if (slot.retryAt <= Date.now())
            this.#log.warn(
              { err: error, profile: describe(slot.entry) },
              'warm pool: could not start a sandbox; runs start cold for a while',
            );
          slot.retryAt = Date.now() + RETRY_AFTER_MS;
        },
      );
      this.#starting.add(started);
      void started.finally(() => this.#starting.delete(started));
    }
  }
}

function describe(entry: WarmPoolEntry): string {
  return `${entry.language}${entry.network ? '+net' : ''}@${entry.memoryMb}`;
}
