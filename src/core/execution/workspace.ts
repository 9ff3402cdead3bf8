/**
 * A task's workspace: a fresh directory under the data dir, mounted at /workspace in
 * the sandbox. Files the run writes to `out/` become artifacts. Paths from users are
 * confined to the workspace.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DomainError } from '../errors.ts';

export interface OutputFile {
  /** Path relative to out/, with forward slashes. */
  name: string;
  path: string;
  size: number;
}

export class Workspace {
  readonly dir: string;

  private constructor(dir: string) {
    this.dir = dir;
  }

  /** Creates `<root>/<id>` empty (removing leftovers of an earlier attempt) with an out/ dir. */
  static create(root: string, id: string): Workspace {
    if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new Error(`bad workspace id ${id}`);
    fs.mkdirSync(root, { recursive: true, mode: 0o711 });
    const dir = path.join(root, id);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(path.join(dir, 'out'), { recursive: true, mode: 0o700 });
    fs.chmodSync(dir, 0o700);
    return new Workspace(dir);
  }

  get outDir(): string {
    return path.join(this.dir, 'out');
  }

  /** Resolves a user-supplied relative path, refusing anything that escapes the workspace. */
  resolve(relative: string): string {
    if (relative.includes('\0') || path.isAbsolute(relative)) throw traversal(relative);
    const full = path.resolve(this.dir, relative);
    if (full !== this.dir && !full.startsWith(this.dir + path.sep)) throw traversal(relative);
    return full;
  }

  write(relative: string, content: string | Uint8Array): void {
    const full = this.resolve(relative);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  }

  /** Regular files under out/ (symlinks are ignored: they could point outside). */
  outputs(limit = 100): OutputFile[] {
    const files: OutputFile[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (files.length >= limit) return;
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.isFile()) {
          files.push({
            name: path.relative(this.outDir, full).split(path.sep).join('/'),
            path: full,
            size: fs.statSync(full).size,
          });
        }
      }
    };
    if (fs.existsSync(this.outDir)) walk(this.outDir);
    return files;
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function traversal(relative: string): DomainError {
  return new DomainError(
    'validation',
    `path "${relative}" is outside the workspace`,
    { field: 'path', issue: 'path traversal' },
    [
      {
        location: ['body', 'files'],
        message: `path "${relative}" is outside the workspace`,
        type: 'value_error.path',
      },
    ],
  );
}

/**
 * Where workspaces live: `<data dir>/workspaces`. When sandboxes run as other uids,
 * they must be able to traverse to their own workspace (bwrap binds it as that uid), so
 * the data dir gets the traverse-only bit (o+x, no listing). If a parent we do not own
 * blocks traversal, workspaces go under the system temp dir instead.
 */
export function prepareWorkspaceRoot(
  dataDir: string,
  perRunUid: boolean,
  warn: (message: string) => void,
): string {
  const root = path.join(dataDir, 'workspaces');
  fs.mkdirSync(root, { recursive: true, mode: 0o711 });
  if (!perRunUid) return root;
  fs.chmodSync(root, 0o711);
  const dataDirReal = fs.realpathSync(dataDir);
  let blocked = false;
  for (let dir = dataDirReal; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const mode = fs.statSync(dir).mode;
    if ((mode & 0o001) !== 0) continue;
    if (dir === dataDirReal) fs.chmodSync(dir, (mode & 0o777) | 0o001);
    else blocked = true;
  }
  if (!blocked) return root;
  const fallback = path.join(os.tmpdir(), `tasklane-workspaces-${process.pid}`);
  fs.mkdirSync(fallback, { recursive: true, mode: 0o711 });
  fs.chmodSync(fallback, 0o711);
  warn(
    `sandbox users cannot reach ${root} (a parent directory is not traversable); workspaces are in ${fallback}`,
  );
  return fallback;
}
