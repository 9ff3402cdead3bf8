/**
 * Task kind `code`: parameters `{language: python|node|bash, source | code, files?,
 * entrypoint?, stdin?, network?, env_vars?}`. The result is stdout, stderr and the exit
 * code; files written to out/ become artifacts. A non-zero exit fails the task.
 * `env_vars` is the owner's opt-in to their stored environment variables (CMBCluster's
 * `/user-env-vars`): `true` for all of them, or a list of names; without it a task sees
 * none of them.
 */
import type { Ctx } from '../../context.ts';
import { listEnvVars, revealEnvVars } from '../../environments/env-vars.service.ts';
import { DomainError, invalid } from '../../errors.ts';
import { requireSandbox } from '../../execution/availability.ts';
import { runCode } from '../../execution/code-runner.ts';
import { LANGUAGES, type Language } from '../../execution/runtimes.ts';
import { requireUser } from '../../identity/users.service.ts';
import type { CreateTaskInput } from '../tasks.types.ts';
import { describeRun, networkAllowed } from './run-report.ts';
import type { TaskRunner } from './runner.types.ts';

const MAX_SOURCE = 256 * 1024;

interface CodeParameters {
  language: Language;
  source: string;
  files?: Record<string, string>;
  entrypoint?: string;
  stdin?: string;
  network?: boolean;
  envVars?: true | string[];
}

export function readCodeParameters(
  input: Pick<CreateTaskInput, 'parameters' | 'prompt'>,
): CodeParameters {
  const p = input.parameters ?? {};
  const language = p.language;
  if (typeof language !== 'string' || !LANGUAGES.includes(language as Language)) {
    throw invalid(
      'parameters.language',
      `language must be one of ${LANGUAGES.join(', ')}`,
      'type_error.enum',
    );
  }
  const source = p.source ?? p.code;
  if (typeof source !== 'string' || source.length === 0)
    throw invalid('parameters.source', 'source (the program) is required', 'missing');
  if (source.length > MAX_SOURCE)
    throw invalid(
      'parameters.source',
      `source must be at most ${MAX_SOURCE} characters`,
      'value_error',
    );
  if (
    p.files !== undefined &&
    (typeof p.files !== 'object' ||
      p.files === null ||
      Array.isArray(p.files) ||
      Object.values(p.files).some((v) => typeof v !== 'string'))
  ) {
    throw invalid('parameters.files', 'files must map file names to text contents', 'type_error');
  }
  for (const key of ['entrypoint', 'stdin'] as const) {
    if (p[key] !== undefined && typeof p[key] !== 'string')
      throw invalid(`parameters.${key}`, `${key} must be a string`, 'type_error.string');
  }
  if (p.network !== undefined && typeof p.network !== 'boolean')
    throw invalid('parameters.network', 'network must be a boolean', 'type_error.bool');
  const envVars = p.env_vars;
  if (
    envVars !== undefined &&
    typeof envVars !== 'boolean' &&
    !(Array.isArray(envVars) && envVars.every((name) => typeof name === 'string'))
  )
    throw invalid(
      'parameters.env_vars',
      'env_vars must be true (all your environment variables) or a list of their names',
      'type_error',
    );
  return {
    language: language as Language,
    source,
    files: p.files as Record<string, string> | undefined,
    entrypoint: p.entrypoint as string | undefined,
    stdin: p.stdin as string | undefined,
    network: p.network as boolean | undefined,
    envVars: envVars === true ? true : Array.isArray(envVars) ? [...new Set(envVars)] : undefined,
  };
}

/**
 * The owner's variables the task opted into, in clear (ctx acts as the owner). A named
 * variable deleted since the task was created fails the run with a clear message.
 */
async function variablesFor(
  ctx: Ctx,
  wanted: true | string[] | undefined,
): Promise<Record<string, string> | undefined> {
  if (!wanted) return undefined;
  const actor = requireUser(ctx);
  const all = await revealEnvVars(ctx, actor);
  if (wanted === true) return all;
  const missing = wanted.filter((name) => !(name in all));
  if (missing.length)
    throw new DomainError('validation', `No such environment variable: ${missing.join(', ')}`);
  return Object.fromEntries(wanted.map((name) => [name, all[name]!]));
}

export const codeRunner: TaskRunner = {
  kind: 'code',
  needsSandbox: true,
  async validate(ctx, input) {
    const params = readCodeParameters(input);
    if (Array.isArray(params.envVars)) {
      const stored = new Set((await listEnvVars(ctx)).map((v) => v.key));
      const missing = params.envVars.filter((name) => !stored.has(name));
      if (missing.length)
        throw invalid(
          'parameters.env_vars',
          `No such environment variable: ${missing.join(', ')}`,
          'value_error',
        );
    }
    if (params.network && !ctx.config.sandbox.allowNetwork) {
      throw invalid(
        'parameters.network',
        'network access is not allowed on this server (TASKLANE_SANDBOX_ALLOW_NETWORK)',
        'value_error',
      );
    }
  },
  firstRun(ctx, task) {
    const params = readCodeParameters(task);
    // Secret variables come in as a data file, which only a sandbox started for them has.
    if (params.envVars) return undefined;
    return {
      language: params.language,
      network: networkAllowed(ctx, params.network),
      memoryMb: ctx.config.sandbox.memoryMb,
    };
  },
  async run({ ctx, task, workspace, sandbox, signal, progress, meterSandbox }) {
    const params = readCodeParameters(task);
    await progress({ percent: 10, message: `running ${params.language}` });
    const run = await runCode(
      sandbox ?? requireSandbox(ctx, `${task.kind} tasks`),
      workspace,
      {
        ...params,
        network: networkAllowed(ctx, params.network),
        variables: await variablesFor(ctx, params.envVars),
      },
      { signal, memoryMb: ctx.config.sandbox.memoryMb },
    );
    await meterSandbox(run.durationMs);
    const report = describeRun(run);
    return {
      status: report.ok ? 'succeeded' : 'failed',
      result: report.result,
      errorMessage: report.ok ? null : report.error,
    };
  },
};
