/**
 * The file system the git library fetches a clone through: node's, confined to the
 * clone's directory (any path outside it is refused), stopped by the clone's signal
 * (timeout, size limit, cancellation) at the next call, and charging what it writes to
 * the clone's byte budget (TASKLANE_GIT_MAX_CHECKOUT_BYTES), which checkout.ts charges
 * for the files it writes too.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { CloneFailed } from './clone-errors.ts';

/** Bytes written by one clone, against its limit; past it the clone is stopped. */
export class ByteBudget {
  #used = 0;
  readonly #max: number;
  readonly #stop: (error: CloneFailed) => void;

  constructor(max: number, stop: (error: CloneFailed) => void) {
    this.#max = max;
    this.#stop = stop;
  }

  add(bytes: number): void {
    this.#used += bytes;
    if (this.#used <= this.#max) return;
    const error = new CloneFailed(
      'too_large',
      `the checked-out repository is larger than ${this.#max} bytes on disk (TASKLANE_GIT_MAX_CHECKOUT_BYTES); the clone was stopped`,
    );
    this.#stop(error);
    throw error;
  }
}

type Data = string | Uint8Array;

export function cloneFs(dir: string, signal: AbortSignal, budget: ByteBudget) {
  const root = path.resolve(dir);

  /** The path, if it is inside the clone and the clone is still running. */
  const checked = (target: unknown, live = true): string => {
    if (live && signal.aborted) throw signal.reason;
    const resolved = path.resolve(String(target));
    if (resolved !== root && !resolved.startsWith(`${root}${path.sep}`))
      throw Object.assign(new Error('path outside the clone'), { code: 'EACCES' });
    return resolved;
  };

  // Every method is async: the library tells a promise fs from a callback one by
  // whether readFile() returns a promise, even when called with nothing.
  const promises = {
    async readFile(file: string, options?: Parameters<typeof fs.readFile>[1]) {
      return fs.readFile(checked(file), options ?? null);
    },
    async writeFile(file: string, data: Data, options?: Parameters<typeof fs.writeFile>[2]) {
      const target = checked(file);
      budget.add(typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength);
      await fs.writeFile(target, data, options);
    },
    async mkdir(dirPath: string, options?: Parameters<typeof fs.mkdir>[1]) {
      return fs.mkdir(checked(dirPath), options);
    },
    async symlink(target: string, file: string) {
      const link = checked(file);
      budget.add(Buffer.byteLength(target));
      await fs.symlink(target, link);
    },
    async stat(file: string) {
      return fs.stat(checked(file));
    },
    async lstat(file: string) {
      return fs.lstat(checked(file));
    },
    async readdir(dirPath: string) {
      return fs.readdir(checked(dirPath));
    },
    async readlink(file: string) {
      return fs.readlink(checked(file));
    },
    // Removing is always allowed (the library cleans up after a failed clone).
    async unlink(file: string) {
      return fs.unlink(checked(file, false));
    },
    async rmdir(dirPath: string, options?: Parameters<typeof fs.rmdir>[1]) {
      return fs.rmdir(checked(dirPath, false), options);
    },
    async rm(file: string, options?: Parameters<typeof fs.rm>[1]) {
      return fs.rm(checked(file, false), options);
    },
  };
  return { promises };
}
