/**
 * Task kind `data_processing` (AutoServe's example): an uploaded CSV (`input_file`, by
 * file id or file name) converted to JSON (`output_format: json`) inside the sandbox.
 * The result is `{output_file, records_processed}`; the JSON becomes an artifact.
 */
import { invalid } from '../../errors.ts';
import { runCode } from '../../execution/code-runner.ts';
import { describeRun } from './run-report.ts';
import type { TaskRunner } from './runner.types.ts';

const OUTPUT_NAME = 'processed_data.json';

// Runs in the sandbox, so a hostile CSV can only hurt a throwaway process.
const CONVERT = `
import csv, json, sys
src, dst = sys.argv[1], sys.argv[2]
with open(src, newline='', encoding='utf-8-sig') as f:
    rows = list(csv.DictReader(f))
with open(dst, 'w', encoding='utf-8') as f:
    json.dump(rows, f, ensure_ascii=False, indent=2)
print(json.dumps({"records_processed": len(rows)}))
`;

export const dataProcessingRunner: TaskRunner = {
  kind: 'data_processing',
  needsSandbox: true,
  validate(_ctx, input) {
    const p = input.parameters ?? {};
    if (typeof p.input_file !== 'string' || p.input_file.length === 0) {
      throw invalid(
        'parameters.input_file',
        'input_file (an uploaded file id or name) is required',
        'missing',
      );
    }
    const format = p.output_format ?? 'json';
    if (format !== 'json')
      throw invalid('parameters.output_format', 'output_format must be json', 'type_error.enum');
  },
  async run({ ctx, task, workspace, sandbox, signal, progress, fetchInput, reportUsage }) {
    const reference = String(task.parameters.input_file);
    await fetchInput(reference, 'input.csv');
    await progress({ percent: 20, message: `converting ${reference}` });
    const launched = await runCode(
      sandbox,
      workspace,
      {
        language: 'python',
        source: CONVERT,
        entrypoint: 'convert.py',
        args: ['input.csv', `out/${OUTPUT_NAME}`],
      },
      { signal, memoryMb: ctx.config.sandbox.memoryMb },
    );
    reportUsage({ sandboxMs: launched.run.durationMs });
    const report = describeRun(launched.run);
    if (!report.ok) return { status: 'failed', result: report.result, errorMessage: report.error };
    const { records_processed } = JSON.parse(
      launched.run.stdout.trim().split('\n').pop() ?? '{}',
    ) as { records_processed?: number };
    return {
      status: 'succeeded',
      result: { output_file: OUTPUT_NAME, records_processed: records_processed ?? 0 },
    };
  },
};
