/**
 * Writes a fetched commit's files into the clone's directory. Done here rather than by
 * the git library's checkout so that every limit stops it at once and quietly (the
 * library settles every file write before reporting, and logs each failure to the
 * console): one entry at a time, names checked (no `.`, `..`, `.git`, separators),
 * directories made by this walk only (so a committed symlink is never written through),
 * files created with O_EXCL | O_NOFOLLOW, links written as links and never followed.
 */
import nodeFs, { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { CloneFailed } from './clone-errors.ts';
import type { ByteBudget } from './clone-fs.ts';

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = constants;

export interface CheckoutLimits {
  signal: AbortSignal;
  budget: ByteBudget;
  maxFiles: number;
}

/** Checks out `commit` (already fetched into `dir`/.git) into `dir`. */
export async function checkoutCommit(
  dir: string,
  commit: string,
  cache: object,
  limits: CheckoutLimits,
): Promise<void> {
  const { default: git } = await import('isomorphic-git');
  let files = 0;
  const stack: { oid: string; at: string }[] = [{ oid: commit, at: dir }];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const { tree } = await git.readTree({ fs: nodeFs, dir, oid: next.oid, cache });
    for (const entry of tree) {
      limits.signal.throwIfAborted();
      checkName(entry.path);
      const target = path.join(next.at, entry.path);
      if (entry.type === 'tree') {
        await fs.mkdir(target, { mode: 0o755 });
        stack.push({ oid: entry.oid, at: target });
        continue;
      }
      if (++files > limits.maxFiles)
        throw new CloneFailed(
          'too_many_files',
          `the repository has more than ${limits.maxFiles} files (TASKLANE_GIT_MAX_FILES); the clone was stopped`,
        );
      // A submodule is an empty directory, as git leaves it without --recurse-submodules.
      if (entry.type === 'commit') {
        await fs.mkdir(target, { mode: 0o755 });
        continue;
      }
      const { blob } = await git.readBlob({ fs: nodeFs, dir, oid: entry.oid, cache });
      limits.budget.add(blob.byteLength);
      if (entry.mode === '120000') await fs.symlink(Buffer.from(blob).toString('utf8'), target);
      else await writeNew(target, blob, entry.mode === '100755' ? 0o755 : 0o644);
    }
  }
}

/** A tree entry name git itself would refuse to check out is refused here too. */
function checkName(name: string): void {
  if (
    name === '' ||
    name === '.' ||
    name === '..' ||
    name.toLowerCase() === '.git' ||
    /[/\\\0]/.test(name)
  )
    throw new CloneFailed(
      'refused',
      `the repository contains an unsafe path name ${JSON.stringify(name.slice(0, 100))}`,
    );
}

async function writeNew(file: string, data: Uint8Array, mode: number): Promise<void> {
  const handle = await fs.open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
  try {
    await handle.writeFile(data);
  } finally {
    await handle.close();
  }
}
