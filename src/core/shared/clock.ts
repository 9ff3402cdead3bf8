/** Time comes through a Clock so tests can put events on chosen days. */
export interface Clock {
  /** Epoch milliseconds, UTC. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  #now: number;
  constructor(start: number | string | Date = Date.now()) {
    this.#now = new Date(start).getTime();
  }
  now(): number {
    return this.#now;
  }
  set(time: number | string | Date): void {
    this.#now = new Date(time).getTime();
  }
  advance(ms: number): void {
    this.#now += ms;
  }
}

/** ISO 8601 with Z, as every surface puts times on the wire. */
export function isoTime(ms: number): string;
export function isoTime(ms: number | null | undefined): string | null;
export function isoTime(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

export const DAY_MS = 86_400_000;

/** The UTC day number of a time (days since the epoch): ledger and quota rows are per day. */
export const utcDay = (ms: number) => Math.floor(ms / DAY_MS);
