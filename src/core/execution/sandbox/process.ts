/**
 * The process driver: no isolation at all — the command runs as the server's own user
 * with the same view of the filesystem and network. Only rlimits, the wall clock and
 * output caps apply. It exists for development machines without bubblewrap, and only
 * runs when the operator sets TASKLANE_SANDBOX_ALLOW_PROCESS=true.
 */
import type { Sandbox, SandboxLimits, SandboxResult, SandboxSpec } from '../sandbox.types.ts';
import { spawnLimited, UsageSlot } from './spawn-limited.ts';

export class ProcessSandbox implements Sandbox {
  readonly driver = 'process' as const;
  readonly isolated = false;
  readonly #defaults: SandboxLimits;

  constructor(defaults: SandboxLimits) {
    this.#defaults = defaults;
  }

  async run(spec: SandboxSpec): Promise<SandboxResult> {
    const limits = { ...this.#defaults, ...spec.limits };
    const program = spec.argv[0] ?? '';
    const usage = new UsageSlot(undefined);
    try {
      return await this.#spawn(spec, limits, program, usage);
    } finally {
      usage.remove();
    }
  }

  #spawn(
    spec: SandboxSpec,
    limits: SandboxLimits,
    program: string,
    usage: UsageSlot,
  ): Promise<SandboxResult> {
    return spawnLimited({
      argv: [...usage.prefix(`${usage.dir}/usage`), ...spec.argv],
      usage,
      addressSpaceMb: program === 'node' ? Math.max(limits.memoryMb, 4096) : limits.memoryMb,
      limits,
      cwd: spec.workspace,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: spec.workspace,
        LANG: 'C.UTF-8',
        ...spec.env,
      },
      stdin: spec.stdin,
      signal: spec.signal,
      workspace: spec.workspace,
    });
  }
}
