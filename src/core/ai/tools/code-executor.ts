/** `code_executor`: runs python, node or bash in the task's sandbox and returns its output. */
import { randomBytes } from 'node:crypto';
import { jsonSchema, tool } from 'ai';
import { runCode } from '../../execution/code-runner.ts';
import { LANGUAGES, type Language } from '../../execution/runtimes.ts';
import { clip, type ToolEnv } from './tool-env.ts';

export function codeExecutorTool(env: ToolEnv) {
  return tool({
    description:
      'Run a program in an isolated sandbox and get its stdout, stderr and exit code. ' +
      'The working directory is the task workspace; files written to out/ are kept as artifacts.',
    inputSchema: jsonSchema<{ language: Language; code: string }>({
      type: 'object',
      properties: {
        language: { type: 'string', enum: [...LANGUAGES] },
        code: { type: 'string', description: 'The complete program' },
      },
      required: ['language', 'code'],
      additionalProperties: false,
    }),
    async execute({ language, code }) {
      if (!env.sandbox) throw new Error('No sandbox is available on this server; code cannot run');
      if (!LANGUAGES.includes(language))
        throw new Error(`language must be one of ${LANGUAGES.join(', ')}`);
      // Handed in by pipe under an unpredictable name: earlier steps cannot redirect it.
      const run = await runCode(
        env.sandbox,
        env.workspace,
        {
          language,
          source: code,
          entrypoint: `.step-${randomBytes(8).toString('hex')}${extension(language)}`,
          network: env.network,
        },
        {
          signal: env.signal,
          memoryMb: env.ctx.config.sandbox.memoryMb,
          programByPipe: true,
        },
      );
      env.reportSandboxMs(run.durationMs);
      return {
        exit_code: run.exitCode,
        stdout: clip(run.stdout),
        stderr: clip(env.workspace.displayPath(run.stderr), 4000),
        ...(run.memoryExceeded ? { killed: 'memory limit exceeded' } : {}),
        timed_out: run.timedOut,
        duration_ms: run.durationMs,
      };
    },
  });
}

function extension(language: Language): string {
  return language === 'python' ? '.py' : language === 'node' ? '.js' : '.sh';
}
