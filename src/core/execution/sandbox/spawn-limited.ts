/**
 * The part both drivers share: spawn a command line under prlimit, enforce the wall
 * clock, cancellation and the workspace quota by killing the whole process group, and
 * capture capped output. CPU and memory figures come from GNU time (when installed),
 * which the driver places in the command line, writing to a per-run usage file.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CappedOutput } from '../output-capture.ts';
import type { SandboxLimits, SandboxResult } from '../sandbox.types.ts';

const GNU_TIME = '/usr/bin/time';
const hasGnuTime = fs.existsSync(GNU_TIME);

/** A private directory for one run's usage report (owned by the sandbox uid, if any). */
export class UsageSlot {
  readonly dir: string;
  constructor(uid: number | undefined) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-usage-'));
    if (uid !== undefined) fs.chownSync(this.dir, uid, uid);
  }

  /** The GNU time prefix that writes the report to `file` (as the measured command sees it). */
  prefix(file: string): string[] {
    return hasGnuTime ? [GNU_TIME, '-q', '-f', '%U %S %M', '-o', file] : [];
  }

  /** The report, read without following links (the run could have planted one). */
  read(): string {
    try {
      const fd = fs.openSync(
        path.join(this.dir, 'usage'),
        fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW,
      );
      try {
        return fs.readFileSync(fd, 'utf8').slice(0, 4096);
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return '';
    }
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface LimitedCommand {
  /** The command after prlimit (e.g. bwrap … -- python3 main.py). */
  argv: string[];
  /** Extra rlimits prlimit sets: address space differs per runtime. */
  addressSpaceMb: number;
  limits: SandboxLimits;
  cwd: string;
  env: Record<string, string>;
  stdin?: string;
  signal?: AbortSignal;
  /** Run as this uid/gid (the server runs as root). */
  uid?: number;
  /** Directory whose total size is watched against limits.workspaceMb. */
  workspace: string;
  /** Where GNU time (placed in argv by the driver) writes its report. */
  usage: UsageSlot;
}

export async function spawnLimited(command: LimitedCommand): Promise<SandboxResult> {
  const { limits } = command;
  const prlimit = [
    'prlimit',
    `--cpu=${limits.cpuSeconds}`,
    `--as=${command.addressSpaceMb * 1024 * 1024}`,
    `--nproc=${limits.processes}`,
    `--fsize=${limits.fileSizeMb * 1024 * 1024}`,
    `--nofile=${limits.openFiles}`,
    '--core=0',
    '--',
  ];
  // prlimit execs the next program, so the driver's first program is our direct child
  // (bwrap's --die-with-parent then ties the sandbox's life to this process).
  const argv = [...prlimit, ...command.argv];

  const started = performance.now();
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: command.cwd,
    env: command.env,
    // Its own process group, so one kill reaches every descendant outside the namespaces too.
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(command.uid !== undefined ? { uid: command.uid, gid: command.uid } : {}),
  });
  const stdout = new CappedOutput(limits.outputBytes);
  const stderr = new CappedOutput(limits.outputBytes);
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  child.stdin.on('error', () => {}); // the command may exit without reading stdin
  child.stdin.end(command.stdin ?? '');

  let timedOut = false;
  let cancelled = false;
  let workspaceExceeded = false;
  const kill = () => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    kill();
  }, limits.timeoutMs);
  const onAbort = () => {
    cancelled = true;
    kill();
  };
  if (command.signal?.aborted) onAbort();
  command.signal?.addEventListener('abort', onAbort, { once: true });
  const quotaBytes = limits.workspaceMb * 1024 * 1024;
  const watcher = setInterval(() => {
    if (directorySize(command.workspace, quotaBytes) > quotaBytes) {
      workspaceExceeded = true;
      kill();
    }
  }, 250);

  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(
    (resolve) => {
      child.on('error', () => resolve([null, null]));
      child.on('close', (code, sig) => resolve([code, sig]));
    },
  );
  clearTimeout(timer);
  clearInterval(watcher);
  command.signal?.removeEventListener('abort', onAbort);
  if (!workspaceExceeded && directorySize(command.workspace, quotaBytes) > quotaBytes)
    workspaceExceeded = true;

  const usage = parseUsage(command.usage.read());
  const killed = timedOut || cancelled || workspaceExceeded;
  return {
    exitCode: killed ? null : exitCode,
    signal: killed ? 'SIGKILL' : (signal ?? usage.signal),
    stdout: stdout.text(),
    stderr: stderr.text(),
    stdoutTruncated: stdout.truncated,
    stderrTruncated: stderr.truncated,
    timedOut,
    cancelled,
    workspaceExceeded,
    durationMs: Math.round(performance.now() - started),
    cpuMs: usage.cpuMs,
    maxRssKb: usage.maxRssKb,
  };
}

/** GNU time's report: "Command terminated by signal N" lines, then "%U %S %M". */
function parseUsage(text: string): {
  cpuMs: number | null;
  maxRssKb: number | null;
  signal: string | null;
} {
  if (!text.trim()) return { cpuMs: null, maxRssKb: null, signal: null };
  const lines = text.trim().split('\n');
  const [user, sys, rss] = (lines.at(-1) ?? '').split(' ').map(Number);
  const signalMatch = /terminated by signal (\d+)/.exec(text);
  return {
    cpuMs: Number.isFinite(user) && Number.isFinite(sys) ? Math.round((user! + sys!) * 1000) : null,
    maxRssKb: Number.isFinite(rss) ? rss! : null,
    signal: signalMatch ? signalName(Number(signalMatch[1])) : null,
  };
}

function signalName(number: number): string {
  const entry = Object.entries(os.constants.signals).find(([, n]) => n === number);
  return entry ? entry[0] : `SIG${number}`;
}

/** Total bytes under dir, stopping early once past `stopAt`. */
export function directorySize(dir: string, stopAt = Number.POSITIVE_INFINITY): number {
  let total = 0;
  const stack = [dir];
  while (stack.length > 0 && total <= stopAt) {
    const current = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(current, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) stack.push(full);
      else if (entry.isFile()) {
        try {
          total += fs.statSync(full).size;
        } catch {
          // Deleted meanwhile.
        }
      }
    }
  }
  return total;
}
