/** Codeep tasks: /tasks/tasks (create, list, get, update, delete), results, queue status. */
import { Type } from 'typebox';
import { isoTime } from '../../core/shared/clock.ts';
import { getTaskResults } from '../../core/tasks/task-results.ts';
import {
  createTask,
  deleteTask,
  getTask,
  listTasks,
  taskQueueStats,
  updateTask,
} from '../../core/tasks/tasks.service.ts';
import { ctxOf, publicBaseUrl } from '../../http/context.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import { parseIsoTime } from './dates.ts';
import { parsedResult, presentCreatedTask, presentTask } from './presenters.ts';
import {
  CreatedTaskSchema,
  CreateTaskBody,
  ErrorSchema,
  ListTasksQuery,
  TaskIdParams,
  TaskSchema,
  TooManyRequestsSchema,
  UpdateTaskBody,
} from './schemas.ts';
import { coreStatus, coreStatuses, toCodeepStatus } from './statuses.ts';

const security = [{ bearerAuth: [] }];
const errors = { 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema };

export async function taskRoutes(app: SurfaceApp): Promise<void> {
  app.post(
    '/tasks/tasks',
    {
      schema: {
        tags: ['Tasks'],
        summary: 'Submit a new task: the prompt runs as an agent with the given toolset',
        security,
        body: CreateTaskBody,
        response: {
          201: Type.Object({ message: Type.String(), task: CreatedTaskSchema }),
          ...errors,
          429: TooManyRequestsSchema,
        },
      },
    },
    async (request, reply) => {
      const task = await createTask(ctxOf(request), {
        kind: 'agent',
        prompt: request.body.prompt,
        toolset: request.body.toolset ?? [],
        source: 'codeep',
      });
      return reply
        .code(201)
        .send({ message: 'Task created successfully', task: presentCreatedTask(task) });
    },
  );

  app.get(
    '/tasks/tasks',
    {
      schema: {
        tags: ['Tasks'],
        summary: "The user's tasks, newest first (optional status, limit ≤ 1000, offset)",
        security,
        querystring: ListTasksQuery,
        response: { 200: Type.Object({ tasks: Type.Array(TaskSchema) }), 401: ErrorSchema },
      },
    },
    async (request, reply) => {
      const { status, limit = 100, offset = 0 } = request.query;
      const page = await listTasks(ctxOf(request), {
        scope: 'user',
        status: status ? coreStatuses(status) : undefined,
        limit,
        offset,
      });
      reply.header('X-Total-Count', String(page.total));
      return { tasks: page.items.map(presentTask) };
    },
  );

  app.get(
    '/tasks/tasks/:task_id',
    {
      schema: {
        tags: ['Tasks'],
        summary: 'One task',
        security,
        params: TaskIdParams,
        response: { 200: Type.Object({ task: TaskSchema }), 401: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (request) => ({
      task: presentTask(await getTask(ctxOf(request), request.params.task_id)),
    }),
  );

  app.put(
    '/tasks/tasks/:task_id',
    {
      schema: {
        tags: ['Tasks'],
        summary: 'Update task status or information',
        security,
        params: TaskIdParams,
        body: UpdateTaskBody,
        response: { 200: Type.Object({ message: Type.String(), task: TaskSchema }), ...errors },
      },
    },
    async (request) => {
      const body = request.body;
      const task = await updateTask(ctxOf(request), request.params.task_id, {
        status: body.status ? coreStatus(body.status) : undefined,
        result: body.result,
        errorMessage: body.error_message,
        startedAt: parseIsoTime(body.started_at, 'started_at'),
        completedAt: parseIsoTime(body.completed_at, 'completed_at'),
      });
      return { message: 'Task updated successfully', task: presentTask(task) };
    },
  );

  app.delete(
    '/tasks/tasks/:task_id',
    {
      schema: {
        tags: ['Tasks'],
        summary: 'Remove a task (a running one is cancelled first)',
        security,
        params: TaskIdParams,
        response: {
          200: Type.Object({ message: Type.String() }),
          401: ErrorSchema,
          404: ErrorSchema,
        },
      },
    },
    async (request) => {
      await deleteTask(ctxOf(request), request.params.task_id);
      return { message: 'Task deleted successfully' };
    },
  );

  app.get(
    '/tasks/tasks/:task_id/results',
    {
      schema: {
        tags: ['Queue'],
        summary: 'Results and signed download URLs of a finished task (202 while it is not)',
        security,
        params: TaskIdParams,
        response: {
          200: Type.Object({
            task_id: Type.String(),
            status: Type.String(),
            result: Type.Unknown(),
            result_urls: Type.Record(Type.String(), Type.String()),
            completed_at: Type.Union([Type.String(), Type.Null()]),
            error_message: Type.Optional(Type.Union([Type.String(), Type.Null()])),
          }),
          202: Type.Object({
            task_id: Type.String(),
            status: Type.String(),
            message: Type.String(),
          }),
          401: ErrorSchema,
          404: ErrorSchema,
        },
      },
    },
    async (request, reply) => {
      const { task, finished, urls } = await getTaskResults(
        ctxOf(request),
        request.params.task_id,
        {
          baseUrl: publicBaseUrl(request),
          ttlSeconds: 3600,
        },
      );
      const status = toCodeepStatus(task.status);
      if (!finished) {
        return reply
          .code(202)
          .send({ task_id: task.id, status, message: 'Task is not completed yet' });
      }
      return {
        task_id: task.id,
        status,
        result: parsedResult(task.result),
        result_urls: urls,
        completed_at: isoTime(task.completedAt),
        ...(status === 'failed' ? { error_message: presentTask(task).error_message } : {}),
      };
    },
  );

  app.get(
    '/tasks/queue/status',
    {
      schema: {
        tags: ['Queue'],
        summary: 'Queue lengths per lane and the consumers working them',
        security,
        response: {
          200: Type.Object({
            queue_lengths: Type.Object({ normal: Type.Integer(), premium: Type.Integer() }),
            consumer_stats: Type.Object({
              active_consumers: Type.Integer(),
              processing_tasks: Type.Integer(),
            }),
            total_queued: Type.Integer(),
          }),
          401: ErrorSchema,
        },
      },
    },
    async (request) => {
      const stats = await taskQueueStats(ctxOf(request));
      return {
        queue_lengths: { normal: stats.lanes.normal.queued, premium: stats.lanes.premium.queued },
        consumer_stats: {
          active_consumers: stats.activeConsumers,
          processing_tasks: stats.lanes.normal.running + stats.lanes.premium.running,
        },
        total_queued: stats.lanes.normal.queued + stats.lanes.premium.queued,
      };
    },
  );
}
