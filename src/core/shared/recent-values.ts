/**
 * One value per key, made at most once per window and shared by every caller in it,
 * while in flight or settled; a failure is not kept (the next caller tries again). For
 * answers that many callers ask for at the same moment and that may be a moment old:
 * a thousand sockets' greetings, ticks or credential re-checks. Windows are in real
 * time (performance.now), not the runtime's clock. Bounded: past `maxKeys` it starts over.
 */
export class RecentValues<K, V> {
  readonly #windowMs: number;
  readonly #maxKeys: number;
  readonly #entries = new Map<K, { at: number; value: Promise<V> }>();

  constructor(windowMs: number, maxKeys: number) {
    this.#windowMs = windowMs;
    this.#maxKeys = maxKeys;
  }

  /** The value made for `key` within the window (`windowMs` overrides it), else `make()`'s. */
  get(key: K, make: () => Promise<V>, windowMs = this.#windowMs): Promise<V> {
    const now = performance.now();
    const recent = this.#entries.get(key);
    if (recent && now - recent.at < windowMs) return recent.value;
    const value = make();
    value.catch(() => {
      if (this.#entries.get(key)?.value === value) this.#entries.delete(key);
    });
    if (this.#entries.size >= this.#maxKeys) this.#entries.clear();
    this.#entries.set(key, { at: now, value });
    return value;
  }
}
