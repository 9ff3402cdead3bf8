/** `file_reader` and `file_writer`: the task workspace only; a path that leaves it is refused. */
import fs from 'node:fs';
import path from 'node:path';
import { jsonSchema, tool } from 'ai';
import { clip, type ToolEnv } from './tool-env.ts';

const MAX_READ = 256 * 1024;
const MAX_WRITE = 4 * 1024 * 1024;

export function fileReaderTool(env: ToolEnv) {
  return tool({
    description: 'Read a text file from the task workspace (a path relative to it).',
    inputSchema: jsonSchema<{ path: string }>({
      type: 'object',
      properties: { path: { type: 'string' } },
      required: ['path'],
      additionalProperties: false,
    }),
    async execute({ path: relative }) {
      const full = env.workspace.resolve(relative);
      if (!fs.existsSync(full)) throw new Error(`No such file: ${relative}`);
      assertInside(env, fs.realpathSync(full), relative);
      const stat = fs.statSync(full);
      if (stat.isDirectory()) {
        return { path: relative, entries: fs.readdirSync(full).slice(0, 200) };
      }
      const fd = fs.openSync(full, 'r');
      try {
        const buffer = Buffer.alloc(Math.min(stat.size, MAX_READ));
        fs.readSync(fd, buffer, 0, buffer.length, 0);
        return {
          path: relative,
          size: stat.size,
          content: clip(buffer.toString('utf8'), MAX_READ),
        };
      } finally {
        fs.closeSync(fd);
      }
    },
  });
}

export function fileWriterTool(env: ToolEnv) {
  return tool({
    description:
      'Write a text file in the task workspace (a path relative to it). Files under out/ are kept as artifacts.',
    inputSchema: jsonSchema<{ path: string; content: string }>({
      type: 'object',
      properties: { path: { type: 'string' }, content: { type: 'string' } },
      required: ['path', 'content'],
      additionalProperties: false,
    }),
    async execute({ path: relative, content }) {
      if (Buffer.byteLength(content) > MAX_WRITE)
        throw new Error(`content is larger than ${MAX_WRITE} bytes`);
      const full = env.workspace.resolve(relative);
      // A symlink planted by earlier code must not redirect the write outside the workspace:
      // check the deepest directory that exists, create the rest, refuse a link as the target.
      let existing = path.dirname(full);
      while (!fs.existsSync(existing)) existing = path.dirname(existing);
      assertInside(env, fs.realpathSync(existing), relative);
      fs.mkdirSync(path.dirname(full), { recursive: true });
      if (fs.lstatSync(full, { throwIfNoEntry: false })?.isSymbolicLink())
        throw new Error(`Refusing to write through a symbolic link: ${relative}`);
      fs.writeFileSync(full, content);
      return { path: relative, bytes: Buffer.byteLength(content) };
    },
  });
}

/** Refuses a real path (symlinks resolved) outside the workspace. */
function assertInside(env: ToolEnv, real: string, relative: string): void {
  const root = fs.realpathSync(env.workspace.resolve('.'));
  if (real !== root && !real.startsWith(root + path.sep))
    throw new Error(`Path "${relative}" leaves the workspace`);
}
