/**
 * A user's persistent workspace: the directory their environments mount at /workspace
 * and /user-files reads and writes, under `<data dir>/user-workspaces/<user uuid>`.
 * Unlike a task's workspace it outlives every run, so it is a plain directory (not a
 * tmpfs) whose size is checked by `du` in a child process, and, as root, it belongs to
 * a uid of its own (TASKLANE_SANDBOX_UID_BASE + 2,000,000 + the user's id: above the
 * per-process blocks task workspaces take) that every run in it uses.
 *
 * Its contents are always treated as hostile (docs/security.md): environments run
 * programs in it, so the server never opens anything inside it; every file operation
 * is a command run in the workspace's own sandbox (workspace-files.ts).
 */
import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Ctx } from '../context.ts';
import { DomainError } from '../errors.ts';
import type { Sandbox, SandboxWorkspace } from '../execution/sandbox.types.ts';

const exec = promisify(execFile);
const USER_UID_OFFSET = 2_000_000;

export class UserWorkspace implements SandboxWorkspace {
  readonly dir: string;
  readonly uid: number | undefined;
  readonly #maxBytes: number;

  constructor(dir: string, uid: number | undefined, maxBytes: number) {
    this.dir = dir;
    this.uid = uid;
    this.#maxBytes = maxBytes;
  }

  /** Always hostile: nothing to record. */
  taint(): void {}

  /**
   * Bytes in use (the files' sizes, as the limit is stated), measured off the event loop
   * without following links.
   */
  async usedBytes(): Promise<number> {
    try {
      const { stdout } = await exec(
        'du',
        ['-s', '-x', '--apparent-size', '--block-size=1', this.dir],
        {
          timeout: 30_000,
        },
      );
      return parseInt(stdout, 10) || 0;
    } catch {
      return 0;
    }
  }

  async overQuota(): Promise<boolean> {
    return (await this.usedBytes()) > this.#maxBytes;
  }
}

/** The sandbox environments and file helpers run in; bubblewrap only. */
export function requireSandbox(ctx: Ctx): Sandbox {
  const provider = ctx.runtime.sandbox;
  if (!provider.available || provider.sandbox.driver !== 'bwrap')
    throw new DomainError(
      'unavailable',
      'Workspaces need the bubblewrap sandbox, which this server does not have',
    );
  return provider.sandbox;
}

/** Opens (creating on first use) a user's workspace. */
export async function openUserWorkspace(
  ctx: Ctx,
  owner: { userId: number; userUuid: string },
): Promise<UserWorkspace> {
  const root = path.join(ctx.config.dataDir, 'user-workspaces');
  await fsp.mkdir(root, { recursive: true, mode: 0o711 });
  const dir = path.join(root, owner.userUuid);
  const asRoot = process.getuid?.() === 0;
  const uid = asRoot ? ctx.config.sandbox.uidBase + USER_UID_OFFSET + owner.userId : undefined;
  try {
    await fsp.mkdir(dir, { mode: 0o700 });
    if (uid !== undefined) await fsp.chown(dir, uid, uid);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return new UserWorkspace(dir, uid, ctx.config.cmbcluster.userFiles.maxTotalBytes);
}
