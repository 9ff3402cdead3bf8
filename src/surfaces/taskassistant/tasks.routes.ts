/** Task Assistant tasks: the tenant's tasks, listed, created, read, updated and deleted. */
import { type Static, Type } from 'typebox';
import {
  createTask,
  deleteTask,
  getTask,
  listTasks,
  updateTask,
} from '../../core/tasks/tasks.service.ts';
import { ctxOf } from '../../http/context.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import { presentCreatedTask, presentTask, presentTaskSummary } from './presenters.ts';
import {
  CreateTaskBody,
  ErrorSchema,
  IdParams,
  ListOf,
  TaskListQuery,
  TaskSchema,
  UpdateTaskBody,
} from './schemas.ts';
import { corePriorities, corePriority, coreStatus, coreStatuses } from './statuses.ts';

const security = [{ bearerAuth: [] }];
const errors = { 401: ErrorSchema, 404: ErrorSchema, 422: ErrorSchema };
const time = (value: string | null | undefined) =>
  value === undefined ? undefined : value === null ? null : Date.parse(value);

export async function taskRoutes(app: SurfaceApp): Promise<void> {
  app.get(
    '/tasks',
    {
      schema: {
        tags: ['Tasks'],
        summary: "The tenant's tasks (status, priority, limit ≤ 100, offset)",
        security,
        querystring: TaskListQuery,
        response: { 200: ListOf(TaskSchema), ...errors },
      },
    },
    async (request) => {
      const { status, priority, limit = 50, offset = 0 } = request.query;
      const page = await listTasks(ctxOf(request), {
        scope: 'tenant',
        status: status ? coreStatuses(status) : undefined,
        priority: priority ? corePriorities(priority) : undefined,
        limit,
        offset,
      });
      return { items: page.items.map(presentTaskSummary), total: page.total, limit, offset };
    },
  );

  app.post(
    '/tasks',
    {
      schema: {
        tags: ['Tasks'],
        summary: 'Create a task (an agent works on it when an AI provider is configured)',
        security,
        body: CreateTaskBody,
        response: { 201: TaskSchema, ...errors, 429: ErrorSchema },
      },
    },
    async (request, reply) => {
      const ctx = ctxOf(request);
      const body = request.body;
      const agent = ctx.runtime.ai.configured;
      const task = await createTask(ctx, {
        kind: agent ? 'agent' : 'manual',
        title: body.title,
        description: body.description ?? null,
        prompt: agent ? [body.title, body.description].filter(Boolean).join('\n\n') : null,
        priority: corePriority(body.priority ?? 'medium'),
        dueDate: time(body.due_date),
        metadata: body.metadata,
        source: 'taskassistant',
      });
      return reply.code(201).send(presentCreatedTask(task));
    },
  );

  app.get(
    '/tasks/:id',
    {
      schema: {
        tags: ['Tasks'],
        summary: 'Task details, with its result',
        security,
        params: IdParams,
        response: { 200: TaskSchema, ...errors },
      },
    },
    async (request) => presentTask(await getTask(ctxOf(request), request.params.id, 'tenant')),
  );

  const changes = (body: Static<typeof UpdateTaskBody>) => {
    return {
      status: body.status ? coreStatus(body.status) : undefined,
      title: body.title,
      description: body.description,
      priority: body.priority ? corePriority(body.priority) : undefined,
      dueDate: time(body.due_date),
      metadata: body.metadata,
      result: body.result,
    };
  };
  for (const method of ['patch', 'put'] as const) {
    app[method](
      '/tasks/:id',
      {
        schema: {
          tags: ['Tasks'],
          summary: 'Update a task (any subset of its fields; status and result too)',
          security,
          params: IdParams,
          body: UpdateTaskBody,
          response: { 200: TaskSchema, ...errors },
        },
      },
      async (request) =>
        presentTask(
          await updateTask(ctxOf(request), request.params.id, changes(request.body), 'tenant'),
        ),
    );
  }

  app.delete(
    '/tasks/:id',
    {
      schema: {
        tags: ['Tasks'],
        summary: 'Delete a task (a running one is cancelled first)',
        security,
        params: IdParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await deleteTask(ctxOf(request), request.params.id, 'tenant');
      return reply.code(204).send(null);
    },
  );
}
