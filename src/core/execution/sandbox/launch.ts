/**
 * The command line every sandboxed run starts with, before the driver's own program:
 *
 *   sh (joins the run's cgroups, as root) → setpriv (drops to the run's uid) →
 *   prlimit (rlimits) → bwrap …
 *
 * Each step execs the next, so the driver's program keeps the pid we spawned (bwrap's
 * --die-with-parent then ties the sandbox to this process) and the process is in its
 * cgroups before anything untrusted runs: a child forked earlier would escape the cap.
 */
import type { PreparedCommand, SandboxLimits } from '../sandbox.types.ts';
import type { Cgroups, RunCgroup } from './cgroups.ts';

// Writes its own pid to every cgroup.procs file named before "--", then execs the rest.
const JOIN_CGROUPS =
  'while [ "$1" != "--" ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"';

export interface LaunchOptions {
  limits: SandboxLimits;
  /** The run's unprivileged uid (the server runs as root); absent: stay who we are. */
  uid: number | undefined;
  /** The run's cgroups; absent: memory is capped by the address-space rlimit instead. */
  cgroup: RunCgroup | undefined;
  /** RLIMIT_AS when no cgroup holds memory (V8 needs more than it uses; see runtimes.ts). */
  addressSpaceMb: number;
}

export function launchPrefix(options: LaunchOptions): string[] {
  const { limits, uid, cgroup } = options;
  const prefix: string[] = [];
  if (cgroup && cgroup.procsFiles.length > 0)
    prefix.push('/bin/sh', '-c', JOIN_CGROUPS, 'sh', ...cgroup.procsFiles, '--');
  if (uid !== undefined)
    prefix.push('setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--');
  prefix.push(
    'prlimit',
    `--cpu=${limits.cpuSeconds}`,
    ...(cgroup ? [] : [`--as=${options.addressSpaceMb * 1024 * 1024}`]),
    `--nproc=${limits.processes}`,
    `--fsize=${limits.fileSizeMb * 1024 * 1024}`,
    `--nofile=${limits.openFiles}`,
    '--core=0',
    '--',
  );
  return prefix;
}

/**
 * A run's launch: its cgroup (when the host has them), the prefix that joins it and drops
 * privileges, and `finish`, which reads the run's usage and removes the group.
 */
export async function prepareLaunch(
  cgroups: Cgroups | undefined,
  limits: SandboxLimits,
  uid: number | undefined,
  program: string,
): Promise<{ prefix: string[]; finish: PreparedCommand['finish'] }> {
  const cgroup = await cgroups?.create({
    memoryBytes: limits.memoryMb * 1024 * 1024,
    pids: limits.processes,
  });
  const prefix = launchPrefix({
    limits,
    uid,
    cgroup,
    addressSpaceMb: addressSpaceFor(program, limits.memoryMb),
  });
  let finished: ReturnType<PreparedCommand['finish']> | undefined;
  const finish = () => {
    finished ??= (async () => {
      if (!cgroup) return { cpuMs: null, maxRssKb: null, memoryExceeded: false };
      try {
        const usage = await cgroup.usage();
        return {
          cpuMs: usage.cpuMs,
          maxRssKb: usage.peakMemoryKb,
          memoryExceeded: usage.oomKilled,
        };
      } finally {
        await cgroup.remove();
      }
    })();
    return finished;
  };
  return { prefix, finish };
}

/**
 * Without cgroups the address-space rlimit is the memory cap. V8 reserves over a
 * gigabyte of virtual memory up front, so node gets room to start and is held by
 * --max-old-space-size instead (set by the code runner); the cgroup holds it otherwise.
 */
export function addressSpaceFor(program: string, memoryMb: number): number {
  return program === 'node' || program.endsWith('/node') ? Math.max(memoryMb, 4096) : memoryMb;
}
