/**
 * Task kind `agent`: a prompt, a toolset, and optional agent settings in parameters
 * (`provider`, `model`, `instructions`, `temperature`, `max_steps`, `max_tokens`,
 * `max_cost_usd`, `network`). The final answer is the result text, plus output.json and
 * result.txt; a run that fails also leaves error.log (task-execution adds it).
 */
import { type AgentRunResult, AgentStopped, runAgent } from '../../ai/agent/run-agent.ts';
import { unknownTools } from '../../ai/tools/names.ts';
import type { Ctx } from '../../context.ts';
import { DomainError, invalid } from '../../errors.ts';
import { checkToolsRunnable } from '../../execution/availability.ts';
import type { CreateTaskInput } from '../tasks.types.ts';
import { networkAllowed } from './run-report.ts';
import type { TaskRunner, UsageReport } from './runner.types.ts';

const MAX_PROMPT = 100_000;

interface AgentParameters {
  provider?: string;
  model?: string;
  instructions?: string;
  temperature?: number;
  maxSteps?: number;
  maxTokens?: number;
  maxCostMicroUsd?: number;
  network?: boolean;
}

export function readAgentParameters(input: Pick<CreateTaskInput, 'parameters'>): AgentParameters {
  const p = input.parameters ?? {};
  const text = (key: string) => {
    const value = p[key];
    if (value !== undefined && value !== null && typeof value !== 'string')
      throw invalid(`parameters.${key}`, `${key} must be a string`, 'type_error.string');
    return (value as string | null | undefined) ?? undefined;
  };
  const number = (key: string, min: number, max: number, integer: boolean) => {
    const value = p[key];
    if (value === undefined || value === null) return undefined;
    if (
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      (integer && !Number.isInteger(value)) ||
      value < min ||
      value > max
    )
      throw invalid(
        `parameters.${key}`,
        `${key} must be a number from ${min} to ${max}`,
        'value_error',
      );
    return value;
  };
  if (p.network !== undefined && typeof p.network !== 'boolean')
    throw invalid('parameters.network', 'network must be a boolean', 'type_error.bool');
  const maxCostUsd = number('max_cost_usd', 0, 1000, false);
  return {
    provider: text('provider'),
    model: text('model'),
    instructions: text('instructions') ?? text('system_prompt'),
    temperature: number('temperature', 0, 2, false),
    maxSteps: number('max_steps', 1, 100, true),
    maxTokens: number('max_tokens', 100, 10_000_000, true),
    maxCostMicroUsd: maxCostUsd === undefined ? undefined : Math.round(maxCostUsd * 1e6),
    network: p.network as boolean | undefined,
  };
}

/** Checks an agent request can run here: a provider and model, known tools, a sandbox for code. */
export function validateAgentRequest(
  ctx: Ctx,
  tools: readonly string[],
  params: AgentParameters,
): void {
  const unknown = unknownTools(tools);
  if (unknown.length > 0) {
    throw new DomainError(
      'validation',
      `Unknown tool${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`,
      {
        field: 'toolset',
        unknown_tools: unknown,
      },
      [
        {
          location: ['body', 'toolset'],
          message: `Unknown tools: ${unknown.join(', ')}`,
          type: 'value_error',
        },
      ],
    );
  }
  ctx.runtime.ai.resolve({ provider: params.provider, model: params.model });
  checkToolsRunnable(ctx, tools);
  if (params.network && !ctx.config.sandbox.allowNetwork) {
    throw invalid(
      'parameters.network',
      'network access is not allowed on this server (TASKLANE_SANDBOX_ALLOW_NETWORK)',
    );
  }
}

export const agentRunner: TaskRunner = {
  kind: 'agent',
  needsSandbox: false,
  validate(ctx, input) {
    const prompt = input.prompt ?? input.description;
    if (typeof prompt !== 'string' || prompt.trim() === '')
      throw invalid('prompt', 'prompt is required', 'missing');
    if (prompt.length > MAX_PROMPT)
      throw invalid('prompt', `prompt must be at most ${MAX_PROMPT} characters`);
    validateAgentRequest(ctx, input.toolset ?? [], readAgentParameters(input));
  },
  async run({ ctx, task, workspace, sandbox, signal, progress, reportUsage }) {
    const params = readAgentParameters(task);
    const maxSteps = params.maxSteps ?? ctx.config.ai.agent.maxSteps;
    await progress({ percent: 5, message: 'agent started' });
    let result: AgentRunResult;
    try {
      result = await runAgent({
        ctx,
        owner: { userId: task.userId, tenantId: task.tenantId },
        prompt: (task.prompt ?? task.description)!,
        settings: { ...params, tools: task.toolset },
        workspace,
        sandbox,
        network: networkAllowed(ctx, params.network),
        signal,
        refs: { taskId: task.id },
        onStep: (step) =>
          progress({
            percent: Math.min(95, 5 + (step.number / maxSteps) * 90),
            message: step.tools.length
              ? `step ${step.number}: called ${step.tools.join(', ')}`
              : `step ${step.number}: answered`,
            data: {
              step: step.number,
              tools: step.tools,
              input_tokens: step.inputTokens,
              output_tokens: step.outputTokens,
              total_tokens: step.totalTokens,
              cost_usd: step.costMicroUsd / 1e6,
              tokens_so_far: step.runTokens,
              cost_so_far_usd: step.runCostMicroUsd / 1e6,
            },
          }),
      });
    } catch (error) {
      if (error instanceof AgentStopped) {
        report(reportUsage, error.partial);
        return {
          status: 'failed',
          result: null,
          errorMessage: error.message,
          artifacts: [outputJson(error.partial, error.message)],
        };
      }
      throw error;
    }
    report(reportUsage, result);
    return {
      status: 'succeeded',
      result: result.text,
      artifacts: [
        outputJson(result, null),
        {
          name: 'result.txt',
          content: `${result.text}\n`,
          contentType: 'text/plain; charset=utf-8',
        },
      ],
    };
  },
};

/** Tallies an agent run's usage on its task (runAgent already booked each step). */
export function report(reportUsage: (usage: UsageReport) => void, r: AgentRunResult) {
  // Already in the ledger (runAgent meters each step), so the task only tallies it.
  reportUsage({
    modelKey: r.modelKey,
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    sandboxMs: r.sandboxMs,
    costMicroUsd: r.costMicroUsd,
  });
}

function outputJson(r: AgentRunResult, error: string | null) {
  return {
    name: 'output.json',
    contentType: 'application/json',
    content: `${JSON.stringify(
      {
        output: r.text,
        error,
        provider: r.provider,
        model: r.model,
        model_key: r.modelKey,
        tools_used: r.toolsUsed,
        steps: agentSteps(r),
        usage: {
          input_tokens: r.inputTokens,
          output_tokens: r.outputTokens,
          total_tokens: r.totalTokens,
        },
        cost_usd: r.costMicroUsd / 1e6,
        sandbox_ms: r.sandboxMs,
      },
      null,
      2,
    )}\n`,
  };
}

/** An agent run's steps as the task's artifacts show them. */
export function agentSteps(r: AgentRunResult) {
  return r.steps.map((s) => ({
    step: s.number,
    tools: s.tools,
    input_tokens: s.inputTokens,
    output_tokens: s.outputTokens,
    cost_usd: s.costMicroUsd / 1e6,
  }));
}
