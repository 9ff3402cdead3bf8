/**
 * The bubblewrap driver: every namespace unshared (no network unless the run allows
 * it), read-only system directories and a read-only root, only the run's workspace
 * writable besides size-capped private tmpfs mounts (/tmp, /dev/shm), no view of the
 * data dir or other workspaces; memory and process caps by cgroup, rlimits by prlimit,
 * and, as root, the workspace's own unprivileged uid.
 */
import { execFileSync } from 'node:child_process';
import type {
  PreparedCommand,
  Sandbox,
  SandboxLimits,
  SandboxResult,
  SandboxSpec,
  WarmSandbox,
  WarmStartSpec,
} from '../sandbox.types.ts';
import type { Cgroups } from './cgroups.ts';
import { prepareLaunch } from './launch.ts';
import { spawnGroup, spawnLimited } from './spawn-limited.ts';
import { startWarm, WARM_STUB, warmKey } from './warm-sandbox.ts';

const SANDBOX_PATH = '/opt/runtime/bin:/usr/local/bin:/usr/bin:/bin';

export class BwrapSandbox implements Sandbox {
  readonly driver = 'bwrap' as const;
  readonly isolated = true;
  readonly memoryControl;
  readonly #defaults: SandboxLimits;
  readonly #cgroups: Cgroups | undefined;

  constructor(defaults: SandboxLimits, cgroups: Cgroups | undefined) {
    this.#defaults = defaults;
    this.#cgroups = cgroups;
    this.memoryControl = cgroups ? (`cgroup-${cgroups.version}` as const) : ('rlimit' as const);
  }

  async run(spec: SandboxSpec): Promise<SandboxResult> {
    const warm = spec.workspace.takeWarm?.()?.tryRun(spec);
    if (warm) return warm;
    const limits = { ...this.#defaults, ...spec.limits };
    // Data files come in on fds 3, 4, … and bwrap copies them into its own tmpfs.
    const dataFiles = spec.dataFiles ?? [];
    const prepared = await this.#prepare(
      spec,
      limits,
      dataFiles.map((_, i) => 3 + i),
    );
    return spawnLimited({
      prepared,
      limits,
      cwd: '/',
      // bwrap itself needs nothing from our environment; the sandbox gets its env via --setenv.
      env: { PATH: '/usr/bin:/bin' },
      stdin: spec.stdin,
      stdout: spec.stdout,
      fdData: dataFiles.map((file) => file.content),
      signal: spec.signal,
      workspace: spec.workspace,
    });
  }

  /**
   * A sandbox for a run not known yet (warm-sandbox.ts): launched as a cold run would be,
   * with a stub in the program's place (fd 3: the run, fd 4: "ready").
   */
  async prestart(start: WarmStartSpec): Promise<WarmSandbox> {
    const limits = { ...this.#defaults, ...start.limits };
    const spec = { ...start, argv: WARM_STUB };
    const launch = await prepareLaunch(this.#cgroups, limits, start.workspace.uid, start.program);
    const prepared = {
      argv: [...launch.prefix, ...bwrapArgs(spec, limits, []), '--', ...WARM_STUB],
      finish: launch.finish,
    };
    return startWarm({
      child: spawnGroup(prepared, '/', { PATH: '/usr/bin:/bin' }, 2),
      key: warmKey({ ...start, limits }),
      workspace: start.workspace,
      prepared,
      defaults: this.#defaults,
      environment: sandboxEnvironment,
    });
  }

  prepare(spec: Omit<SandboxSpec, 'stdin' | 'stdout' | 'signal'>): Promise<PreparedCommand> {
    return this.#prepare(spec, { ...this.#defaults, ...spec.limits }, []);
  }

  async #prepare(
    spec: Omit<SandboxSpec, 'stdin' | 'stdout' | 'signal'>,
    limits: SandboxLimits,
    dataFds: number[],
  ): Promise<PreparedCommand> {
    spec.workspace.taint();
    const launch = await prepareLaunch(
      this.#cgroups,
      limits,
      spec.workspace.uid,
      spec.argv[0] ?? '',
    );
    return {
      argv: [...launch.prefix, ...bwrapArgs(spec, limits, dataFds), '--', ...spec.argv],
      finish: launch.finish,
    };
  }
}

function bwrapArgs(
  spec: Omit<SandboxSpec, 'stdin' | 'stdout' | 'signal'>,
  limits: SandboxLimits,
  dataFds: number[],
): string[] {
  const tmpBytes = String(limits.tmpMb * 1024 * 1024);
  const args = [
    'bwrap',
    '--unshare-all',
    ...(spec.network ? ['--share-net'] : []),
    '--die-with-parent',
    '--new-session',
    ...SYSTEM_MOUNTS,
    '--ro-bind-try',
    '/etc/fonts',
    '/etc/fonts',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    // Every writable place is capped: the workspace by its quota, these by their size.
    '--size',
    tmpBytes,
    '--tmpfs',
    '/dev/shm',
    '--size',
    tmpBytes,
    '--tmpfs',
    '/tmp',
    '--bind',
    spec.workspace.dir,
    '/workspace',
    '--chdir',
    '/workspace',
    '--hostname',
    'sandbox',
  ];
  if (spec.network) {
    args.push('--ro-bind-try', '/etc/resolv.conf', '/etc/resolv.conf');
    args.push('--ro-bind-try', '/etc/hosts', '/etc/hosts');
    args.push('--ro-bind-try', '/etc/ssl', '/etc/ssl');
    args.push('--ro-bind-try', '/etc/ca-certificates', '/etc/ca-certificates');
  }
  if (spec.runDir) args.push('--bind', spec.runDir, '/run/tasklane');
  for (const bind of spec.readOnlyBinds ?? []) args.push('--ro-bind', bind.host, bind.inside);
  (spec.dataFiles ?? []).forEach((file, i) => {
    const fd = dataFds[i];
    if (fd !== undefined) args.push('--ro-bind-data', String(fd), file.inside);
  });
  // Last, once every mount point exists: the root and /dev become read-only.
  args.push('--remount-ro', '/dev', '--remount-ro', '/', '--clearenv');
  for (const [key, value] of Object.entries(sandboxEnvironment(spec.env)))
    args.push('--setenv', key, value);
  return args;
}

/** A sandboxed program's whole environment: the basics, then the run's own. */
function sandboxEnvironment(env: Record<string, string> | undefined): Record<string, string> {
  return {
    PATH: SANDBOX_PATH,
    HOME: '/workspace',
    TMPDIR: '/tmp',
    LANG: 'C.UTF-8',
    PYTHONDONTWRITEBYTECODE: '1',
    ...env,
  };
}

/** A read-only /usr with the usual merged-/usr links. */
const USR_MOUNTS = [
  '--ro-bind',
  '/usr',
  '/usr',
  '--symlink',
  'usr/lib',
  '/lib',
  '--symlink',
  'usr/lib64',
  '/lib64',
  '--symlink',
  'usr/bin',
  '/bin',
  '--symlink',
  'usr/sbin',
  '/sbin',
];

/** /usr and the few /etc files programs need. */
const SYSTEM_MOUNTS = [
  ...USR_MOUNTS,
  '--ro-bind-try',
  '/etc/alternatives',
  '/etc/alternatives',
  '--ro-bind-try',
  '/etc/ld.so.cache',
  '/etc/ld.so.cache',
  '--ro-bind-try',
  '/etc/localtime',
  '/etc/localtime',
];

/** The least bwrap that runs a program: every namespace, a read-only /usr, /proc and /dev. */
export const BARE_BWRAP_ARGS = [
  '--unshare-all',
  '--die-with-parent',
  ...USR_MOUNTS,
  '--proc',
  '/proc',
  '--dev',
  '/dev',
  '--',
];

/** Whether bwrap exists and can create namespaces here (it may be installed but not permitted). */
export function probeBwrap(): { ok: true; version: string } | { ok: false; reason: string } {
  try {
    const version = execFileSync('bwrap', ['--version'], {
      encoding: 'utf8',
      timeout: 5000,
    }).trim();
    execFileSync('bwrap', [...BARE_BWRAP_ARGS, '/usr/bin/true'], {
      timeout: 10_000,
      stdio: 'ignore',
    });
    return { ok: true, version };
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return {
      ok: false,
      reason:
        e.code === 'ENOENT'
          ? 'bwrap is not installed (Debian package "bubblewrap")'
          : `bwrap cannot create a sandbox here: ${e.message}`,
    };
  }
}
