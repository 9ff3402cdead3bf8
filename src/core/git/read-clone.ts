/**
 * Reading a clone that no program has run in (docs/security.md, "The rule for
 * workspaces"): its files were written by the server, yet a repository may commit
 * symlinks pointing anywhere. So links are listed but never followed (entries come from
 * readdir's file types and lstat, never stat), only regular files are opened (with
 * O_NOFOLLOW | O_NONBLOCK, checked again on the open handle), FIFOs and devices are never
 * opened, `.git` is not walked, and at most `maxEntries` entries are listed.
 */
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

export type CloneEntryKind = 'file' | 'directory' | 'symlink' | 'other';

export interface CloneEntry {
  /** Relative to the clone's root, with `/` separators. */
  path: string;
  kind: CloneEntryKind;
  /** Bytes of a regular file (lstat); 0 for anything else. */
  size: number;
}

export interface CloneListing {
  entries: CloneEntry[];
  /** True when the walk stopped at `maxEntries`. */
  truncated: boolean;
}

const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = constants;

/** Every entry under the clone's root except `.git`, depth-first in name order. */
export async function listClone(
  root: string,
  options: { maxEntries: number; signal?: AbortSignal },
): Promise<CloneListing> {
  const entries: CloneEntry[] = [];
  let truncated = false;
  const walk = async (relative: string): Promise<void> => {
    const names = await fs.readdir(path.join(root, relative), { withFileTypes: true });
    names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const dirent of names) {
      if (relative === '' && dirent.name === '.git') continue;
      if (entries.length >= options.maxEntries) {
        truncated = true;
        return;
      }
      options.signal?.throwIfAborted();
      const child = relative === '' ? dirent.name : `${relative}/${dirent.name}`;
      const stat = await fs.lstat(path.join(root, child));
      const kind: CloneEntryKind = stat.isSymbolicLink()
        ? 'symlink'
        : stat.isDirectory()
          ? 'directory'
          : stat.isFile()
            ? 'file'
            : 'other';
      entries.push({ path: child, kind, size: kind === 'file' ? stat.size : 0 });
      if (kind === 'directory') await walk(child);
      if (truncated) return;
    }
  };
  await walk('');
  return { entries, truncated };
}

/**
 * Streams a regular file listed by listClone to `onChunk` (return false to stop early);
 * resolves to the bytes read, or undefined when the path is not a regular file (a link,
 * a FIFO, a device: never opened or never read).
 */
export async function readCloneFile(
  root: string,
  relative: string,
  onChunk: (chunk: Buffer) => boolean | undefined,
  chunkSize = 64 * 1024,
): Promise<number | undefined> {
  if (!(await throughDirectoriesOnly(root, relative))) return undefined;
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path.join(root, relative), O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENXIO')
      return undefined;
    throw error;
  }
  try {
    if (!(await handle.stat()).isFile()) return undefined;
    const buffer = Buffer.alloc(chunkSize);
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, chunkSize, null);
      if (bytesRead === 0) return total;
      total += bytesRead;
      if (onChunk(Buffer.from(buffer.subarray(0, bytesRead))) === false) return total;
    }
  } finally {
    await handle.close();
  }
}

/**
 * O_NOFOLLOW guards only the last component: every directory on the way must be a real
 * directory (lstat), not a link. Nothing runs in the clone, so nothing changes between
 * this check and the open.
 */
async function throughDirectoriesOnly(root: string, relative: string): Promise<boolean> {
  const parts = relative.split('/');
  if (parts.some((part) => part === '' || part === '.' || part === '..')) return false;
  let current = root;
  for (const part of parts.slice(0, -1)) {
    current = path.join(current, part);
    const stat = await fs.lstat(current).catch(() => undefined);
    if (!stat?.isDirectory()) return false;
  }
  return true;
}
