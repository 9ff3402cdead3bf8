/**
 * The two ways usage is metered, each in one place: an LLM call (a hold on the estimate
 * before it, the real cost settled after) and sandbox time (priced per second from the
 * catalog's `sandbox/seconds` entry). Chat, agent steps and task runners all use these.
 */
import type { Ctx } from '../context.ts';
import {
  type MeterOwner,
  type Reservation,
  recordUsage,
  reserveCredits,
} from './metering.service.ts';
import { costMicroUsd, type ModelPricing, SANDBOX_MODEL_KEY } from './pricing.ts';

/** What a ledger row is about. */
export interface UsageRefs {
  taskId?: string;
  agentRunId?: string;
  conversationId?: string;
}

/** Token counts as the AI SDK reports them. */
export interface CallUsage {
  inputTokens?: number;
  outputTokens?: number;
  inputTokenDetails?: { cacheReadTokens?: number };
}

/**
 * Holds a call's worst case before it starts: the prompt at ~4 characters a token plus
 * the output cap, at the model's prices. Throws insufficient_credits when it is not covered.
 */
export function holdForLlmCall(
  ctx: Ctx,
  owner: MeterOwner,
  pricing: ModelPricing | undefined,
  prompt: unknown,
  maxOutputTokens: number,
): Promise<Reservation> {
  const estimate = costMicroUsd(pricing, {
    inputTokens: Math.ceil(JSON.stringify(prompt).length / 4),
    outputTokens: maxOutputTokens,
  });
  return reserveCredits(ctx, owner, estimate);
}

/** Books a finished call in the ledger, settling its hold; returns its cost. */
export function settleLlmCall(
  hold: Reservation,
  call: { modelKey: string; pricing: ModelPricing | undefined; usage: CallUsage; refs?: UsageRefs },
): Promise<number> {
  return hold.settle({
    kind: 'llm',
    modelKey: call.modelKey,
    pricing: call.pricing,
    usage: {
      inputTokens: call.usage.inputTokens ?? 0,
      cachedInputTokens: call.usage.inputTokenDetails?.cacheReadTokens ?? 0,
      outputTokens: call.usage.outputTokens ?? 0,
    },
    taskId: call.refs?.taskId,
    agentRunId: call.refs?.agentRunId,
    conversationId: call.refs?.conversationId,
  });
}

/** Books sandbox time; returns its cost (0 without time or without a price). */
export async function meterSandboxTime(
  ctx: Ctx,
  owner: MeterOwner,
  ms: number,
  refs: UsageRefs = {},
): Promise<number> {
  if (ms <= 0) return 0;
  return recordUsage(ctx, owner, {
    kind: 'sandbox',
    modelKey: SANDBOX_MODEL_KEY,
    pricing: ctx.runtime.ai.catalog.get(SANDBOX_MODEL_KEY)?.pricing,
    usage: { inputTokens: 0, outputTokens: 0, seconds: ms / 1000 },
    taskId: refs.taskId,
    agentRunId: refs.agentRunId,
  });
}
