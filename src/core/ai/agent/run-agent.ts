/**
 * The agent loop: a model with tools, step by step, until it answers, hits its step
 * limit, or runs out of budget. Before each step it checks the run's token and cost
 * budget and reserves the step's estimated cost against the owner's credits; after the
 * step it settles the real cost in the ledger. So a run stops between steps, never
 * mid-step, and concurrent runs overspend a balance by at most one step each.
 */
import type { ModelMessage, StepResult, ToolSet } from 'ai';
import type { Ctx } from '../../context.ts';
import { DomainError } from '../../errors.ts';
import type { Sandbox } from '../../execution/sandbox.types.ts';
import type { Workspace } from '../../execution/workspace.ts';
import type { MeterOwner, Reservation } from '../../metering/metering.service.ts';
import { holdForLlmCall, meterSandboxTime, settleLlmCall } from '../../metering/usage-meters.ts';
import type { ResolvedModel } from '../providers.ts';
import { loadAiSdk } from '../sdk.ts';

export interface AgentSettings {
  provider?: string | null;
  model?: string | null;
  instructions?: string | null;
  temperature?: number | null;
  tools: string[];
  maxSteps?: number;
  maxTokens?: number;
  maxCostMicroUsd?: number;
}

export interface AgentStep {
  number: number;
  tools: string[];
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  costMicroUsd: number;
  /** Tokens and cost of the whole run so far, this step included. */
  runTokens: number;
  runCostMicroUsd: number;
}

export interface AgentRunInput {
  ctx: Ctx;
  owner: MeterOwner;
  /** A prompt, or a conversation so far. */
  prompt: string | ModelMessage[];
  settings: AgentSettings;
  workspace: Workspace;
  sandbox: Sandbox | undefined;
  network: boolean;
  signal: AbortSignal;
  refs?: { taskId?: string; agentRunId?: string; conversationId?: string };
  onStep?(step: AgentStep): Promise<void> | void;
}

export interface AgentRunResult {
  text: string;
  steps: AgentStep[];
  toolsUsed: string[];
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  costMicroUsd: number;
  sandboxMs: number;
  modelKey: string;
  provider: string;
  model: string;
}

/** Why a run stopped early; its message is what the task's error_message says. */
export class AgentStopped extends DomainError {
  readonly partial: AgentRunResult;
  constructor(message: string, reason: string, partial: AgentRunResult) {
    super('quota_exceeded', message, { reason });
    this.partial = partial;
  }
}

export async function runAgent(input: AgentRunInput): Promise<AgentRunResult> {
  const { ctx, settings } = input;
  const limits = ctx.config.ai.agent;
  const maxSteps = Math.min(settings.maxSteps ?? limits.maxSteps, 100);
  const maxTokens = settings.maxTokens ?? limits.maxTokens;
  const maxCost = settings.maxCostMicroUsd ?? limits.maxCostMicroUsd;
  const resolved = ctx.runtime.ai.resolve({ provider: settings.provider, model: settings.model });
  const pricing = resolved.catalog?.pricing;

  const state = emptyResult(resolved);
  const used = new Set<string>();
  let held: Reservation | undefined;
  // The SDK and the tools (which build on it) load with the first run, not with the server.
  const [{ generateText, isStepCount }, { buildToolset }, model] = await Promise.all([
    loadAiSdk(),
    import('../tools/index.ts'),
    resolved.load(),
  ]);
  const tools: ToolSet = buildToolset(settings.tools, {
    ctx,
    workspace: input.workspace,
    sandbox: input.sandbox,
    network: input.network,
    signal: input.signal,
    reportSandboxMs: (ms) => {
      state.sandboxMs += ms;
    },
  });

  const stopped = (message: string, reason: string) => new AgentStopped(message, reason, state);

  try {
    const result = await generateText({
      model,
      instructions: settings.instructions ?? undefined,
      ...(typeof input.prompt === 'string' ? { prompt: input.prompt } : { messages: input.prompt }),
      tools,
      temperature: settings.temperature ?? undefined,
      maxOutputTokens: limits.stepOutputTokens,
      stopWhen: isStepCount(maxSteps),
      maxRetries: ctx.runtime.ai.maxRetries,
      abortSignal: input.signal,
      timeout: { stepMs: ctx.runtime.ai.timeoutMs + ctx.config.sandbox.timeoutMs },
      prepareStep: async ({ messages }) => {
        if (state.totalTokens >= maxTokens) {
          throw stopped(
            `Token budget of ${maxTokens} exhausted after ${state.steps.length} steps`,
            'token_budget',
          );
        }
        if (maxCost > 0 && state.costMicroUsd >= maxCost) {
          throw stopped(
            `Cost budget of $${(maxCost / 1e6).toFixed(6)} exhausted after ${state.steps.length} steps`,
            'cost_budget',
          );
        }
        held = await holdForLlmCall(ctx, input.owner, pricing, messages, limits.stepOutputTokens);
        return undefined;
      },
      onStepEnd: async (step) => {
        const record = await settleStep(input, resolved, step, held!);
        held = undefined;
        for (const name of record.tools) used.add(name);
        state.steps.push(record);
        state.inputTokens += record.inputTokens;
        state.outputTokens += record.outputTokens;
        state.totalTokens += record.totalTokens;
        state.costMicroUsd += record.costMicroUsd;
        state.toolsUsed = [...used];
        record.runTokens = state.totalTokens;
        record.runCostMicroUsd = state.costMicroUsd;
        await input.onStep?.(record);
      },
    });
    state.text = result.text;
    if (result.finishReason === 'tool-calls') {
      throw stopped(`Stopped at the step limit (${maxSteps}) before a final answer`, 'step_limit');
    }
    return state;
  } finally {
    await held?.release();
    await meterSandboxTime(ctx, input.owner, state.sandboxMs, input.refs);
  }
}

async function settleStep(
  input: AgentRunInput,
  resolved: ResolvedModel,
  step: StepResult<ToolSet>,
  held: Reservation,
): Promise<AgentStep> {
  const inputTokens = step.usage.inputTokens ?? 0;
  const outputTokens = step.usage.outputTokens ?? 0;
  const cost = await settleLlmCall(held, {
    modelKey: resolved.modelKey,
    pricing: resolved.catalog?.pricing,
    usage: step.usage,
    refs: input.refs,
  });
  return {
    number: step.stepNumber + 1,
    tools: step.toolCalls.map((call) => call.toolName),
    inputTokens,
    outputTokens,
    totalTokens: inputTokens + outputTokens,
    costMicroUsd: cost,
    runTokens: 0,
    runCostMicroUsd: 0,
  };
}

function emptyResult(resolved: ResolvedModel): AgentRunResult {
  return {
    text: '',
    steps: [],
    toolsUsed: [],
    inputTokens: 0,
    outputTokens: 0,
    totalTokens: 0,
    costMicroUsd: 0,
    sandboxMs: 0,
    modelKey: resolved.modelKey,
    provider: resolved.provider,
    model: resolved.requested,
  };
}
