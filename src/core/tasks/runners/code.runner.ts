/**
 * Task kind `code`: parameters `{language: python|node|bash, source | code, files?,
 * entrypoint?, stdin?, network?}`. The result is stdout, stderr and the exit code;
 * files written to out/ become artifacts. A non-zero exit fails the task.
 */
import { invalid } from '../../errors.ts';
import { runCode } from '../../execution/code-runner.ts';
import { LANGUAGES, type Language } from '../../execution/runtimes.ts';
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
  return {
    language: language as Language,
    source,
    files: p.files as Record<string, string> | undefined,
    entrypoint: p.entrypoint as string | undefined,
    stdin: p.stdin as string | undefined,
    network: p.network as boolean | undefined,
  };
}

export const codeRunner: TaskRunner = {
  kind: 'code',
  needsSandbox: true,
  validate(ctx, input) {
    const params = readCodeParameters(input);
    if (params.network && !ctx.config.sandbox.allowNetwork) {
      throw invalid(
        'parameters.network',
        'network access is not allowed on this server (TASKLANE_SANDBOX_ALLOW_NETWORK)',
        'value_error',
      );
    }
  },
  async run({ ctx, task, workspace, sandbox, signal, progress, reportUsage }) {
    const params = readCodeParameters(task);
    await progress({ percent: 10, message: `running ${params.language}` });
    const { run } = await runCode(
      sandbox,
      workspace,
      { ...params, network: networkAllowed(ctx, params.network) },
      { signal, memoryMb: ctx.config.sandbox.memoryMb },
    );
    reportUsage({ sandboxMs: run.durationMs });
    const report = describeRun(run);
    return {
      status: report.ok ? 'succeeded' : 'failed',
      result: report.result,
      errorMessage: report.ok ? null : report.error,
    };
  },
};
