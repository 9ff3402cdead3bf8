/**
 * CodeGuide's document generation: one call to the configured model per request, with
 * its prompt from ./prompts, metered in the usage ledger under a credit hold. Text
 * answers can also be streamed (`stream*`); the questionnaire and the category are
 * structured answers checked against a schema.
 */
import type { CompletionEvent } from '../ai/stream.ts';
import type { Ctx } from '../context.ts';
import { DomainError } from '../errors.ts';
import { requireUser } from '../identity/users.service.ts';
import { announceIfCreditsLow } from '../metering/low-credits.ts';
import { generateStructured, generateTextAnswer, streamText } from './model-call.ts';
import { contextValues, type PlanningContext } from './planning-context.ts';
import { type RenderedPrompt, renderPrompt } from './prompts.ts';

/** A text generation ready to run (or stream): its prompt and any images. */
export interface TextRequest {
  prompt: RenderedPrompt;
  images?: string[];
  /** Applied to the collected answer (the streamed tokens are the raw text). */
  finish?: (text: string) => string;
}

export function refinePromptRequest(input: {
  userPrompt: string;
  imageUrls?: string[];
}): TextRequest {
  return {
    prompt: renderPrompt('refine-prompt', { user_prompt: input.userPrompt }),
    images: input.imageUrls,
  };
}

export function titleRequest(input: {
  description: string;
  isDeepResearch?: boolean;
}): TextRequest {
  return {
    prompt: renderPrompt('title', {
      description: input.description,
      is_deep_research: input.isDeepResearch ? 'yes' : undefined,
    }),
    finish: cleanTitle,
  };
}

export function prdRequest(context: PlanningContext): TextRequest {
  return { prompt: renderPrompt('prd', { ...contextValues(context), outline: context.outline }) };
}

export function outlineRequest(context: PlanningContext): TextRequest {
  return {
    prompt: renderPrompt('outline', {
      ...contextValues({ ...context, outline: undefined }),
      document_name: context.customDocumentType || context.projectType || 'project document',
    }),
  };
}

export function documentRequest(
  context: PlanningContext,
  type?: { name: string; description: string },
): TextRequest {
  return {
    prompt: renderPrompt('document', {
      ...contextValues(context),
      document_name: type?.name ?? (context.customDocumentType || 'project document'),
      document_purpose: type?.description ?? '',
    }),
  };
}

/** Runs a text generation and returns the answer. */
export async function generate(
  ctx: Ctx,
  request: TextRequest,
  signal?: AbortSignal,
): Promise<string> {
  requireUser(ctx);
  const text = await generateTextAnswer(ctx, request.prompt, { images: request.images, signal });
  return request.finish ? request.finish(text) : text;
}

/**
 * Streams a text generation as completion events. The model, the images and the
 * credits are checked before this returns: a refusal is thrown, not streamed.
 */
export async function streamGeneration(
  ctx: Ctx,
  request: TextRequest,
  signal?: AbortSignal,
): Promise<AsyncGenerator<CompletionEvent>> {
  requireUser(ctx);
  const events = streamText(ctx, request.prompt, { images: request.images, signal });
  const first = await events.next();
  if (first.done) throw new DomainError('unavailable', 'The model returned nothing');
  if (first.value.type === 'error') {
    const code =
      first.value.code === 'insufficient_credits' ? 'insufficient_credits' : 'unavailable';
    throw new DomainError(code, first.value.message);
  }
  const actor = requireUser(ctx);
  return (async function* () {
    yield first.value;
    for await (const event of events) {
      yield event;
      if (event.type === 'done')
        await announceIfCreditsLow(
          ctx,
          { userId: actor.userId, tenantId: actor.tenantId },
          event.costMicroUsd,
        );
    }
  })();
}

const QUESTIONS_SCHEMA = {
  type: 'object',
  properties: { questions: { type: 'array', items: { type: 'string' } } },
  required: ['questions'],
  additionalProperties: false,
};

/** Questions to ask about a project: a list of strings, never free text. */
export async function generateQuestionnaire(
  ctx: Ctx,
  input: { projectContext: string },
): Promise<string[]> {
  requireUser(ctx);
  const answer = await generateStructured<{ questions: unknown }>(
    ctx,
    renderPrompt('questionnaire', { project_context: input.projectContext }),
    QUESTIONS_SCHEMA,
  );
  if (!Array.isArray(answer?.questions) || !answer.questions.every((q) => typeof q === 'string'))
    throw new DomainError('unavailable', 'The model did not answer with a list of questions');
  return answer.questions
    .map((q) => q.trim())
    .filter(Boolean)
    .slice(0, 20);
}

/** A category for a title; one of `existingCategories` when they are given. */
export async function suggestCategory(
  ctx: Ctx,
  input: { title: string; existingCategories?: string[] },
): Promise<string> {
  requireUser(ctx);
  const existing = [
    ...new Set((input.existingCategories ?? []).map((c) => c.trim()).filter(Boolean)),
  ];
  const schema = {
    type: 'object',
    properties: {
      category: existing.length > 0 ? { type: 'string', enum: existing } : { type: 'string' },
    },
    required: ['category'],
    additionalProperties: false,
  };
  const answer = await generateStructured<{ category: unknown }>(
    ctx,
    renderPrompt('category', { title: input.title, existing_categories: existing.join(', ') }),
    schema,
  );
  const category = typeof answer?.category === 'string' ? answer.category.trim() : '';
  if (existing.length === 0) {
    if (!category) throw new DomainError('unavailable', 'The model did not name a category');
    return category.slice(0, 100);
  }
  const match = existing.find((c) => c.toLowerCase() === category.toLowerCase());
  if (!match)
    throw new DomainError('unavailable', 'The model chose a category outside existing_categories');
  return match;
}

/** A title is one line without quotes or trailing punctuation. */
function cleanTitle(text: string): string {
  const line = text.split('\n').find((l) => l.trim()) ?? '';
  return line
    .replace(/^#+\s*/, '')
    .replace(/^(title:\s*)/i, '')
    .replace(/^["'“”‘’]+|["'“”‘’]+$/g, '')
    .replace(/[.!]+$/, '')
    .trim()
    .slice(0, 200);
}
