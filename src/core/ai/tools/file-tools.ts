/**
 * `file_reader` and `file_writer`: the task workspace only. They go through the
 * workspace, which never follows a path the run's programs made with the server's
 * privileges and never blocks on one (a FIFO, say); only regular files are read.
 */
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
      const found = await env.workspace.read(relative, MAX_READ);
      switch (found.kind) {
        case 'missing':
          throw new Error(`No such file: ${relative}`);
        case 'other':
          throw new Error(`Not a regular file (a link, pipe or device): ${relative}`);
        case 'directory':
          return { path: relative, entries: found.entries };
        case 'file':
          return {
            path: relative,
            size: found.size,
            content: clip(found.content.toString('utf8'), MAX_READ),
          };
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
      const bytes = Buffer.byteLength(content);
      if (bytes > MAX_WRITE) throw new Error(`content is larger than ${MAX_WRITE} bytes`);
      await env.workspace.write(relative, content);
      return { path: relative, bytes };
    },
  });
}
