/**
 * The languages code tasks may use and how each is started inside the sandbox.
 * Programs come from the host's read-only /usr; a node outside /usr is mounted
 * read-only at /opt/runtime/bin when the sandbox user can reach it.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';

export const LANGUAGES = ['python', 'node', 'bash'] as const;
export type Language = (typeof LANGUAGES)[number];

export interface RuntimeCommand {
  argv: string[];
  env: Record<string, string>;
  readOnlyBinds: { host: string; inside: string }[];
}

const ENTRY: Record<Language, string> = { python: 'main.py', node: 'main.js', bash: 'main.sh' };

export function defaultEntrypoint(language: Language): string {
  return ENTRY[language];
}

/** How to run `entrypoint` (relative to the workspace) in `language`; undefined when the runtime is missing. */
export async function runtimeCommand(
  language: Language,
  entrypoint: string,
  memoryMb: number,
): Promise<RuntimeCommand | undefined> {
  switch (language) {
    case 'python':
      return (await hasPython())
        ? { argv: ['python3', entrypoint], env: {}, readOnlyBinds: [] }
        : undefined;
    case 'bash':
      return { argv: ['bash', entrypoint], env: {}, readOnlyBinds: [] };
    case 'node': {
      const node = await findNode();
      if (!node) return undefined;
      // V8's heap limit is the memory cap for node (see bwrap.ts on the address space).
      const env = { NODE_OPTIONS: `--max-old-space-size=${memoryMb}` };
      if (node.startsWith('/usr/')) return { argv: [node, entrypoint], env, readOnlyBinds: [] };
      return {
        argv: ['/opt/runtime/bin/node', entrypoint],
        env,
        readOnlyBinds: [{ host: node, inside: '/opt/runtime/bin/node' }],
      };
    }
  }
}

// Host binaries do not come and go while the server runs: each is looked up once.
let python: Promise<boolean> | undefined;
let nodePath: Promise<string | undefined> | undefined;

function hasPython(): Promise<boolean> {
  python ??= fsp.access('/usr/bin/python3').then(
    () => true,
    () => false,
  );
  return python;
}

/** A node binary every user can execute (the sandbox runs as an unprivileged uid). */
function findNode(): Promise<string | undefined> {
  nodePath ??= (async () => {
    for (const candidate of ['/usr/bin/node', '/usr/local/bin/node', process.execPath]) {
      if (await worldExecutable(candidate)) return candidate;
    }
    return undefined;
  })();
  return nodePath;
}

async function worldExecutable(file: string): Promise<boolean> {
  try {
    const real = await fsp.realpath(file);
    if (((await fsp.stat(real)).mode & 0o005) !== 0o005) return false;
    for (let dir = path.dirname(real); dir !== path.dirname(dir); dir = path.dirname(dir)) {
      if (((await fsp.stat(dir)).mode & 0o001) === 0) return false;
    }
    return true;
  } catch {
    return false;
  }
}
