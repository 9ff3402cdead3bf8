/**
 * One generation call to the configured model, metered: text answers go through the
 * core's streaming primitive (ai/stream.ts: hold the estimate, stream, settle the real
 * cost in the ledger), structured answers through the AI SDK's structured output with
 * a JSON schema under the same hold and settle. Images are sent only to a model whose
 * catalog entry says it can see them.
 */
import type { ModelMessage } from 'ai';
import type { ResolvedModel } from '../ai/providers.ts';
import { loadAiSdk } from '../ai/sdk.ts';
import { type CompletionEvent, streamCompletion } from '../ai/stream.ts';
import type { Ctx } from '../context.ts';
import { DomainError, invalid } from '../errors.ts';
import { requireUser } from '../identity/users.service.ts';
import { announceIfCreditsLow } from '../metering/low-credits.ts';
import { holdForLlmCall, settleLlmCall } from '../metering/usage-meters.ts';
import type { RenderedPrompt } from './prompts.ts';

export interface CallOptions {
  images?: string[];
  signal?: AbortSignal;
}

function ownerOf(ctx: Ctx) {
  const actor = requireUser(ctx);
  return { userId: actor.userId, tenantId: actor.tenantId };
}

/** The model CodeGuide generates with; image_urls are refused unless it can see. */
export function generationModel(ctx: Ctx, images: string[] = []): ResolvedModel {
  const { provider, model } = ctx.config.codeguide;
  const resolved = ctx.runtime.ai.resolve({ provider, model });
  if (images.length > 0 && !resolved.catalog?.capabilities.includes('vision')) {
    throw invalid(
      'image_urls',
      `image_urls: the model "${resolved.requested}" cannot read images; send the request without image_urls`,
    );
  }
  return resolved;
}

function messagesOf(prompt: RenderedPrompt, images: string[]): ModelMessage[] {
  if (images.length === 0) return [{ role: 'user', content: prompt.user }];
  return [
    {
      role: 'user',
      content: [
        { type: 'text', text: prompt.user },
        ...images.map((url) => ({
          type: 'file' as const,
          data: new URL(url),
          mediaType: url.startsWith('data:') ? url.slice(5, url.indexOf(';')) : 'image',
        })),
      ],
    },
  ];
}

/**
 * A text answer as the core's completion events (start, token…, done | error). The
 * model and the images are checked before the first event.
 */
export function streamText(
  ctx: Ctx,
  prompt: RenderedPrompt,
  options: CallOptions = {},
): AsyncGenerator<CompletionEvent> {
  const actor = requireUser(ctx);
  const images = options.images ?? [];
  const resolved = generationModel(ctx, images);
  return streamCompletion(ctx, {
    owner: { userId: actor.userId, tenantId: actor.tenantId },
    provider: resolved.provider,
    model: resolved.requested,
    instructions: prompt.instructions,
    messages: messagesOf(prompt, images),
    maxOutputTokens: ctx.config.codeguide.maxOutputTokens,
    signal: options.signal,
  });
}

/** A text answer, collected; out of credits → insufficient_credits, a provider failure → unavailable. */
export async function generateTextAnswer(
  ctx: Ctx,
  prompt: RenderedPrompt,
  options: CallOptions = {},
): Promise<string> {
  let last: CompletionEvent | undefined;
  for await (const event of streamText(ctx, prompt, options)) last = event;
  if (last?.type !== 'done') throw failure(last);
  await announceIfCreditsLow(ctx, ownerOf(ctx), last.costMicroUsd);
  return last.text.trim();
}

/** Turns a stream's final error event into the DomainError a route answers with. */
export function failure(last: CompletionEvent | undefined): DomainError {
  if (last?.type === 'error' && last.code === 'insufficient_credits')
    return new DomainError(
      'insufficient_credits',
      `Not enough credits for this generation: ${last.message}`,
    );
  const message = last?.type === 'error' ? last.message : 'The model returned nothing';
  return new DomainError('unavailable', message);
}

/**
 * A structured answer validated against `schema` (a JSON schema of an object): the
 * model is asked for JSON of that shape, so free text never lands in a list field.
 */
export async function generateStructured<T>(
  ctx: Ctx,
  prompt: RenderedPrompt,
  schema: Record<string, unknown>,
  options: CallOptions = {},
): Promise<T> {
  const actor = requireUser(ctx);
  const resolved = generationModel(ctx, options.images);
  const messages = messagesOf(prompt, options.images ?? []);
  const maxOutputTokens = ctx.config.codeguide.maxOutputTokens;
  const pricing = resolved.catalog?.pricing;
  const hold = await holdForLlmCall(
    ctx,
    { userId: actor.userId, tenantId: actor.tenantId },
    pricing,
    [prompt.instructions, messages],
    maxOutputTokens,
  ).catch((error: unknown) => {
    if (error instanceof DomainError && error.code === 'insufficient_credits')
      throw new DomainError(
        'insufficient_credits',
        `Not enough credits for this generation: ${error.message}`,
        error.details,
      );
    throw error;
  });
  try {
    const [{ generateText, jsonSchema, Output }, model] = await Promise.all([
      loadAiSdk(),
      resolved.load(),
    ]);
    const result = await generateText({
      model,
      instructions: prompt.instructions,
      messages,
      output: Output.object({ schema: jsonSchema<T>(schema) }),
      maxOutputTokens,
      maxRetries: ctx.runtime.ai.maxRetries,
      abortSignal: options.signal,
      timeout: { totalMs: ctx.runtime.ai.timeoutMs },
    });
    const cost = await settleLlmCall(hold, {
      modelKey: resolved.modelKey,
      pricing,
      usage: result.usage,
    });
    await announceIfCreditsLow(ctx, ownerOf(ctx), cost);
    return result.output;
  } catch (error) {
    // An answer that did not fit the schema was still produced (and paid for).
    const usage = (error as { usage?: Parameters<typeof settleLlmCall>[1]['usage'] }).usage;
    if (usage) await settleLlmCall(hold, { modelKey: resolved.modelKey, pricing, usage });
    ctx.log.warn({ err: error, model: resolved.modelId }, 'structured generation failed');
    throw new DomainError(
      'unavailable',
      `The model did not produce a valid answer: ${(error as Error).message}`.slice(0, 500),
    );
  } finally {
    await hold.release();
  }
}
