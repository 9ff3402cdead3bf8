/**
 * Unprivileged uids for sandboxes when the server runs as root: one per concurrent run,
 * so the process-count limit (RLIMIT_NPROC counts per uid) applies to each run alone,
 * and runs cannot signal or read one another.
 */
export class UidPool {
  readonly #free: number[] = [];
  readonly #waiters: ((uid: number) => void)[] = [];

  constructor(base: number, size: number) {
    for (let i = 0; i < size; i++) this.#free.push(base + i);
  }

  acquire(): Promise<number> {
    const uid = this.#free.shift();
    if (uid !== undefined) return Promise.resolve(uid);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  release(uid: number): void {
    const next = this.#waiters.shift();
    if (next) next(uid);
    else this.#free.push(uid);
  }
}
