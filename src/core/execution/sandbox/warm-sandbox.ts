/**
 * A bubblewrap sandbox started before its run is known (the warm pool's unit). The
 * launch chain, cgroup, uid, rlimits, namespaces and mounts are set up exactly as for
 * a cold run; inside, instead of the program, a small bash stub runs as the sandbox's
 * uid. It says "ready" on fd 4, then waits on fd 3 for the run: NUL-terminated strings
 * (the count of environment entries, the entries, the argv), and execs it with exactly
 * that environment. Exec keeps the pid, so the program is where the stub was: in the
 * cgroup, under the rlimits, a child of bwrap.
 *
 * What decides the sandbox (network, read-only binds, the limits bwrap, prlimit and
 * the cgroup hold, the address-space rule for the program) is its key; a run with
 * another key, data files or a run directory (mounted at start) does not fit and the
 * caller runs it cold. The wall clock and the output cap are the run's own.
 */
import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type {
  PreparedCommand,
  SandboxLimits,
  SandboxResult,
  SandboxSpec,
  SandboxWorkspace,
  WarmSandbox,
} from '../sandbox.types.ts';
import { addressSpaceFor } from './launch.ts';
import { superviseLimited } from './spawn-limited.ts';

/** The stub's argv inside the sandbox (bash: `mapfile -d ''` reads NUL-separated strings). */
export const WARM_STUB = [
  'bash',
  '-c',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's own ${…} expansions
  'printf r >&4 && exec 4>&- && mapfile -d "" -t a <&3 && exec 3<&- && n=${a[0]} && exec env -i -- "${a[@]:1:n}" "${a[@]:n+1}"',
  'tasklane-warm',
];

/** How long a stub may take to come up before the start counts as failed. */
const READY_TIMEOUT_MS = 10_000;

export interface WarmKeyParts {
  network?: boolean;
  readOnlyBinds?: { host: string; inside: string }[];
  limits: SandboxLimits;
  program: string;
}

/** What a sandbox is started with, as one comparable string (host-side limits left out). */
export function warmKey(parts: WarmKeyParts): string {
  const { timeoutMs: _timeout, outputBytes: _output, ...held } = parts.limits;
  return JSON.stringify([
    !!parts.network,
    parts.readOnlyBinds ?? [],
    held,
    addressSpaceFor(parts.program, parts.limits.memoryMb),
  ]);
}

/** The request the stub reads, or undefined when the spec cannot be passed that way. */
function encodeRun(argv: string[], env: Record<string, string>): Buffer | undefined {
  const entries = Object.entries(env).map(([name, value]) => `${name}=${value}`);
  // env(1) takes the first word without "=" as the program; names may not hold "=".
  if (!argv[0] || argv[0].includes('=')) return undefined;
  if (Object.keys(env).some((name) => name === '' || name.includes('='))) return undefined;
  const words = [String(entries.length), ...entries, ...argv];
  if (words.some((word) => word.includes('\0'))) return undefined;
  return Buffer.from(words.map((word) => `${word}\0`).join(''));
}

export interface WarmStart {
  child: ChildProcess;
  key: string;
  workspace: SandboxWorkspace;
  prepared: PreparedCommand;
  defaults: SandboxLimits;
  /** The environment a cold run of `env` would get (bwrap's --setenv list). */
  environment(env: Record<string, string> | undefined): Record<string, string>;
}

/** Waits for the spawned stub to say it is ready; a stub that dies first fails with bwrap's words. */
export async function startWarm(start: WarmStart): Promise<WarmSandbox> {
  const { child } = start;
  const ready = child.stdio[4] as Readable;
  try {
    await new Promise<void>((resolve, reject) => {
      const fail = (why: string) => {
        const said = (child.stderr?.read() as Buffer | null)?.toString('utf8').trim();
        reject(new Error(`warm sandbox did not start: ${said || why}`));
      };
      const timer = setTimeout(() => fail('no answer in time'), READY_TIMEOUT_MS);
      let said = false;
      ready.once('data', () => {
        said = true;
        clearTimeout(timer);
        resolve();
      });
      ready.once('end', () => {
        clearTimeout(timer);
        // After 'data', the end is the stub closing fd 4 as it should.
        if (!said) fail('the stub exited');
      });
      child.once('error', (error) => fail(error.message));
    });
  } catch (error) {
    await discardChild(child, start.prepared);
    throw error;
  }
  ready.resume(); // let fd 4 end (the stub closed it)
  return new BwrapWarmSandbox(start);
}

class BwrapWarmSandbox implements WarmSandbox {
  readonly #start: WarmStart;
  #taken = false;
  #discarded: Promise<void> | undefined;

  constructor(start: WarmStart) {
    this.#start = start;
  }

  get alive(): boolean {
    const { child } = this.#start;
    return !this.#taken && child.exitCode === null && child.signalCode === null;
  }

  tryRun(spec: SandboxSpec): Promise<SandboxResult> | undefined {
    const start = this.#start;
    const limits = { ...start.defaults, ...spec.limits };
    const request =
      spec.workspace === start.workspace &&
      !spec.dataFiles?.length &&
      !spec.runDir &&
      warmKey({ ...spec, limits, program: spec.argv[0] ?? '' }) === start.key
        ? encodeRun(spec.argv, start.environment(spec.env))
        : undefined;
    if (!request || !this.alive) {
      void this.discard();
      return undefined;
    }
    this.#taken = true;
    spec.workspace.taint();
    return superviseLimited(start.child, {
      prepared: start.prepared,
      limits,
      stdin: spec.stdin,
      stdout: spec.stdout,
      fdData: [request],
      signal: spec.signal,
      workspace: spec.workspace,
      warm: true,
    });
  }

  discard(): Promise<void> {
    if (this.#taken && !this.#discarded) return Promise.resolve(); // ran: its run reported
    this.#taken = true;
    this.#discarded ??= discardChild(this.#start.child, this.#start.prepared);
    return this.#discarded;
  }
}

/** Kills the stub's process group, waits for it to go, and removes its cgroup. */
async function discardChild(child: ChildProcess, prepared: PreparedCommand): Promise<void> {
  const running = child.exitCode === null && child.signalCode === null;
  const gone = running
    ? new Promise((resolve) => {
        child.once('exit', resolve);
        setTimeout(resolve, 5000).unref(); // never wait forever on a process the kernel holds
      })
    : undefined;
  try {
    if (child.pid !== undefined && running) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
  for (const stream of [child.stdout, child.stderr]) stream?.resume();
  child.stdin?.destroy();
  child.stdio[3]?.destroy();
  await gone;
  await prepared.finish().catch(() => {});
}
