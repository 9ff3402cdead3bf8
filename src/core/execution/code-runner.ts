/**
 * Runs a piece of code (python, node or bash) in the sandbox: writes the source and
 * any extra files into the workspace, runs it, and reports output, exit code, resource
 * use and the files it left in out/.
 */
import { DomainError } from '../errors.ts';
import { defaultEntrypoint, type Language, runtimeCommand } from './runtimes.ts';
import type { Sandbox, SandboxLimits, SandboxResult } from './sandbox.types.ts';
import type { OutputFile, Workspace } from './workspace.ts';

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
}

export interface CodeOutcome {
  run: SandboxResult;
  outputs: OutputFile[];
}

export async function runCode(
  sandbox: Sandbox,
  workspace: Workspace,
  input: CodeInput,
  options: { signal?: AbortSignal; memoryMb: number },
): Promise<CodeOutcome> {
  const entrypoint = input.entrypoint ?? defaultEntrypoint(input.language);
  for (const [name, content] of Object.entries(input.files ?? {})) workspace.write(name, content);
  if (input.source !== undefined) workspace.write(entrypoint, input.source);
  const command = runtimeCommand(
    input.language,
    entrypoint,
    input.limits?.memoryMb ?? options.memoryMb,
  );
  if (!command)
    throw new DomainError(
      'unavailable',
      `The ${input.language} runtime is not installed on this server`,
    );
  const run = await sandbox.run({
    argv: [...command.argv, ...(input.args ?? [])],
    workspace: workspace.dir,
    env: command.env,
    readOnlyBinds: command.readOnlyBinds,
    stdin: input.stdin,
    network: input.network,
    limits: input.limits,
    signal: options.signal,
  });
  return { run, outputs: workspace.outputs() };
}
