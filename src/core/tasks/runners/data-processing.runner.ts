/**
 * Task kind `data_processing` (AutoServe's example): an uploaded CSV (`input_file`, by
 * file id or file name) converted to JSON (`output_format: json`, the default) or
 * normalised CSV (`csv`) inside the sandbox. The result is `{output_file,
 * records_processed}`; the output becomes a stored file of the task's owner.
 */
import { invalid } from '../../errors.ts';
import { requireSandbox } from '../../execution/availability.ts';
import { runCode } from '../../execution/code-runner.ts';
import { describeRun } from './run-report.ts';
import type { TaskRunner } from './runner.types.ts';

const FORMATS = ['json', 'csv'] as const;

// Runs in the sandbox, so a hostile CSV can only hurt a throwaway process.
const CONVERT = `
import csv, json, sys
src, dst, fmt = sys.argv[1], sys.argv[2], sys.argv[3]
with open(src, newline='', encoding='utf-8-sig') as f:
    reader = csv.DictReader(f)
    rows = list(reader)
    fields = reader.fieldnames or []
with open(dst, 'w', encoding='utf-8', newline='') as f:
    if fmt == 'csv':
        writer = csv.DictWriter(f, fieldnames=fields, extrasaction='ignore')
        writer.writeheader()
        writer.writerows(rows)
    else:
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
    if (!FORMATS.includes(format as (typeof FORMATS)[number]))
      throw invalid(
        'parameters.output_format',
        `output_format must be one of ${FORMATS.join(', ')}`,
        'type_error.enum',
      );
  },
  firstRun: (ctx) => ({
    language: 'python',
    network: false,
    memoryMb: ctx.config.sandbox.memoryMb,
  }),
  async run({ ctx, task, workspace, sandbox, signal, progress, fetchInput, meterSandbox }) {
    const reference = String(task.parameters.input_file);
    const format = task.parameters.output_format === 'csv' ? 'csv' : 'json';
    const output = `processed_data.${format}`;
    await fetchInput(reference, 'input.csv');
    await progress({ percent: 20, message: `converting ${reference}` });
    const run = await runCode(
      sandbox ?? requireSandbox(ctx, `${task.kind} tasks`),
      workspace,
      {
        language: 'python',
        source: CONVERT,
        entrypoint: 'convert.py',
        args: ['input.csv', `out/${output}`, format],
      },
      { signal, memoryMb: ctx.config.sandbox.memoryMb },
    );
    await meterSandbox(run.durationMs);
    const report = describeRun(run);
    if (!report.ok) return { status: 'failed', result: report.result, errorMessage: report.error };
    const { records_processed } = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as {
      records_processed?: number;
    };
    return {
      status: 'succeeded',
      result: { output_file: output, records_processed: records_processed ?? 0 },
    };
  },
};
