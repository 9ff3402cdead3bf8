/**
 * A task's workspace: a directory under the data dir (a tmpfs of the quota's size when
 * the server may mount one), mounted at /workspace in the sandbox and owned by the
 * workspace's own unprivileged uid. Files the run writes to `out/` become artifacts.
 *
 * The rule (docs/security.md): once a sandboxed program has run in it, the workspace is
 * tainted and the server never resolves a path inside it with its own privileges; file
 * access then goes through commands run in the sandbox (workspace-io.ts). Before that,
 * everything in it is the server's own and is reached directly, still without following
 * links or blocking (workspace-host.ts).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { DomainError } from '../errors.ts';
import type { Sandbox, SandboxWorkspace, WarmSandbox } from './sandbox.types.ts';
import type {
  CollectLimits,
  CollectReport,
  OutputFile,
  WorkspaceFileData,
  WorkspaceRead,
} from './workspace.types.ts';
import {
  listHostOutputs,
  openHostFile,
  outputsDirIsEmpty,
  readHostFile,
  writeHostFile,
} from './workspace-host.ts';
import { SandboxedFiles } from './workspace-io.ts';

const run = promisify(execFile);

export interface WorkspaceOptions {
  dir: string;
  uid: number | undefined;
  /** The kernel holds the quota (a tmpfs with size and inode limits). */
  kernelQuota: boolean;
  quota: { bytes: number; inodes: number };
  /** Runs the in-sandbox file helpers once the workspace is tainted. */
  sandbox: Sandbox | undefined;
  /** Unmounts and removes the directory, and gives back the uid. */
  dispose(): Promise<void>;
}

export class Workspace implements SandboxWorkspace {
  readonly dir: string;
  readonly uid: number | undefined;
  readonly kernelQuota: boolean;
  readonly #options: WorkspaceOptions;
  #tainted = false;
  #removed: Promise<void> | undefined;
  #warm: WarmSandbox | undefined;

  constructor(options: WorkspaceOptions) {
    this.dir = options.dir;
    this.uid = options.uid;
    this.kernelQuota = options.kernelQuota;
    this.#options = options;
  }

  /** Whether a sandboxed program has run here (its files are then hostile). */
  get tainted(): boolean {
    return this.#tainted;
  }

  taint(): void {
    this.#tainted = true;
  }

  /** Gives the workspace the sandbox the warm pool started in it (its first run may use it). */
  attachWarm(warm: WarmSandbox): void {
    this.#warm = warm;
  }

  /** Whether a started sandbox is still waiting here for its run. */
  get warm(): boolean {
    return this.#warm?.alive ?? false;
  }

  takeWarm(): WarmSandbox | undefined {
    const warm = this.#warm;
    this.#warm = undefined;
    return warm;
  }

  /** Writes a file (creating its directories), refusing links and non-regular targets. */
  async write(relative: string, data: WorkspaceFileData): Promise<void> {
    const name = checkRelative(relative);
    if (this.#inSandbox()) return this.#sandboxed().write(name, data);
    await writeHostFile(this.dir, name, data, this.uid);
  }

  /**
   * Gives a tree the server wrote (a fetched repository) to the workspace's uid, so
   * programs may change it. Only before any program has run here: afterwards the tree
   * is the program's and is never walked by the server. Links are changed, not followed.
   */
  async adopt(relative: string): Promise<void> {
    if (this.#tainted) throw new Error('a tainted workspace is never walked by the server');
    if (this.uid === undefined) return;
    await chownTree(path.join(this.dir, checkRelative(relative)), this.uid);
  }

  /** Up to `maxBytes` of a regular file, or a directory's entries; never follows the server's privileges. */
  async read(relative: string, maxBytes: number): Promise<WorkspaceRead> {
    const name = checkRelative(relative);
    if (this.#inSandbox()) return this.#sandboxed().read(name, maxBytes);
    return readHostFile(this.dir, name, maxBytes);
  }

  /** Hands each regular file under out/ to `each` as a stream; links and the like are left out. */
  async collectOutputs(
    limits: CollectLimits,
    each: (file: OutputFile) => Promise<void>,
  ): Promise<CollectReport> {
    if (this.#inSandbox()) {
      // Most runs leave out/ empty; seeing that needs no helper run (a sandbox start).
      if (await outputsDirIsEmpty(this.dir)) return { skipped: [] };
      return this.#sandboxed().collect(limits, each);
    }
    const report: CollectReport = { skipped: [] };
    const files = await listHostOutputs(this.dir, Number.POSITIVE_INFINITY);
    for (const [i, file] of files.entries()) {
      if (i >= limits.maxFiles)
        report.skipped.push({ name: file.name, reason: `more than ${limits.maxFiles} files` });
      else if (file.size > limits.maxFileBytes)
        report.skipped.push({
          name: file.name,
          reason: `larger than ${limits.maxFileBytes} bytes`,
        });
      else {
        const stream = await openHostFile(this.dir, `out/${file.name}`);
        try {
          await each({ ...file, stream });
        } finally {
          stream.destroy();
        }
      }
    }
    return report;
  }

  /** Over quota: only checked here when the kernel does not hold it (no tmpfs); off the event loop. */
  async overQuota(): Promise<boolean> {
    if (this.kernelQuota) return false;
    const { bytes, inodes } = this.#options.quota;
    try {
      const [size, count] = await Promise.all([
        run('du', ['-s', '-x', '--block-size=1', this.dir], { timeout: 30_000 }),
        run('du', ['-s', '-x', '--inodes', this.dir], { timeout: 30_000 }),
      ]);
      return parseInt(size.stdout, 10) > bytes || parseInt(count.stdout, 10) > inodes;
    } catch {
      return false; // the directory is going away
    }
  }

  /** Where a workspace path is as a user sees it (never the host path). */
  displayPath(text: string): string {
    return text.split(this.dir).join('/workspace');
  }

  remove(): Promise<void> {
    this.#removed ??= (async () => {
      await this.takeWarm()?.discard(); // a stub never used goes before its mount
      await this.#options.dispose();
    })();
    return this.#removed;
  }

  #inSandbox(): boolean {
    // The process driver isolates nothing, so there the host view is the program's view anyway.
    return this.#tainted && this.#options.sandbox?.driver === 'bwrap';
  }

  #sandboxed(): SandboxedFiles {
    return new SandboxedFiles(this.#options.sandbox!, this);
  }
}

/** A user- or model-supplied relative path, normalised; anything leaving the workspace is refused. */
export function checkRelative(relative: string): string {
  const normal = path.posix.normalize(relative);
  if (
    relative === '' ||
    relative.includes('\0') ||
    path.posix.isAbsolute(normal) ||
    normal === '..' ||
    normal.startsWith('../')
  )
    throw traversal(relative);
  return normal.replace(/\/+$/, '') || '.';
}

function traversal(relative: string): DomainError {
  return new DomainError(
    'validation',
    `path "${relative}" is outside the workspace`,
    { field: 'path', issue: 'path traversal' },
    [
      {
        location: ['body', 'files'],
        message: `path "${relative}" is outside the workspace`,
        type: 'value_error.path',
      },
    ],
  );
}

async function chownTree(target: string, uid: number): Promise<void> {
  await fs.lchown(target, uid, uid);
  const stat = await fs.lstat(target);
  if (!stat.isDirectory()) return;
  for (const entry of await fs.readdir(target)) await chownTree(path.join(target, entry), uid);
}
