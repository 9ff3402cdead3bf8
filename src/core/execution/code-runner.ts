/**
 * Runs a piece of code (python, node or bash) in the sandbox and reports output, exit
 * code and resource use. A task's own files go into its fresh workspace before anything
 * runs; a program handed over later (an agent's code_executor step, after earlier steps
 * ran) comes in through a pipe and bubblewrap mounts it read-only over its name inside
 * the sandbox's own view, so the server never writes to a workspace path that an
 * earlier program could have turned into a link.
 */
import { DomainError } from '../errors.ts';
import { defaultEntrypoint, type Language, runtimeCommand } from './runtimes.ts';
import type { Sandbox, SandboxLimits, SandboxResult } from './sandbox.types.ts';
import { withSecretVariables } from './secret-variables.ts';
import type { Workspace } from './workspace.ts';

export interface CodeInput {
  language: Language;
  /** The program; written to main.py / main.js / main.sh unless `entrypoint` names a file in `files`. */
  source?: string;
  files?: Record<string, string>;
  entrypoint?: string;
  /** Arguments after the entrypoint. */
  args?: string[];
  stdin?: string;
  network?: boolean;
  limits?: Partial<SandboxLimits>;
  /** Secret variables for the program's environment (secret-variables.ts: never on a command line). */
  variables?: Record<string, string>;
}

export async function runCode(
  sandbox: Sandbox,
  workspace: Workspace,
  input: CodeInput,
  options: { signal?: AbortSignal; memoryMb: number; programByPipe?: boolean },
): Promise<SandboxResult> {
  const entrypoint = input.entrypoint ?? defaultEntrypoint(input.language);
  for (const [name, content] of Object.entries(input.files ?? {}))
    await workspace.write(name, content);
  const piped = options.programByPipe && input.source !== undefined;
  if (input.source !== undefined && !piped) await workspace.write(entrypoint, input.source);
  const command = await runtimeCommand(
    input.language,
    entrypoint,
    input.limits?.memoryMb ?? options.memoryMb,
  );
  if (!command)
    throw new DomainError(
      'unavailable',
      `The ${input.language} runtime is not installed on this server`,
    );
  const argv = [...command.argv, ...(input.args ?? [])];
  const dataFiles: { inside: string; content: string }[] = [];
  if (piped) dataFiles.push({ inside: `/workspace/${entrypoint}`, content: input.source! });
  const secret = input.variables && withSecretVariables(argv, input.variables);
  if (secret) dataFiles.push(secret.dataFile);
  return sandbox.run({
    argv: secret?.argv ?? argv,
    workspace,
    env: command.env,
    readOnlyBinds: command.readOnlyBinds,
    dataFiles: dataFiles.length ? dataFiles : undefined,
    stdin: input.stdin,
    network: input.network,
    limits: input.limits,
    signal: options.signal,
  });
}
