/**
 * CodeGuide generation (`/generate/*`): seven model calls, documents for a project at
 * once, and background generation with its status. The text endpoints also stream as
 * Server-Sent Events with `Accept: text/event-stream` (sse.ts).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  describeFailures,
  generateProjectDocuments,
  getBackgroundGeneration,
  startBackgroundGeneration,
} from '../../core/docs/documents.service.ts';
import {
  documentRequest,
  generate,
  generateQuestionnaire,
  outlineRequest,
  prdRequest,
  refinePromptRequest,
  streamGeneration,
  suggestCategory,
  type TextRequest,
  titleRequest,
} from '../../core/docs/generation.service.ts';
import type { PlanningContext } from '../../core/docs/planning-context.ts';
import { ctxOf } from '../../http/context.ts';
import { disconnectSignal } from '../../http/event-stream.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import { GENERATION_LIMITS } from './limits.ts';
import {
  BackgroundBody,
  BackgroundStartedSchema,
  BackgroundStatusSchema,
  CategoryBody,
  CategorySchema,
  ContentSchema,
  DocumentBody,
  ErrorSchema,
  IdParam,
  MultipleDocumentsBody,
  MultipleResultSchema,
  OutlineBody,
  OutlineSchema,
  PrdBody,
  QuestionnaireBody,
  QuestionsSchema,
  RefinedPromptSchema,
  RefinePromptBody,
  TitleBody,
  TitleSchema,
} from './schemas.ts';
import { sendEventStream, wantsEventStream } from './sse.ts';

const tags = ['Generation'];
const config = { rateLimits: GENERATION_LIMITS };
const errors = {
  401: ErrorSchema,
  402: ErrorSchema,
  404: ErrorSchema,
  422: ErrorSchema,
  503: ErrorSchema,
};
const streams =
  ' Streams as Server-Sent Events with `Accept: text/event-stream` (beyond the spec).';

/** Answers a text generation as JSON `{[field]: text}`, or as SSE when asked. */
async function answerText<F extends string>(
  request: FastifyRequest,
  reply: FastifyReply,
  generation: TextRequest,
  field: F,
): Promise<Record<F, string> | undefined> {
  const ctx = ctxOf(request);
  if (!wantsEventStream(request))
    return { [field]: await generate(ctx, generation) } as Record<F, string>;
  const signal = disconnectSignal(reply);
  const events = await streamGeneration(ctx, generation, signal);
  await sendEventStream(request, reply, events, (text) => ({
    [field]: generation.finish ? generation.finish(text) : text,
  }));
  return undefined;
}

type ContextBody = {
  description: string;
  selected_tools: string[];
  answers: Record<string, unknown>;
  title?: string;
  project_type?: string;
  custom_document_type?: string;
  outline?: string;
  prd?: string;
  app_flow?: string;
  tech_stack_doc?: string;
  starter_kit?: string;
};

function planningContext(b: ContextBody): PlanningContext {
  return {
    description: b.description,
    selectedTools: b.selected_tools,
    answers: b.answers,
    title: b.title,
    projectType: b.project_type,
    customDocumentType: b.custom_document_type,
    outline: b.outline,
    prd: b.prd,
    appFlow: b.app_flow,
    techStackDoc: b.tech_stack_doc,
    starterKit: b.starter_kit,
  };
}

export async function generationRoutes(app: SurfaceApp): Promise<void> {
  app.post(
    '/generate/refine-prompt',
    {
      config,
      schema: {
        tags,
        summary: `Refine a prompt (image_urls only for a model that reads images).${streams}`,
        body: RefinePromptBody,
        response: { 200: RefinedPromptSchema, ...errors },
      },
    },
    (request, reply) =>
      answerText(
        request,
        reply,
        refinePromptRequest({
          userPrompt: request.body.user_prompt,
          imageUrls: request.body.image_urls,
        }),
        'refined_prompt',
      ),
  );

  app.post(
    '/generate/title',
    {
      config,
      schema: {
        tags,
        summary: `A title for a description.${streams}`,
        body: TitleBody,
        response: { 200: TitleSchema, ...errors },
      },
    },
    (request, reply) =>
      answerText(
        request,
        reply,
        titleRequest({
          description: request.body.description,
          isDeepResearch: request.body.is_deep_research,
        }),
        'title',
      ),
  );

  app.post(
    '/generate/questionnaire',
    {
      config,
      schema: {
        tags,
        summary: 'Questions to ask about a project (a structured answer: a list of strings)',
        body: QuestionnaireBody,
        response: { 200: QuestionsSchema, ...errors },
      },
    },
    async (request) => ({
      questions: await generateQuestionnaire(ctxOf(request), {
        projectContext: request.body.project_context,
      }),
    }),
  );

  app.post(
    '/generate/prd',
    {
      config,
      schema: {
        tags,
        summary: `A Project Requirements Document in Markdown.${streams}`,
        body: PrdBody,
        response: { 200: ContentSchema, ...errors },
      },
    },
    (request, reply) =>
      answerText(request, reply, prdRequest(planningContext(request.body)), 'content'),
  );

  app.post(
    '/generate/category',
    {
      config,
      schema: {
        tags,
        summary: 'A category for a title, chosen from existing_categories when given',
        body: CategoryBody,
        response: { 200: CategorySchema, ...errors },
      },
    },
    async (request) => ({
      category: await suggestCategory(ctxOf(request), {
        title: request.body.title,
        existingCategories: request.body.existing_categories,
      }),
    }),
  );

  app.post(
    '/generate/outline',
    {
      config,
      schema: {
        tags,
        summary: `An outline for a project document.${streams}`,
        body: OutlineBody,
        response: { 200: OutlineSchema, ...errors },
      },
    },
    (request, reply) =>
      answerText(request, reply, outlineRequest(planningContext(request.body)), 'outline'),
  );

  app.post(
    '/generate/document',
    {
      config,
      schema: {
        tags,
        summary: `A custom document for a project.${streams}`,
        body: DocumentBody,
        response: { 200: ContentSchema, ...errors },
      },
    },
    (request, reply) =>
      answerText(request, reply, documentRequest(planningContext(request.body)), 'content'),
  );

  app.post(
    '/generate/multiple-documents',
    {
      config,
      schema: {
        tags,
        summary:
          'Generate document types for a project at once and store each on the project; a partial failure keeps what succeeded',
        body: MultipleDocumentsBody,
        response: { 200: MultipleResultSchema, ...errors },
      },
    },
    async (request) => {
      const b = request.body;
      const outcome = await generateProjectDocuments(ctxOf(request), {
        projectId: b.project_id,
        documentTypes: b.document_types,
        context: planningContext(b),
      });
      const error = describeFailures(outcome);
      return {
        success: outcome.failed.length === 0,
        ...(error ? { error } : {}),
        generated: outcome.succeeded.map((s) => s.documentType),
        failed: outcome.failed.map((f) => f.documentType),
      };
    },
  );

  app.post(
    '/generate/background',
    {
      config,
      schema: {
        tags,
        summary:
          "Start generating a project's documents (all active types unless named) as a durable job",
        body: BackgroundBody,
        response: { 200: BackgroundStartedSchema, ...errors },
      },
    },
    async (request, reply) => {
      const started = await startBackgroundGeneration(ctxOf(request), {
        projectId: request.body.project_id,
        documentTypes: request.body.document_types,
      });
      return reply.code(200).send({
        job_id: started.id,
        status: started.status,
        message: `Background generation started for ${Object.keys(started.progress).length} document types`,
      });
    },
  );

  app.get(
    '/generate/background/:job_id/status',
    {
      schema: {
        tags,
        summary: 'Status, progress per document type and results of a background generation',
        params: IdParam('job_id'),
        response: { 200: BackgroundStatusSchema, ...errors },
      },
    },
    async (request) => {
      const job = await getBackgroundGeneration(ctxOf(request), request.params.job_id);
      return {
        job_id: job.id,
        status: job.status,
        progress: job.progress,
        results: job.results,
        ...(job.error ? { error: job.error } : {}),
      };
    },
  );
}
