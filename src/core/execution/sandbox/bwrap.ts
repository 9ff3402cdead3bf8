/**
 * The bubblewrap driver: every namespace unshared (no network unless the run allows
 * it), read-only system directories, only the run's own workspace writable, a size-
 * capped tmpfs /tmp, no view of the data dir or other workspaces; rlimits by prlimit;
 * as root, an unprivileged uid per run.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { Sandbox, SandboxLimits, SandboxResult, SandboxSpec } from '../sandbox.types.ts';
import type { UidPool } from '../uid-pool.ts';
import { spawnLimited, UsageSlot } from './spawn-limited.ts';

const SANDBOX_PATH = '/opt/runtime/bin:/usr/local/bin:/usr/bin:/bin';

export class BwrapSandbox implements Sandbox {
  readonly driver = 'bwrap' as const;
  readonly isolated = true;
  readonly #defaults: SandboxLimits;
  readonly #uids: UidPool | undefined;

  constructor(defaults: SandboxLimits, uids: UidPool | undefined) {
    this.#defaults = defaults;
    this.#uids = uids;
  }

  async run(spec: SandboxSpec): Promise<SandboxResult> {
    const limits = { ...this.#defaults, ...spec.limits };
    const uid = this.#uids ? await this.#uids.acquire() : undefined;
    const usage = new UsageSlot(uid);
    try {
      if (uid !== undefined) chownTree(spec.workspace, uid);
      const env: Record<string, string> = {
        PATH: SANDBOX_PATH,
        HOME: '/workspace',
        TMPDIR: '/tmp',
        LANG: 'C.UTF-8',
        PYTHONDONTWRITEBYTECODE: '1',
        ...spec.env,
      };
      return await spawnLimited({
        // GNU time runs inside the sandbox, as the sandbox's own child, so nothing of the run outlives us.
        argv: [
          ...bwrapArgs(spec, limits, env),
          '--bind',
          usage.dir,
          '/run/tasklane',
          '--',
          ...usage.prefix('/run/tasklane/usage'),
          ...spec.argv,
        ],
        addressSpaceMb: addressSpaceFor(spec.argv[0] ?? '', limits.memoryMb),
        limits,
        cwd: spec.workspace,
        // bwrap itself needs nothing from our environment; the sandbox gets `env` via --setenv.
        env: { PATH: '/usr/bin:/bin' },
        stdin: spec.stdin,
        signal: spec.signal,
        uid,
        workspace: spec.workspace,
        usage,
      });
    } finally {
      usage.remove();
      if (uid !== undefined) this.#uids!.release(uid);
    }
  }
}

function bwrapArgs(
  spec: SandboxSpec,
  limits: SandboxLimits,
  env: Record<string, string>,
): string[] {
  const args = [
    'bwrap',
    '--unshare-all',
    ...(spec.network ? ['--share-net'] : []),
    '--die-with-parent',
    '--new-session',
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
    '--ro-bind-try',
    '/etc/alternatives',
    '/etc/alternatives',
    '--ro-bind-try',
    '/etc/ld.so.cache',
    '/etc/ld.so.cache',
    '--ro-bind-try',
    '/etc/localtime',
    '/etc/localtime',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--size',
    String(limits.tmpMb * 1024 * 1024),
    '--tmpfs',
    '/tmp',
    '--bind',
    spec.workspace,
    '/workspace',
    '--chdir',
    '/workspace',
    '--hostname',
    'sandbox',
    '--clearenv',
  ];
  if (spec.network) {
    args.push('--ro-bind-try', '/etc/resolv.conf', '/etc/resolv.conf');
    args.push('--ro-bind-try', '/etc/hosts', '/etc/hosts');
    args.push('--ro-bind-try', '/etc/ssl', '/etc/ssl');
    args.push('--ro-bind-try', '/etc/ca-certificates', '/etc/ca-certificates');
  }
  for (const bind of spec.readOnlyBinds ?? []) args.push('--ro-bind', bind.host, bind.inside);
  for (const [key, value] of Object.entries(env)) args.push('--setenv', key, value);
  return args;
}

/**
 * The address-space rlimit is the memory cap for most programs. V8 reserves over a
 * gigabyte of virtual memory up front, so node gets room to start and is held to the
 * memory cap by --max-old-space-size instead (set by the code runner).
 */
function addressSpaceFor(program: string, memoryMb: number): number {
  return program === 'node' || program.endsWith('/node') ? Math.max(memoryMb, 4096) : memoryMb;
}

function chownTree(dir: string, uid: number): void {
  fs.chownSync(dir, uid, uid);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    fs.lchownSync(`${entry.parentPath}/${entry.name}`, uid, uid);
  }
}

/** The least bwrap that runs a program: every namespace, a read-only /usr, /proc and /dev. */
export const BARE_BWRAP_ARGS = [
  '--unshare-all',
  '--die-with-parent',
  '--ro-bind',
  '/usr',
  '/usr',
  '--symlink',
  'usr/bin',
  '/bin',
  '--symlink',
  'usr/lib',
  '/lib',
  '--symlink',
  'usr/lib64',
  '/lib64',
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
