/**
 * File access to a workspace after a sandboxed program has run in it. Its files may be
 * links to host paths, FIFOs or a million entries planted by that program, so the server
 * never resolves them: each operation is a short command run in the workspace's own
 * sandbox, as the workspace's uid, where a link can only reach what the sandbox sees and
 * a FIFO can only stall that command until its time limit. Bytes come back through
 * pipes: a file's first bytes, or a tar stream of out/ that the server unpacks in memory,
 * keeping only regular files by name.
 */
import path from 'node:path';
import { Readable, type Writable } from 'node:stream';
import type { Sandbox, SandboxLimits, SandboxWorkspace } from './sandbox.types.ts';
import type {
  CollectLimits,
  CollectReport,
  OutputFile,
  WorkspaceFileData,
  WorkspaceRead,
} from './workspace.types.ts';

/** Helpers are small: short time, little memory, no network. */
const HELPER_LIMITS: Partial<SandboxLimits> = { timeoutMs: 15_000, cpuSeconds: 10, processes: 16 };

const READ_SCRIPT = `p="$1"
if [ -d "$p" ]; then printf 'D\\n'; ls -A1 -- "$p" | head -n 200; exit 0; fi
if [ ! -e "$p" ]; then exit 2; fi
if [ ! -f "$p" ]; then exit 3; fi
printf 'F %s\\n' "$(stat -L -c %s -- "$p")"
exec head -c "$2" -- "$p"`;

const WRITE_SCRIPT = `p="$1"
mkdir -p -- "$(dirname -- "$p")" || exit 4
if [ -L "$p" ]; then exit 5; fi
if [ -e "$p" ] && [ ! -f "$p" ]; then exit 3; fi
cat > "$p" || exit 6`;

const COLLECT_SCRIPT =
  '[ -d out ] || exit 0; exec tar -c -f - --format=posix --one-file-system --hard-dereference out';

export class SandboxedFiles {
  readonly #sandbox: Sandbox;
  readonly #workspace: SandboxWorkspace;

  constructor(sandbox: Sandbox, workspace: SandboxWorkspace) {
    this.#sandbox = sandbox;
    this.#workspace = workspace;
  }

  async read(relative: string, maxBytes: number): Promise<WorkspaceRead> {
    const run = await this.#sandbox.run({
      argv: ['/bin/sh', '-c', READ_SCRIPT, 'sh', relative, String(maxBytes)],
      workspace: this.#workspace,
      stdout: 'bytes',
      limits: { ...HELPER_LIMITS, outputBytes: maxBytes + 64 * 1024 },
    });
    if (run.exitCode === 2) return { kind: 'missing' };
    if (run.exitCode === 3) return { kind: 'other' };
    const bytes = run.stdoutBytes ?? Buffer.alloc(0);
    const newline = bytes.indexOf(10);
    const header = bytes.subarray(0, newline < 0 ? bytes.length : newline).toString('utf8');
    const body = newline < 0 ? Buffer.alloc(0) : bytes.subarray(newline + 1);
    if (run.exitCode === 0 && header === 'D') {
      return { kind: 'directory', entries: body.toString('utf8').split('\n').filter(Boolean) };
    }
    const size = /^F (\d+)$/.exec(header)?.[1];
    if (size === undefined || (run.exitCode !== 0 && !run.timedOut))
      throw new Error(`the file could not be read${stderrNote(run.stderr)}`);
    if (run.timedOut) throw new Error('reading the file timed out (is it a pipe?)');
    return { kind: 'file', size: Number(size), content: body.subarray(0, maxBytes) };
  }

  async write(relative: string, data: WorkspaceFileData): Promise<void> {
    const run = await this.#sandbox.run({
      argv: ['/bin/sh', '-c', WRITE_SCRIPT, 'sh', relative],
      workspace: this.#workspace,
      stdin: data,
      limits: HELPER_LIMITS,
    });
    if (run.exitCode === 0) return;
    if (run.exitCode === 5) throw new Error('refusing to write through a symbolic link');
    if (run.exitCode === 3) throw new Error('the path exists and is not a regular file');
    if (run.timedOut) throw new Error('writing the file timed out (is it a pipe?)');
    throw new Error(`the file could not be written${stderrNote(run.stderr)}`);
  }

  /** Streams each regular file under out/ to `each`, in archive order. */
  async collect(
    limits: CollectLimits,
    each: (file: OutputFile) => Promise<void>,
  ): Promise<CollectReport> {
    const report: CollectReport = { skipped: [] };
    // Loaded by the first collection, not by a server that never runs code.
    const { default: tarStream } = await import('tar-stream');
    const extract = tarStream.extract();
    const running = this.#sandbox.run({
      argv: ['/bin/sh', '-c', COLLECT_SCRIPT],
      workspace: this.#workspace,
      // tar-stream's extractor is a streamx Writable: pipe-compatible, typed apart from Node's.
      stdout: extract as unknown as Writable,
      limits: { ...HELPER_LIMITS, timeoutMs: 120_000, cpuSeconds: 60 },
    });
    let count = 0;
    try {
      for await (const entry of extract) {
        const { name, size = 0, type } = entry.header;
        const relative = outputName(name);
        let reason: string | undefined;
        if (type !== 'file' && type !== 'contiguous-file') reason = undefined;
        else if (relative === undefined) reason = 'not a plain name under out/';
        else if (count >= limits.maxFiles) reason = `more than ${limits.maxFiles} files`;
        else if (size > limits.maxFileBytes) reason = `larger than ${limits.maxFileBytes} bytes`;
        else {
          count += 1;
          await each({ name: relative, size, stream: Readable.from(entry) });
        }
        if (reason && relative !== undefined) report.skipped.push({ name: relative, reason });
        entry.resume(); // drains what `each` left (or a skipped entry)
      }
    } catch (error) {
      report.skipped.push({ name: 'out/', reason: `archive ended early: ${String(error)}` });
    }
    const run = await running;
    if (run.timedOut) report.skipped.push({ name: 'out/', reason: 'collecting timed out' });
    return report;
  }
}

/** `out/a/b.txt` → `a/b.txt`; anything that is not a plain relative name under out/ → undefined. */
function outputName(name: string): string | undefined {
  if (!name.startsWith('out/') || name.includes('\0')) return undefined;
  const relative = path.posix.normalize(name.slice('out/'.length));
  if (relative === '.' || relative.startsWith('..') || path.posix.isAbsolute(relative))
    return undefined;
  return relative.replace(/\/$/, '');
}

function stderrNote(stderr: string): string {
  const line = stderr
    .trim()
    .split('\n')
    .pop()
    ?.replace(/^[^:]*: /, '');
  return line ? `: ${line.slice(0, 200)}` : '';
}
