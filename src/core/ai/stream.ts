/**
 * The streaming primitive: a model's answer as sequence-numbered events (start, token…,
 * done with usage and cost, or error), metered like an agent step: the estimate is
 * held before the call and the real cost settled in the ledger after. Chat over SSE and
 * WebSocket, and non-streaming chat (which just collects it), all read this.
 */
import type { ModelMessage } from 'ai';
import type { Ctx } from '../context.ts';
import { DomainError } from '../errors.ts';
import type { MeterOwner, Reservation } from '../metering/metering.service.ts';
import { holdForLlmCall, settleLlmCall } from '../metering/usage-meters.ts';
import type { ResolvedModel } from './providers.ts';
import { loadAiSdk } from './sdk.ts';

export type CompletionEvent =
  | { seq: number; type: 'start'; provider: string; model: string }
  | { seq: number; type: 'token'; text: string }
  | {
      seq: number;
      type: 'done';
      text: string;
      usage: { inputTokens: number; outputTokens: number; totalTokens: number };
      costMicroUsd: number;
      finishReason: string;
    }
  | { seq: number; type: 'error'; message: string; code: string };

export interface CompletionRequest {
  owner: MeterOwner;
  provider?: string | null;
  model?: string | null;
  instructions?: string | null;
  messages: ModelMessage[];
  temperature?: number | null;
  maxOutputTokens?: number | null;
  signal?: AbortSignal;
  refs?: { conversationId?: string; agentRunId?: string; taskId?: string };
}

/** Resolves the model first (a bad provider or model throws before any event). */
export function streamCompletion(
  ctx: Ctx,
  request: CompletionRequest,
): AsyncGenerator<CompletionEvent> {
  const resolved = ctx.runtime.ai.resolve({ provider: request.provider, model: request.model });
  return run(ctx, request, resolved);
}

async function* run(
  ctx: Ctx,
  request: CompletionRequest,
  resolved: ResolvedModel,
): AsyncGenerator<CompletionEvent> {
  let seq = 0;
  const maxOutput = request.maxOutputTokens ?? ctx.config.ai.agent.stepOutputTokens;
  const pricing = resolved.catalog?.pricing;
  let reservation: Reservation | undefined;
  try {
    reservation = await holdForLlmCall(ctx, request.owner, pricing, request.messages, maxOutput);
  } catch (error) {
    yield { seq: ++seq, type: 'error', ...describe(error) };
    return;
  }
  yield { seq: ++seq, type: 'start', provider: resolved.provider, model: resolved.requested };
  let text = '';
  try {
    const [{ streamText }, model] = await Promise.all([loadAiSdk(), resolved.load()]);
    const result = streamText({
      model,
      instructions: request.instructions ?? undefined,
      messages: request.messages,
      temperature: request.temperature ?? undefined,
      maxOutputTokens: maxOutput,
      maxRetries: ctx.runtime.ai.maxRetries,
      abortSignal: request.signal,
      timeout: { totalMs: ctx.runtime.ai.timeoutMs },
    });
    let failure: unknown;
    for await (const part of result.fullStream) {
      if (part.type === 'text-delta' && part.text) {
        text += part.text;
        yield { seq: ++seq, type: 'token', text: part.text };
      } else if (part.type === 'error') {
        failure = part.error;
      }
    }
    if (failure) throw failure;
    const usage = await result.usage;
    const inputTokens = usage.inputTokens ?? 0;
    const outputTokens = usage.outputTokens ?? 0;
    const cost = await settleLlmCall(reservation, {
      modelKey: resolved.modelKey,
      pricing,
      usage,
      refs: request.refs,
    });
    yield {
      seq: ++seq,
      type: 'done',
      text,
      usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
      costMicroUsd: cost,
      finishReason: await result.finishReason,
    };
  } catch (error) {
    ctx.log.warn(
      { err: error, provider: resolved.provider, model: resolved.modelId },
      'completion failed',
    );
    yield { seq: ++seq, type: 'error', ...describe(error) };
  } finally {
    await reservation.release();
  }
}

/** Collects a completion (non-streaming chat); throws the error event as a DomainError. */
export async function complete(ctx: Ctx, request: CompletionRequest) {
  let last: CompletionEvent | undefined;
  for await (const event of streamCompletion(ctx, request)) last = event;
  if (last?.type === 'done') return last;
  const message = last?.type === 'error' ? last.message : 'The model returned nothing';
  throw new DomainError(
    last?.type === 'error' && last.code === 'insufficient_credits'
      ? 'insufficient_credits'
      : 'unavailable',
    message,
  );
}

function describe(error: unknown): { message: string; code: string } {
  if (error instanceof DomainError) return { message: error.message, code: error.code };
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && error.name === 'AbortError')
    return { message: 'Cancelled', code: 'cancelled' };
  return { message: `The model provider failed: ${message}`.slice(0, 500), code: 'provider_error' };
}
