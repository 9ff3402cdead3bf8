/**
 * Files in a user's workspace (CMBCluster's /user-files). The workspace is where the
 * user's environments run, so its contents are hostile (docs/security.md): every
 * operation is a short command run in the workspace's own sandbox, as its uid, and bytes
 * travel through pipes. A `filename` is a name, never a path. Uploads stream to a
 * temporary name and are renamed into place only once complete and within the limits
 * (100 MB a file, 1 GB a user by default); anything over is removed.
 */
import { randomBytes } from 'node:crypto';
import { PassThrough, type Readable, Transform } from 'node:stream';
import { recordActivity } from '../activity/activity.service.ts';
import type { Ctx, UserActor } from '../context.ts';
import { DomainError, invalid, notFound } from '../errors.ts';
import type { Sandbox, SandboxLimits, SandboxResult } from '../execution/sandbox.types.ts';
import { requireUser } from '../identity/users.service.ts';
import { openUserWorkspace, requireSandbox, type UserWorkspace } from './user-workspace.ts';

export interface UserFile {
  filename: string;
  sizeBytes: number;
  /** Modification time (epoch ms): the file's creation as far as the user can tell. */
  createdAt: number;
}

// processes: RLIMIT_NPROC counts every process of the workspace's uid, including the
// zombies bubblewrap's namespace init leaves for the host's PID 1 to reap after each
// run (one per run, reaped within moments): a burst of file operations must fit.
const HELPER: Partial<SandboxLimits> = { timeoutMs: 15_000, cpuSeconds: 10, processes: 64 };
const UPLOAD_PREFIX = '.tasklane-upload-';
const MAX_LISTED = 1000;

const LIST_SCRIPT = `find . -mindepth 1 -maxdepth 1 -type f ! -name '${UPLOAD_PREFIX}*' -printf '%s %T@ %f\\0' | head -z -n ${MAX_LISTED}`;
const STAT_SCRIPT = `p="$1"
if [ -L "$p" ]; then exit 3; fi
if [ ! -e "$p" ]; then exit 2; fi
if [ ! -f "$p" ]; then exit 3; fi
stat -c '%s %Y' -- "$p"`;
const READ_SCRIPT = `p="$1"
if [ -L "$p" ] || [ ! -f "$p" ]; then exit 2; fi
exec cat -- "$p"`;
const RECEIVE_SCRIPT = 'set -C; exec cat > "$1"';
const COMMIT_SCRIPT = `src="$1"; dest="$2"
if [ -L "$dest" ] || { [ -e "$dest" ] && [ ! -f "$dest" ]; }; then rm -f -- "$src"; exit 3; fi
exec mv -f -T -- "$src" "$dest"`;
const REMOVE_SCRIPT = `p="$1"
if [ -L "$p" ] || [ ! -e "$p" ] || [ ! -f "$p" ]; then exit 2; fi
exec rm -f -- "$p"`;

/** A file name as the spec uses it: one name in the workspace, never a path. */
export function checkFilename(filename: string): string {
  if (
    filename.length === 0 ||
    Buffer.byteLength(filename) > 255 ||
    filename === '.' ||
    filename === '..' ||
    filename.includes('/') ||
    filename.includes('\\') ||
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
    /[\u0000-\u001f\u007f]/.test(filename) ||
    filename.startsWith(UPLOAD_PREFIX)
  )
    throw invalid(
      'filename',
      'filename must be a plain file name (no path, no control characters)',
    );
  return filename;
}

async function workspaceOf(
  ctx: Ctx,
): Promise<{ actor: UserActor; sandbox: Sandbox; workspace: UserWorkspace }> {
  const actor = requireUser(ctx);
  const sandbox = requireSandbox(ctx);
  const workspace = await openUserWorkspace(ctx, actor);
  return { actor, sandbox, workspace };
}

function helper(
  sandbox: Sandbox,
  workspace: UserWorkspace,
  script: string,
  args: string[],
  extra: {
    stdin?: Readable;
    stdout?: 'bytes' | PassThrough;
    limits?: Partial<SandboxLimits>;
    signal?: AbortSignal;
  } = {},
): Promise<SandboxResult> {
  return sandbox.run({
    argv: ['/bin/sh', '-c', script, 'sh', ...args],
    workspace,
    limits: { ...HELPER, ...extra.limits },
    stdin: extra.stdin,
    stdout: extra.stdout,
    signal: extra.signal,
  });
}

export async function listUserFiles(ctx: Ctx): Promise<UserFile[]> {
  const { sandbox, workspace } = await workspaceOf(ctx);
  const run = await helper(sandbox, workspace, LIST_SCRIPT, [], { stdout: 'bytes' });
  if (run.exitCode !== 0) throw new DomainError('internal', 'Listing the workspace failed');
  const files: UserFile[] = [];
  for (const entry of (run.stdoutBytes ?? Buffer.alloc(0)).toString('utf8').split('\0')) {
    const match = /^(\d+) (\d+)(?:\.\d+)? (.+)$/s.exec(entry);
    if (!match) continue;
    files.push({
      filename: match[3]!,
      sizeBytes: Number(match[1]),
      createdAt: Number(match[2]) * 1000,
    });
  }
  return files.sort((a, b) => a.filename.localeCompare(b.filename));
}

/** Size and time of a regular file; links, directories and the like are "not found". */
async function statFile(
  sandbox: Sandbox,
  workspace: UserWorkspace,
  filename: string,
): Promise<UserFile> {
  const run = await helper(sandbox, workspace, STAT_SCRIPT, [filename]);
  const match = /^(\d+) (\d+)/.exec(run.stdout);
  if (run.exitCode !== 0 || !match) throw notFound('File');
  return { filename, sizeBytes: Number(match[1]), createdAt: Number(match[2]) * 1000 };
}

/** The file's size and a stream of its bytes, read in the sandbox. */
export async function downloadUserFile(
  ctx: Ctx,
  filename: string,
): Promise<{ file: UserFile; stream: Readable }> {
  const name = checkFilename(filename);
  const { sandbox, workspace } = await workspaceOf(ctx);
  const file = await statFile(sandbox, workspace, name);
  const stream = new PassThrough();
  helper(sandbox, workspace, READ_SCRIPT, [name], {
    stdout: stream,
    limits: { timeoutMs: 10 * 60_000, cpuSeconds: 600 },
  })
    .then((run) => {
      if (run.exitCode !== 0) stream.destroy(new Error('the file could not be read'));
    })
    .catch((error: unknown) => stream.destroy(error as Error));
  return { file, stream };
}

/**
 * Streams an upload into the workspace. The bytes are counted as they pass; past the
 * per-file limit or the user's remaining space the transfer stops, the partial file is
 * removed and the caller gets a 413.
 */
export async function uploadUserFile(
  ctx: Ctx,
  filename: string,
  content: Readable,
): Promise<UserFile> {
  const name = checkFilename(filename);
  const { actor, sandbox, workspace } = await workspaceOf(ctx);
  const limits = ctx.config.cmbcluster.userFiles;
  const room = limits.maxTotalBytes - (await workspace.usedBytes());
  const cap = Math.min(limits.maxFileBytes, room);
  const tooLarge = () =>
    new DomainError(
      'payload_too_large',
      cap === limits.maxFileBytes
        ? `File exceeds the ${limits.maxFileBytes} byte limit`
        : `Workspace storage limit of ${limits.maxTotalBytes} bytes reached`,
    );
  if (cap <= 0) {
    content.resume();
    throw tooLarge();
  }
  const temp = `${UPLOAD_PREFIX}${randomBytes(12).toString('hex')}`;
  const abort = new AbortController();
  let received = 0;
  let over = false;
  let sourceError: Error | undefined;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      received += chunk.length;
      if (received > cap) {
        over = true;
        abort.abort(); // kill the writer first, so the partial file is never committed
        done(tooLarge());
        return;
      }
      done(null, chunk);
    },
  });
  // Errors are read from `over` and `sourceError`; the writer may not be listening yet.
  counter.on('error', () => {});
  content.on('error', (error) => {
    sourceError = error;
    abort.abort();
    counter.destroy(error);
  });
  content.pipe(counter);
  const run = await helper(sandbox, workspace, RECEIVE_SCRIPT, [temp], {
    stdin: counter,
    signal: abort.signal,
    limits: {
      timeoutMs: 30 * 60_000,
      cpuSeconds: 600,
      fileSizeMb: Math.ceil(limits.maxFileBytes / (1024 * 1024)) + 1,
    },
  });
  // A truncated body (the client went away) is as incomplete as an oversized one.
  if (over || sourceError || content.readableAborted || run.exitCode !== 0) {
    content.resume();
    await helper(sandbox, workspace, 'rm -f -- "$1"', [temp]).catch(() => {});
    if (over) throw tooLarge();
    throw new DomainError('validation', 'The upload did not complete');
  }
  const commit = await helper(sandbox, workspace, COMMIT_SCRIPT, [temp, name]);
  if (commit.exitCode !== 0) {
    await helper(sandbox, workspace, 'rm -f -- "$1"', [temp]).catch(() => {});
    throw invalid('filename', 'a directory or link of that name is in the way');
  }
  const file = await statFile(sandbox, workspace, name);
  await recordActivity(ctx, {
    userId: actor.userId,
    tenantId: actor.tenantId,
    action: 'file_uploaded',
    details: `Uploaded ${name}`,
  });
  return file;
}

export async function deleteUserFile(ctx: Ctx, filename: string): Promise<void> {
  const name = checkFilename(filename);
  const { actor, sandbox, workspace } = await workspaceOf(ctx);
  const run = await helper(sandbox, workspace, REMOVE_SCRIPT, [name]);
  if (run.exitCode !== 0) throw notFound('File');
  await recordActivity(ctx, {
    userId: actor.userId,
    tenantId: actor.tenantId,
    action: 'file_deleted',
    details: `Deleted ${name}`,
  });
}
