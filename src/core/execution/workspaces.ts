/**
 * Makes and disposes of workspaces. Each process keeps its own under
 * `<data dir>/workspaces/p<pid>/`, so a restart can clear what a dead process left
 * (unmounting its tmpfs mounts) without touching a live neighbour's.
 *
 * As root, a workspace is a tmpfs mounted with the quota's size and inode count and
 * owned by an unprivileged uid of its own, which every run in it uses: the kernel holds
 * the quota (nothing walks the tree), runs cannot touch other workspaces, and removal
 * is one unmount however many files a program made. Without the privilege to mount,
 * it is a plain directory whose size is checked periodically off the event loop.
 */
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../../config.ts';
import type { Logger } from '../context.ts';
import { isProcessAlive } from '../shared/process-alive.ts';
import { MountCommands } from './mount-commands.ts';
import { runtimeCommand } from './runtimes.ts';
import type { SandboxProvider } from './sandbox.types.ts';
import { UidPool } from './uid-pool.ts';
import { WarmPool } from './warm-pool.ts';
import type { WarmProfile } from './warm-profile.ts';
import { Workspace } from './workspace.ts';
import { makeDirs } from './workspace-host.ts';

/** One helper shell runs this process's mounts (mount-commands.ts: a spawn per call blocks the event loop). */
const mounts = new MountCommands();
const UID_POOL_SIZE = 256;

export class Workspaces {
  /** Where this process's workspaces are created. */
  readonly root: string;
  /** Workspaces are tmpfs mounts with kernel-held quotas. */
  readonly tmpfs: boolean;
  readonly #uids: UidPool | undefined;
  readonly #sandbox: SandboxProvider;
  readonly #quota: { bytes: number; inodes: number };
  readonly #live = new Set<Workspace>();
  /** Workspaces with a sandbox started in them (bubblewrap only). */
  readonly warmPool: WarmPool | undefined;
  #warmSeq = 0;

  private constructor(
    root: string,
    tmpfs: boolean,
    uids: UidPool | undefined,
    sandbox: SandboxProvider,
    quota: { bytes: number; inodes: number },
    warm: { entries: Config['sandbox']['warmPool']; log: Logger },
  ) {
    this.root = root;
    this.tmpfs = tmpfs;
    this.#uids = uids;
    this.#sandbox = sandbox;
    this.#quota = quota;
    if (sandbox.available && sandbox.sandbox.prestart && warm.entries.length > 0)
      this.warmPool = new WarmPool(warm.entries, (profile) => this.#startWarm(profile), warm.log);
  }

  static async open(config: Config, sandbox: SandboxProvider, log: Logger): Promise<Workspaces> {
    const asRoot = process.getuid?.() === 0;
    const perRunUid = asRoot && sandbox.available && sandbox.sandbox.driver === 'bwrap';
    const parent = await prepareWorkspaceRoot(config.dataDir, perRunUid, (m) => log.warn(m));
    await clearStale(parent, log);
    const root = path.join(parent, `p${process.pid}`);
    await fsp.mkdir(root, { recursive: true, mode: 0o711 });
    const tmpfs = asRoot && (await canMountTmpfs(root));
    if (asRoot && !tmpfs)
      log.warn('workspaces: cannot mount tmpfs here; disk quotas are checked periodically');
    // Each process takes its own block of uids, so two workers on one machine never share one.
    const base = config.sandbox.uidBase + (process.pid % 4096) * UID_POOL_SIZE;
    return new Workspaces(
      root,
      tmpfs,
      perRunUid ? new UidPool(base, UID_POOL_SIZE) : undefined,
      sandbox,
      {
        bytes: config.sandbox.workspaceMb * 1024 * 1024,
        inodes: config.sandbox.workspaceInodes,
      },
      { entries: config.sandbox.warmPool, log },
    );
  }

  /**
   * A fresh, empty workspace with an out/ directory. Given the profile of its first run,
   * a workspace from the warm pool when one is ready (its name is then not `id`).
   */
  async create(id: string, firstRun?: WarmProfile): Promise<Workspace> {
    if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new Error(`bad workspace id ${id}`);
    return (firstRun && this.warmPool?.take(firstRun)) ?? this.#make(id);
  }

  /** A workspace for the pool, with a sandbox started in it for `profile`'s runs. */
  async #startWarm(profile: WarmProfile): Promise<Workspace | undefined> {
    const sandbox = this.#sandbox.available ? this.#sandbox.sandbox : undefined;
    const command = await runtimeCommand(profile.language, 'main', profile.memoryMb);
    if (!sandbox?.prestart || !command) return undefined;
    const workspace = await this.#make(`warm-${++this.#warmSeq}`);
    try {
      workspace.attachWarm(
        await sandbox.prestart({
          workspace,
          network: profile.network,
          readOnlyBinds: command.readOnlyBinds,
          limits: { memoryMb: profile.memoryMb },
          program: command.argv[0]!,
        }),
      );
      return workspace;
    } catch (error) {
      await workspace.remove();
      throw error;
    }
  }

  async #make(id: string): Promise<Workspace> {
    const dir = path.join(this.root, id);
    await disposeDir(dir); // leftovers of an earlier attempt in this process
    await fsp.mkdir(dir, { mode: 0o700 });
    const uid = await this.#uids?.acquire();
    try {
      if (this.tmpfs) await mountTmpfs(dir, this.#quota, uid);
      else if (uid !== undefined) await fsp.chown(dir, uid, uid);
      const workspace = new Workspace({
        dir,
        uid,
        kernelQuota: this.tmpfs,
        quota: this.#quota,
        sandbox: this.#sandbox.available ? this.#sandbox.sandbox : undefined,
        dispose: async () => {
          this.#live.delete(workspace);
          try {
            await disposeDir(dir);
          } finally {
            if (uid !== undefined) this.#uids!.release(uid);
          }
        },
      });
      this.#live.add(workspace);
      await makeDirs(dir, 'out', uid);
      return workspace;
    } catch (error) {
      await disposeDir(dir).catch(() => {});
      if (uid !== undefined) this.#uids!.release(uid);
      throw error;
    }
  }

  /** Disposes of the workspaces still in use (shutdown) and this process's directory. */
  async close(): Promise<void> {
    await this.warmPool?.close();
    await Promise.allSettled([...this.#live].map((workspace) => workspace.remove()));
    await fsp.rm(this.root, { recursive: true, force: true }).catch(() => {});
  }
}

async function mountTmpfs(
  dir: string,
  quota: { bytes: number; inodes: number },
  uid: number | undefined,
): Promise<void> {
  const owner = uid === undefined ? '' : `,uid=${uid},gid=${uid}`;
  await mounts.run('mount', [
    '-t',
    'tmpfs',
    '-o',
    `size=${quota.bytes},nr_inodes=${quota.inodes},mode=0700,nosuid,nodev${owner}`,
    'tasklane-workspace',
    dir,
  ]);
}

async function canMountTmpfs(root: string): Promise<boolean> {
  const probe = path.join(root, '.probe');
  try {
    await fsp.mkdir(probe, { recursive: true });
    await mountTmpfs(probe, { bytes: 1024 * 1024, inodes: 16 }, undefined);
    await mounts.run('umount', [probe]);
    return true;
  } catch {
    return false;
  } finally {
    await fsp.rmdir(probe).catch(() => {});
  }
}

/** Unmounts (lazily if busy) and removes a workspace directory; links inside are never followed. */
async function disposeDir(dir: string): Promise<void> {
  for (const point of (await mountsUnder(dir)).reverse()) {
    await mounts.run('umount', [point]).catch(() => mounts.run('umount', ['-l', point]));
  }
  await fsp.rm(dir, { recursive: true, force: true });
}

/** Mount points at or below `dir`, outermost first. */
async function mountsUnder(dir: string): Promise<string[]> {
  const text = await fsp.readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  return text
    .split('\n')
    .map((line) =>
      line.split(' ')[4]?.replace(/\\(\d{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8))),
    )
    .filter((point): point is string => !!point && (point === dir || point.startsWith(`${dir}/`)))
    .sort((a, b) => a.length - b.length);
}

/**
 * Workspaces of processes that are gone (or of an earlier life of this pid): unmounted
 * and renamed aside now, deleted in the background (a large plain tree takes a while).
 */
async function clearStale(parent: string, log: Logger): Promise<void> {
  const entries = await fsp.readdir(parent).catch(() => [] as string[]);
  for (const name of entries) {
    const pid = /^p(\d+)$/.exec(name)?.[1];
    if (pid !== undefined && Number(pid) !== process.pid && isProcessAlive(Number(pid))) continue;
    const dir = path.join(parent, name);
    for (const point of (await mountsUnder(dir)).reverse())
      await mounts.run('umount', ['-l', point]).catch(() => {});
    const aside = pid === undefined ? dir : `${dir}.stale-${Date.now()}`;
    try {
      if (aside !== dir) await fsp.rename(dir, aside);
    } catch {
      continue; // another process is clearing it
    }
    fsp
      .rm(aside, { recursive: true, force: true })
      .catch((error) => log.warn({ err: error, dir }, 'could not remove a stale workspace'));
  }
}

/**
 * Where workspaces live: `<data dir>/workspaces`. When sandboxes run as other uids,
 * they must be able to traverse to their own workspace (bwrap binds it as that uid), so
 * the data dir gets the traverse-only bit (o+x, no listing). If a parent we do not own
 * blocks traversal, workspaces go under the system temp dir instead.
 */
async function prepareWorkspaceRoot(
  dataDir: string,
  perRunUid: boolean,
  warn: (message: string) => void,
): Promise<string> {
  const root = path.join(dataDir, 'workspaces');
  await fsp.mkdir(root, { recursive: true, mode: 0o711 });
  if (!perRunUid) return root;
  await fsp.chmod(root, 0o711);
  const dataDirReal = await fsp.realpath(dataDir);
  let blocked = false;
  for (let dir = dataDirReal; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const { mode } = await fsp.stat(dir);
    if ((mode & 0o001) !== 0) continue;
    if (dir === dataDirReal) await fsp.chmod(dir, (mode & 0o777) | 0o001);
    else blocked = true;
  }
  if (!blocked) return root;
  const fallback = path.join(os.tmpdir(), 'tasklane-workspaces');
  await fsp.mkdir(fallback, { recursive: true, mode: 0o711 });
  await fsp.chmod(fallback, 0o711);
  warn(
    `sandbox users cannot reach ${root} (a parent directory is not traversable); workspaces are in ${fallback}`,
  );
  return fallback;
}
