/**
 * Per-run control groups. The memory cap (swap off) and the process cap then hold for a
 * run's whole process tree whatever the language (rlimits are per process, and V8 or a
 * JIT can reserve far more address space than it touches); CPU time, peak memory and
 * whether the kernel killed something for memory are read from the group afterwards.
 *
 * cgroup v2 is used where the server's own group can delegate the memory controller;
 * otherwise v1's memory (required), pids and cpuacct hierarchies; with neither, the
 * sandbox falls back to rlimits (RLIMIT_AS) and says so at start-up and in /health.
 * Groups live under `tasklane-<pid>` in the server's own group; groups of dead servers
 * are removed at start-up.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../context.ts';
import { isProcessAlive } from '../../shared/process-alive.ts';

export interface RunCgroupLimits {
  memoryBytes: number;
  pids: number;
}

export interface RunUsage {
  cpuMs: number | null;
  /** Peak memory of the whole group (RSS, page cache and tmpfs pages it wrote). */
  peakMemoryKb: number | null;
  /** The kernel killed a process of the run because the group hit its memory cap. */
  oomKilled: boolean;
}

export interface RunCgroup {
  /** The `cgroup.procs` files a process writes its pid to, to join (before it execs the run). */
  readonly procsFiles: string[];
  usage(): Promise<RunUsage>;
  /** Kills what is left in the group and removes it. */
  remove(): Promise<void>;
}

export interface Cgroups {
  readonly version: 'v1' | 'v2';
  create(limits: RunCgroupLimits): Promise<RunCgroup>;
}

interface Mount {
  root: string;
  point: string;
  type: string;
  options: string[];
}

/** Sets up the server's parent group, or explains why there is none. */
export async function setupCgroups(log: Logger): Promise<Cgroups | undefined> {
  if (process.platform !== 'linux') return undefined;
  try {
    const mounts = await readMounts();
    const membership = await readMembership();
    const attempts: string[] = [];
    for (const attempt of [() => setupV2(mounts, membership), () => setupV1(mounts, membership)]) {
      const result = await attempt();
      if (typeof result !== 'string') return result;
      attempts.push(result);
    }
    log.warn(
      { reasons: attempts },
      'sandbox: no cgroup memory controller; memory is capped by RLIMIT_AS only',
    );
  } catch (error) {
    log.warn({ err: error }, 'sandbox: cgroups unavailable; memory is capped by RLIMIT_AS only');
  }
  return undefined;
}

async function readMounts(): Promise<Mount[]> {
  return (await fsp.readFile('/proc/self/mountinfo', 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [left = '', right = ''] = line.split(' - ');
      const fields = left.split(' ');
      const [type = '', , superOptions = ''] = right.split(' ');
      return {
        root: unescapeMount(fields[3] ?? ''),
        point: unescapeMount(fields[4] ?? ''),
        type,
        options: superOptions.split(','),
      };
    });
}

function unescapeMount(text: string): string {
  return text.replace(/\\(\d{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** controller (or '' for v2) → the server's group path. */
async function readMembership(): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  for (const line of (await fsp.readFile('/proc/self/cgroup', 'utf8')).split('\n')) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!match) continue;
    for (const controller of match[1]!.split(',')) map.set(controller, match[2]!);
  }
  return map;
}

/** Where the server's own group of a hierarchy is, as this process sees the mount. */
function ownGroupDir(mount: Mount, groupPath: string): string {
  const relative = path.posix.relative(mount.root, groupPath);
  if (relative.startsWith('..')) throw new Error(`group ${groupPath} is outside ${mount.root}`);
  return path.join(mount.point, relative);
}

async function setupV2(
  mounts: Mount[],
  membership: Map<string, string>,
): Promise<Cgroups | string> {
  const mount = mounts.find((m) => m.type === 'cgroup2');
  const own = membership.get('');
  if (!mount || own === undefined) return 'v2: no unified hierarchy';
  const dir = ownGroupDir(mount, own);
  const available = (await read(path.join(dir, 'cgroup.controllers'))).split(/\s+/);
  if (!available.includes('memory')) return 'v2: the memory controller is not delegated here';
  if (!(await read(path.join(dir, 'cgroup.subtree_control'))).split(/\s+/).includes('memory')) {
    // A group with processes cannot hand controllers down: move the server into a leaf first.
    try {
      const leaf = path.join(dir, 'tasklane-server');
      await fsp.mkdir(leaf, { recursive: true });
      await fsp.writeFile(path.join(leaf, 'cgroup.procs'), String(process.pid));
      await fsp.writeFile(path.join(dir, 'cgroup.subtree_control'), '+memory +pids');
    } catch (error) {
      return `v2: cannot enable the memory controller (${(error as Error).message})`;
    }
  }
  const base = path.join(dir, `tasklane-${process.pid}`);
  try {
    await removeStaleGroups([dir]);
    await fsp.mkdir(base, { recursive: true });
    await fsp.writeFile(path.join(base, 'cgroup.subtree_control'), '+memory +pids');
  } catch (error) {
    return `v2: cannot create groups (${(error as Error).message})`;
  }
  return new GroupFactory('v2', { memory: base, pids: base, cpuacct: base });
}

const V1_CONTROLLERS = ['memory', 'pids', 'cpuacct'] as const;
/** Each controller's parent group (one directory for all of them on v2). */
type Bases = Partial<Record<(typeof V1_CONTROLLERS)[number], string>>;

async function setupV1(
  mounts: Mount[],
  membership: Map<string, string>,
): Promise<Cgroups | string> {
  const bases: Bases = {};
  for (const controller of V1_CONTROLLERS) {
    const mount = mounts.find((m) => m.type === 'cgroup' && m.options.includes(controller));
    const own = membership.get(controller);
    if (!mount || own === undefined) {
      if (controller === 'memory') return 'v1: no memory hierarchy';
      continue;
    }
    // Co-mounted controllers (e.g. cpu,cpuacct) share one directory.
    const dir = ownGroupDir(mount, own);
    const base = path.join(dir, `tasklane-${process.pid}`);
    try {
      if (!Object.values(bases).includes(base)) {
        await removeStaleGroups([dir]);
        await fsp.mkdir(base, { recursive: true });
      }
      bases[controller] = base;
    } catch (error) {
      if (controller === 'memory')
        return `v1: cannot create memory groups (${(error as Error).message})`;
    }
  }
  return new GroupFactory('v1', bases);
}

/** Groups left by servers that are gone (or by an earlier life of this pid). */
async function removeStaleGroups(parents: string[]): Promise<void> {
  for (const parent of parents) {
    for (const name of await fsp.readdir(parent)) {
      const match = /^tasklane-(\d+)$/.exec(name);
      if (!match) continue;
      const pid = Number(match[1]);
      if (pid !== process.pid && isProcessAlive(pid)) continue;
      const base = path.join(parent, name);
      for (const child of await fsp.readdir(base)) {
        if (child.startsWith('run-')) await rmdirQuiet(path.join(base, child));
      }
      await rmdirQuiet(base);
    }
  }
}

async function rmdirQuiet(dir: string): Promise<void> {
  // In use, or already gone: either way nothing to do.
  await fsp.rmdir(dir).catch(() => {});
}

async function read(file: string): Promise<string> {
  return (await fsp.readFile(file, 'utf8').catch(() => '')).trim();
}

let sequence = 0;

class GroupFactory implements Cgroups {
  readonly version: 'v1' | 'v2';
  readonly #bases: Bases;

  constructor(version: 'v1' | 'v2', bases: Bases) {
    this.version = version;
    this.#bases = bases;
  }

  async create(limits: RunCgroupLimits): Promise<RunCgroup> {
    sequence += 1;
    const name = `run-${sequence}`;
    const dirs: Bases = {};
    for (const [controller, base] of Object.entries(this.#bases))
      dirs[controller as keyof Bases] = path.join(base, name);
    const unique = [...new Set(Object.values(dirs))];
    const created: string[] = [];
    try {
      for (const dir of unique) {
        await fsp.mkdir(dir);
        created.push(dir);
      }
      await (this.version === 'v2' ? limitV2(dirs.memory!, limits) : limitV1(dirs, limits));
    } catch (error) {
      await Promise.all(created.map((dir) => fsp.rmdir(dir).catch(() => {})));
      throw error;
    }
    return new RunGroup(this.version, dirs, unique);
  }
}

async function limitV2(dir: string, limits: RunCgroupLimits): Promise<void> {
  await fsp.writeFile(path.join(dir, 'memory.max'), String(limits.memoryBytes));
  await writeIfPresent(path.join(dir, 'memory.swap.max'), '0');
  await writeIfPresent(path.join(dir, 'pids.max'), String(limits.pids));
}

async function limitV1(dirs: Bases, limits: RunCgroupLimits): Promise<void> {
  const memory = dirs.memory!;
  await fsp.writeFile(path.join(memory, 'memory.limit_in_bytes'), String(limits.memoryBytes));
  // With swap accounting the cap covers swap too; without it, ask the kernel not to swap.
  await writeIfPresent(
    path.join(memory, 'memory.memsw.limit_in_bytes'),
    String(limits.memoryBytes),
  );
  await writeIfPresent(path.join(memory, 'memory.swappiness'), '0');
  if (dirs.pids) await writeIfPresent(path.join(dirs.pids, 'pids.max'), String(limits.pids));
}

async function exists(file: string): Promise<boolean> {
  return fsp.access(file).then(
    () => true,
    () => false,
  );
}

async function writeIfPresent(file: string, value: string): Promise<void> {
  try {
    await fsp.writeFile(file, value);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return (await fsp.readFile(file, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

class RunGroup implements RunCgroup {
  readonly procsFiles: string[];
  readonly #version: 'v1' | 'v2';
  readonly #byController: Bases;
  readonly #dirs: string[];

  constructor(version: 'v1' | 'v2', byController: Bases, dirs: string[]) {
    this.#version = version;
    this.#byController = byController;
    this.#dirs = dirs;
    this.procsFiles = dirs.map((dir) => path.join(dir, 'cgroup.procs'));
  }

  async usage(): Promise<RunUsage> {
    return this.#version === 'v2' ? this.#usageV2() : this.#usageV1();
  }

  async #usageV2(): Promise<RunUsage> {
    const dir = this.#byController.memory!;
    const [cpu, peak, events] = await Promise.all([
      readText(path.join(dir, 'cpu.stat')),
      readText(path.join(dir, 'memory.peak')),
      readText(path.join(dir, 'memory.events')),
    ]);
    const usec = /usage_usec (\d+)/.exec(cpu ?? '')?.[1];
    const kills = Number(/oom_kill (\d+)/.exec(events ?? '')?.[1] ?? 0);
    return {
      cpuMs: usec === undefined ? null : Math.round(Number(usec) / 1000),
      peakMemoryKb: peak === undefined ? null : Math.round(Number(peak) / 1024),
      oomKilled: kills > 0,
    };
  }

  async #usageV1(): Promise<RunUsage> {
    const memoryDir = this.#byController.memory!;
    const cpuDir = this.#byController.cpuacct;
    const [peak, oom, cpu] = await Promise.all([
      readText(path.join(memoryDir, 'memory.max_usage_in_bytes')),
      readText(path.join(memoryDir, 'memory.oom_control')),
      cpuDir ? readText(path.join(cpuDir, 'cpuacct.usage')) : undefined,
    ]);
    const kills = Number(/oom_kill (\d+)/.exec(oom ?? '')?.[1] ?? 0);
    return {
      cpuMs: cpu === undefined ? null : Math.round(Number(cpu) / 1e6),
      peakMemoryKb: peak === undefined ? null : Math.round(Number(peak) / 1024),
      oomKilled: kills > 0,
    };
  }

  async remove(): Promise<void> {
    for (const dir of this.#dirs) {
      for (let attempt = 0; attempt < 50; attempt++) {
        try {
          await fsp.rmdir(dir);
          break;
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') break;
          if (code !== 'EBUSY' || attempt === 49) throw error;
          await this.#killAll(dir);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    }
  }

  async #killAll(dir: string): Promise<void> {
    if (this.#version === 'v2' && (await exists(path.join(dir, 'cgroup.kill')))) {
      await fsp.writeFile(path.join(dir, 'cgroup.kill'), '1').catch(() => {});
      return;
    }
    const pids = (await readText(path.join(dir, 'cgroup.procs'))) ?? '';
    for (const pid of pids.split('\n').filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // Gone.
      }
    }
  }
}
