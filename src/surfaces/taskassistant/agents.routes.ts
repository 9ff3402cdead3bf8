/**
 * Task Assistant agents: CRUD, `execute` (runs now and answers with the outcome; with
 * `background: true` it is queued and answered 202 with a run to poll), and runs.
 */
import { Type } from 'typebox';
import { executeAgent, getAgentRun, listAgentRuns } from '../../core/agents/agent-runs.service.ts';
import {
  createAgent,
  deleteAgent,
  getAgent,
  listAgents,
  updateAgent,
} from '../../core/agents/agents.service.ts';
import { ctxOf } from '../../http/context.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import { presentAgent, presentRun } from './presenters.ts';
import {
  AgentSchema,
  CreateAgentBody,
  ErrorSchema,
  ExecuteBody,
  IdParams,
  ListOf,
  Page,
  RunParams,
  RunSchema,
  UpdateAgentBody,
} from './schemas.ts';

const security = [{ bearerAuth: [] }];
const errors = { 401: ErrorSchema, 404: ErrorSchema, 422: ErrorSchema };

export async function agentRoutes(app: SurfaceApp): Promise<void> {
  app.post(
    '/agents',
    {
      schema: {
        tags: ['Agents'],
        summary: 'Create an agent (tools must be known, provider and model configured)',
        security,
        body: CreateAgentBody,
        response: { 201: AgentSchema, ...errors },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const agent = await createAgent(ctxOf(request), {
        name: b.name,
        description: b.description,
        instructions: b.instructions,
        provider: b.provider,
        model: b.model,
        temperature: b.temperature,
        tools: b.tools,
        metadata: b.metadata,
        isActive: b.is_active,
      });
      const { id, name, description, provider, model, is_active, created_at } = presentAgent(agent);
      return reply
        .code(201)
        .send({ id, name, description, provider, model, is_active, created_at });
    },
  );

  app.get(
    '/agents',
    {
      schema: {
        tags: ['Agents'],
        summary: "The tenant's agents",
        security,
        querystring: Page,
        response: { 200: ListOf(AgentSchema), ...errors },
      },
    },
    async (request) => {
      const { limit = 50, offset = 0 } = request.query;
      const page = await listAgents(ctxOf(request), { limit, offset });
      return { items: page.items.map(presentAgent), total: page.total, limit, offset };
    },
  );

  app.get(
    '/agents/:id',
    {
      schema: {
        tags: ['Agents'],
        summary: 'An agent',
        security,
        params: IdParams,
        response: { 200: AgentSchema, ...errors },
      },
    },
    async (request) => presentAgent(await getAgent(ctxOf(request), request.params.id)),
  );

  for (const method of ['patch', 'put'] as const) {
    app[method](
      '/agents/:id',
      {
        schema: {
          tags: ['Agents'],
          summary: 'Update an agent (any subset of its fields)',
          security,
          params: IdParams,
          body: UpdateAgentBody,
          response: { 200: AgentSchema, ...errors },
        },
      },
      async (request) => {
        const b = request.body;
        return presentAgent(
          await updateAgent(ctxOf(request), request.params.id, {
            name: b.name,
            description: b.description,
            instructions: b.instructions,
            provider: b.provider,
            model: b.model,
            temperature: b.temperature,
            tools: b.tools,
            metadata: b.metadata,
            isActive: b.is_active,
          }),
        );
      },
    );
  }

  app.delete(
    '/agents/:id',
    {
      schema: {
        tags: ['Agents'],
        summary: 'Delete an agent and its runs',
        security,
        params: IdParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await deleteAgent(ctxOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/agents/:id/execute',
    {
      schema: {
        tags: ['Agents'],
        summary:
          'Run the agent on an input: the outcome, or 202 and a queued run with `background: true`',
        security,
        params: IdParams,
        body: ExecuteBody,
        response: { 200: RunSchema, 202: RunSchema, ...errors, 409: ErrorSchema, 503: ErrorSchema },
      },
    },
    async (request, reply) => {
      const b = request.body;
      // A client that hangs up on a foreground run cancels it (sandbox killed, credits settled).
      const gone = new AbortController();
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) gone.abort('client disconnected');
      });
      const run = await executeAgent(
        ctxOf(request),
        request.params.id,
        { input: b.input, metadata: b.metadata },
        { background: b.background === true, signal: gone.signal },
      );
      return reply.code(b.background ? 202 : 200).send(presentRun(run));
    },
  );

  app.get(
    '/agents/:id/runs',
    {
      schema: {
        tags: ['Agents'],
        summary: "An agent's runs, newest first",
        security,
        params: IdParams,
        querystring: Page,
        response: { 200: ListOf(RunSchema), ...errors },
      },
    },
    async (request) => {
      const { limit = 50, offset = 0 } = request.query;
      const page = await listAgentRuns(ctxOf(request), request.params.id, { limit, offset });
      return { items: page.items.map(presentRun), total: page.total, limit, offset };
    },
  );

  app.get(
    '/agents/:id/runs/:run_id',
    {
      schema: {
        tags: ['Agents'],
        summary: 'One run (poll a background run here)',
        security,
        params: RunParams,
        response: { 200: RunSchema, ...errors },
      },
    },
    async (request) =>
      presentRun(await getAgentRun(ctxOf(request), request.params.id, request.params.run_id)),
  );
}
