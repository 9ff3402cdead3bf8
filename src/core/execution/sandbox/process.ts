/**
 * The process driver: no isolation at all — the command runs as the server's own user
 * with the same view of the filesystem and network. Only rlimits (and the memory cgroup
 * where the host has one), the wall clock and output caps apply. It exists for
 * development machines without bubblewrap, and only runs when the operator sets
 * TASKLANE_SANDBOX_ALLOW_PROCESS=true.
 */
import type {
  PreparedCommand,
  Sandbox,
  SandboxLimits,
  SandboxResult,
  SandboxSpec,
} from '../sandbox.types.ts';
import { writeHostFile } from '../workspace-host.ts';
import type { Cgroups } from './cgroups.ts';
import { prepareLaunch } from './launch.ts';
import { spawnLimited } from './spawn-limited.ts';

export class ProcessSandbox implements Sandbox {
  readonly driver = 'process' as const;
  readonly isolated = false;
  readonly memoryControl;
  readonly #defaults: SandboxLimits;
  readonly #cgroups: Cgroups | undefined;
  readonly #hostPath: string;

  constructor(defaults: SandboxLimits, cgroups: Cgroups | undefined, hostPath: string) {
    this.#defaults = defaults;
    this.#cgroups = cgroups;
    this.#hostPath = hostPath;
    this.memoryControl = cgroups ? (`cgroup-${cgroups.version}` as const) : ('rlimit' as const);
  }

  async run(spec: SandboxSpec): Promise<SandboxResult> {
    const limits = { ...this.#defaults, ...spec.limits };
    // No private mounts here: data files are written where the command expects them.
    for (const file of spec.dataFiles ?? []) {
      if (!file.inside.startsWith('/workspace/'))
        throw new Error(`the process driver places data files in /workspace only (${file.inside})`);
      await writeHostFile(
        spec.workspace.dir,
        file.inside.slice('/workspace/'.length),
        file.content,
        undefined,
      );
    }
    const prepared = await this.prepare(spec);
    return spawnLimited({
      prepared,
      limits,
      cwd: spec.workspace.dir,
      env: {
        PATH: this.#hostPath,
        HOME: spec.workspace.dir,
        LANG: 'C.UTF-8',
        ...spec.env,
      },
      stdin: spec.stdin,
      stdout: spec.stdout,
      signal: spec.signal,
      workspace: spec.workspace,
    });
  }

  async prepare(spec: Omit<SandboxSpec, 'stdin' | 'stdout' | 'signal'>): Promise<PreparedCommand> {
    spec.workspace.taint();
    const limits = { ...this.#defaults, ...spec.limits };
    const launch = await prepareLaunch(this.#cgroups, limits, undefined, spec.argv[0] ?? '');
    return { argv: [...launch.prefix, ...spec.argv], finish: launch.finish };
  }
}
