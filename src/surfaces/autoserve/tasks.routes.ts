/** AutoServe tasks: /tasks (list, create), /tasks/{id} (get, update, cancel), retry. */
import { invalid } from '../../core/errors.ts';
import {
  createTask,
  deleteTask,
  editPendingTask,
  getTask,
  listTasks,
  retryTask,
} from '../../core/tasks/tasks.service.ts';
import { ctxOf } from '../../http/context.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import { parseScheduledAt } from './dates.ts';
import { linksOf } from './links.ts';
import {
  presentCreatedTask,
  presentRetriedTask,
  presentTask,
  presentTaskListItem,
  presentUpdatedTask,
} from './presenters.ts';
import {
  CreatedTaskSchema,
  CreateTaskBody,
  ErrorSchema,
  ListTasksQuery,
  MessageSchema,
  RetriedTaskSchema,
  TASK_TYPES,
  TaskIdParams,
  TaskListSchema,
  TaskSchema,
  UpdatedTaskSchema,
  UpdateTaskBody,
} from './schemas.ts';
import { coreStatus } from './statuses.ts';

const tags = ['Tasks'];
const errors = { 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 429: ErrorSchema };

export async function taskRoutes(app: SurfaceApp): Promise<void> {
  app.get(
    '/tasks',
    {
      schema: {
        tags,
        summary: "The caller's tasks, newest first (limit ≤ 100, offset, status)",
        querystring: ListTasksQuery,
        response: { 200: TaskListSchema, ...errors },
      },
    },
    async (request) => {
      const { limit = 50, offset = 0, status } = request.query;
      const page = await listTasks(ctxOf(request), {
        scope: 'user',
        status: status ? [coreStatus(status)] : undefined,
        limit,
        offset,
      });
      const links = linksOf(request);
      return {
        tasks: page.items.map((task) => presentTaskListItem(task, links)),
        total: page.total,
        limit,
        offset,
      };
    },
  );

  app.post(
    '/tasks',
    {
      schema: {
        tags,
        summary: 'Create a task; it runs at scheduled_at (or now) in priority order',
        body: CreateTaskBody,
        response: { 201: CreatedTaskSchema, ...errors, 503: ErrorSchema },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const ctx = ctxOf(request);
      if (!(TASK_TYPES as readonly string[]).includes(body.task_type)) {
        throw invalid(
          'task_type',
          `Unknown task_type "${body.task_type}"; one of ${TASK_TYPES.join(', ')}`,
          'type_error.enum',
        );
      }
      const parameters = body.parameters ?? {};
      const task = await createTask(ctx, {
        kind: body.task_type,
        title: body.title,
        description: body.description ?? null,
        priority: body.priority,
        scheduledAt: parseScheduledAt(body.scheduled_at, ctx.clock.now()),
        parameters,
        // An agent task's prompt: parameters.prompt, else the description.
        ...(body.task_type === 'agent' ? agentInput(parameters, body.description) : {}),
        source: 'autoserve',
      });
      return reply.code(201).send(presentCreatedTask(task));
    },
  );

  app.get(
    '/tasks/:task_id',
    {
      schema: {
        tags,
        summary: 'One task, with its result or error once it finished',
        params: TaskIdParams,
        response: { 200: TaskSchema, ...errors },
      },
    },
    async (request) =>
      presentTask(await getTask(ctxOf(request), request.params.task_id), linksOf(request)),
  );

  app.put(
    '/tasks/:task_id',
    {
      schema: {
        tags,
        summary:
          'Change title, description, priority or scheduled_at of a task that has not started',
        params: TaskIdParams,
        body: UpdateTaskBody,
        response: { 200: UpdatedTaskSchema, ...errors, 409: ErrorSchema },
      },
    },
    async (request) => {
      const ctx = ctxOf(request);
      const body = request.body;
      const task = await editPendingTask(ctx, request.params.task_id, {
        title: body.title,
        description: body.description,
        priority: body.priority,
        scheduledAt: parseScheduledAt(body.scheduled_at, ctx.clock.now()),
      });
      return presentUpdatedTask(task);
    },
  );

  app.delete(
    '/tasks/:task_id',
    {
      schema: {
        tags,
        summary: 'Cancel a task (a running one is stopped) and remove it',
        params: TaskIdParams,
        response: { 200: MessageSchema, ...errors },
      },
    },
    async (request) => {
      await deleteTask(ctxOf(request), request.params.task_id);
      return { message: 'Task cancelled successfully' };
    },
  );

  app.post(
    '/tasks/:task_id/retry',
    {
      schema: {
        tags,
        summary: 'Run a failed task again (409 for any other status)',
        params: TaskIdParams,
        response: { 200: RetriedTaskSchema, ...errors, 409: ErrorSchema },
      },
    },
    async (request) =>
      presentRetriedTask(
        await retryTask(ctxOf(request), request.params.task_id, 'user', { failedOnly: true }),
      ),
  );
}

function agentInput(parameters: Record<string, unknown>, description: string | null | undefined) {
  const prompt = typeof parameters.prompt === 'string' ? parameters.prompt : description;
  const toolset = parameters.toolset;
  if (
    toolset !== undefined &&
    !(Array.isArray(toolset) && toolset.every((t) => typeof t === 'string'))
  )
    throw invalid('parameters.toolset', 'toolset must be a list of tool names', 'type_error.list');
  return { prompt: prompt ?? null, toolset: (toolset as string[] | undefined) ?? [] };
}
