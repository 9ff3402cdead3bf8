/**
 * `mount` and `umount` for workspaces, run by one long-lived /bin/sh instead of a
 * spawn per call. Spawning from the server forks the whole server process, and the
 * fork blocks the event loop for as long as the kernel takes to copy its page tables:
 * about 5 ms at 50 MB of RSS and 17 ms at 350 MB, measured here. A code task mounts
 * and unmounts its workspace, so that was two such stalls per task (issue 15); the
 * helper shell is a few MB and forks in well under a millisecond.
 *
 * The shell runs only mount and umount (it refuses anything else), one command at a
 * time in order, with arguments passed as lines (never parsed by the shell); it exits
 * when its stdin closes, so it never outlives the server (one per process, shared).
 * If it cannot start, calls fall back to a plain spawn; if it dies, calls in flight
 * fail and the next call starts a new one.
 */
import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

const exec = promisify(execFile);

// Reads a count line, then that many argument lines; runs the command; answers one
// line: the exit code and the command's stderr folded onto that line.
const LOOP = `while IFS= read -r n; do
  set --
  i=0
  while [ "$i" -lt "$n" ]; do IFS= read -r a || exit 0; set -- "$@" "$a"; i=$((i+1)); done
  case "$1" in
    mount|umount) err=$("$@" 2>&1 >/dev/null); code=$? ;;
    *) err="refused: $1"; code=126 ;;
  esac
  printf '%s %s\\n' "$code" "$(printf '%s' "$err" | tr '\\n' ' ')"
done`;

type Command = 'mount' | 'umount';

interface Pending {
  resolve: () => void;
  reject: (error: Error) => void;
  argv: string[];
}

export class MountCommands {
  #shell: ChildProcessWithoutNullStreams | undefined;
  readonly #pending: Pending[] = [];
  #broken = false;

  /** Runs `command args…`; rejects with its stderr when it exits non-zero. */
  run(command: Command, args: string[]): Promise<void> {
    const argv = [command, ...args];
    if (argv.some((arg) => arg.includes('\n') || arg.includes('\0'))) {
      return Promise.reject(new Error(`${command}: an argument holds a line break`));
    }
    const shell = this.#ensure();
    if (!shell) return exec(command, args).then(() => undefined);
    return new Promise((resolve, reject) => {
      // Referenced while a call waits, so the process stays up to hear the answer.
      if (this.#pending.length === 0) handle(shell.stdout).ref();
      this.#pending.push({ resolve, reject, argv });
      shell.stdin.write(`${argv.length}\n${argv.join('\n')}\n`);
    });
  }

  #ensure(): ChildProcessWithoutNullStreams | undefined {
    if (this.#shell || this.#broken) return this.#shell;
    let shell: ChildProcessWithoutNullStreams;
    try {
      shell = spawn('/bin/sh', ['-c', LOOP], { stdio: 'pipe' });
    } catch {
      this.#broken = true;
      return undefined;
    }
    // Not a reason to keep the process alive by itself (only while a call waits).
    shell.unref();
    for (const stream of [shell.stdin, shell.stdout, shell.stderr]) handle(stream).unref();
    shell.stdin.on('error', () => {});
    shell.stderr.resume();
    createInterface({ input: shell.stdout }).on('line', (line) => {
      const call = this.#pending.shift();
      if (!call) return;
      if (this.#pending.length === 0) handle(shell.stdout).unref();
      const space = line.indexOf(' ');
      const code = Number(space < 0 ? line : line.slice(0, space));
      if (code === 0) call.resolve();
      else
        call.reject(
          new Error(`${call.argv.join(' ')} exited ${code}: ${line.slice(space + 1).trim()}`),
        );
    });
    const lost = () => {
      if (this.#shell !== shell) return;
      this.#shell = undefined;
      // Whether a call in flight ran is unknown: it fails, and the next call starts a
      // new shell.
      for (const call of this.#pending.splice(0))
        call.reject(new Error(`${call.argv.join(' ')}: the mount helper exited`));
    };
    shell.on('exit', lost);
    shell.on('error', () => {
      this.#broken = true;
      lost();
    });
    this.#shell = shell;
    return shell;
  }
}

/** A child's pipe is a socket: it can stop (or resume) holding the process alive. */
function handle(stream: object): { ref(): void; unref(): void } {
  return stream as { ref(): void; unref(): void };
}
