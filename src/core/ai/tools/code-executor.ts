/** `code_executor`: runs python, node or bash in the task's sandbox and returns its output. */
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
      const { run } = await runCode(
        env.sandbox,
        env.workspace,
        {
          language,
          source: code,
          entrypoint: `tool_${Date.now()}${extension(language)}`,
          network: env.network,
        },
        { signal: env.signal, memoryMb: env.ctx.config.sandbox.memoryMb },
      );
      env.reportSandboxMs(run.durationMs);
      return {
        exit_code: run.exitCode,
        stdout: clip(run.stdout),
        stderr: clip(run.stderr, 4000),
        timed_out: run.timedOut,
        duration_ms: run.durationMs,
      };
    },
  });
}

function extension(language: Language): string {
  return language === 'python' ? '.py' : language === 'node' ? '.js' : '.sh';
}
