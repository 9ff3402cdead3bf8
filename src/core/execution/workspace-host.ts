/**
 * Host-side file access to a workspace that no sandboxed program has run in yet (see
 * Workspace.tainted): everything in it was made by the server, so it can be reached
 * directly. Even so every open refuses links (O_NOFOLLOW) and never blocks (O_NONBLOCK),
 * every call is asynchronous, and only regular files and directories are accepted.
 */
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { WorkspaceEntry, WorkspaceFileData, WorkspaceRead } from './workspace.types.ts';

const { O_WRONLY, O_RDONLY, O_CREAT, O_TRUNC, O_NOFOLLOW, O_NONBLOCK } = constants;

/** Writes `relative` (already checked) under `root`, owned by `uid`; creates parent dirs. */
export async function writeHostFile(
  root: string,
  relative: string,
  data: WorkspaceFileData,
  uid: number | undefined,
): Promise<number> {
  await makeDirs(root, path.posix.dirname(relative), uid);
  const handle = await fs.open(
    path.join(root, relative),
    O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK,
    0o644,
  );
  try {
    if (uid !== undefined) await handle.chown(uid, uid);
    if (data instanceof Readable) {
      for await (const chunk of data) await handle.write(chunk as Buffer);
    } else await handle.writeFile(data);
    return (await handle.stat()).size;
  } finally {
    await handle.close();
  }
}

/** Creates `relative` and its parents under `root` as directories owned by `uid`. */
export async function makeDirs(
  root: string,
  relative: string,
  uid: number | undefined,
): Promise<void> {
  let current = root;
  for (const part of relative.split('/').filter((p) => p !== '' && p !== '.')) {
    current = path.join(current, part);
    try {
      await fs.mkdir(current, { mode: 0o755 });
      if (uid !== undefined) await fs.chown(current, uid, uid);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (!(await fs.lstat(current)).isDirectory())
        throw new Error(`${relative} is not a directory`);
    }
  }
}

/** Reads up to `maxBytes` of a regular file, or lists a directory. */
export async function readHostFile(
  root: string,
  relative: string,
  maxBytes: number,
): Promise<WorkspaceRead> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path.join(root, relative), O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
    if (code === 'ELOOP') return { kind: 'other' };
    throw error;
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) {
      const entries = await fs.readdir(path.join(root, relative));
      return { kind: 'directory', entries: entries.sort().slice(0, 200) };
    }
    if (!stat.isFile()) return { kind: 'other' };
    const buffer = Buffer.alloc(Math.min(stat.size, maxBytes));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return { kind: 'file', size: stat.size, content: buffer.subarray(0, bytesRead) };
  } finally {
    await handle.close();
  }
}

/**
 * Whether `out/` is missing or an empty directory, asked once a run is over, when no
 * process of the workspace is left to change it. The last component is examined with
 * lstat (a link, a FIFO or anything but a directory answers false, and the sandboxed
 * helper deals with it); an empty directory is seen by reading at most one entry,
 * which follows nothing. Anything unexpected answers false.
 */
export async function outputsDirIsEmpty(root: string): Promise<boolean> {
  const out = path.join(root, 'out');
  let stat: Awaited<ReturnType<typeof fs.lstat>>;
  try {
    stat = await fs.lstat(out);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
  if (!stat.isDirectory()) return false;
  try {
    const dir = await fs.opendir(out, { bufferSize: 1 });
    try {
      return (await dir.read()) === null;
    } finally {
      await dir.close();
    }
  } catch {
    return false;
  }
}

/** Regular files under `out/`, without following links, at most `limit`. */
export async function listHostOutputs(root: string, limit: number): Promise<WorkspaceEntry[]> {
  const found: WorkspaceEntry[] = [];
  const walk = async (relative: string): Promise<void> => {
    let dir: Awaited<ReturnType<typeof fs.opendir>>;
    try {
      dir = await fs.opendir(path.join(root, relative));
    } catch {
      return;
    }
    for await (const entry of dir) {
      if (found.length >= limit) break;
      const child = `${relative}/${entry.name}`;
      if (entry.isDirectory()) await walk(child);
      else if (entry.isFile()) {
        const stat = await fs.lstat(path.join(root, child));
        found.push({ name: child.slice('out/'.length), size: stat.size });
      }
    }
  };
  await walk('out');
  return found;
}

/** Opens a file listed by listHostOutputs for reading (still refusing links). */
export async function openHostFile(root: string, relative: string): Promise<Readable> {
  const handle = await fs.open(path.join(root, relative), O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  if (!(await handle.stat()).isFile()) {
    await handle.close();
    throw new Error(`${relative} is not a regular file`);
  }
  return handle.createReadStream();
}
