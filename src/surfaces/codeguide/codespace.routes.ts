/** CodeGuide codespace tasks (records; running them is not built yet) and codespace models. */
import { Type } from 'typebox';
import {
  codespaceModels,
  createCodespaceTask,
  deleteCodespaceTask,
  getCodespaceTaskDetail,
  listCodespaceTasks,
  updateCodespaceTask,
} from '../../core/codespace/codespace.service.ts';
import { ctxOf, publicBaseUrl } from '../../http/context.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import { success, successMessage } from './presenters.ts';
import { ErrorSchema, IdParam, Success, SuccessMessage } from './schemas.ts';
import {
  presentCodespaceModels,
  presentCodespaceTask,
  presentCodespaceTaskDetail,
} from './usage-presenters.ts';
import {
  CodespaceModelSchema,
  CodespaceTaskDetailSchema,
  CodespaceTaskSchema,
  CodespaceTasksQuery,
  CreateCodespaceTaskBody,
  UpdateCodespaceTaskBody,
} from './usage-schemas.ts';

const tags = ['Codespace'];
const errors = { 401: ErrorSchema, 404: ErrorSchema, 422: ErrorSchema };
const TaskParam = IdParam('task_id');

export async function codespaceRoutes(app: SurfaceApp): Promise<void> {
  app.post(
    '/codespace/tasks',
    {
      schema: {
        tags,
        summary: 'Create a codespace task',
        body: CreateCodespaceTaskBody,
        response: { 201: CodespaceTaskSchema, ...errors },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const task = await createCodespaceTask(ctxOf(request), {
        projectId: b.project_id,
        repositoryUrl: b.repository_url,
        taskDescription: b.task_description,
        modelId: b.model_id,
        deploymentConfig: b.deployment_config,
      });
      reply.code(201);
      return presentCodespaceTask(task);
    },
  );

  app.get(
    '/codespace/tasks/:task_id',
    {
      schema: {
        tags,
        summary: 'A codespace task, with its deployment and model',
        params: TaskParam,
        response: { 200: CodespaceTaskDetailSchema, ...errors },
      },
    },
    async (request) => {
      const detail = await getCodespaceTaskDetail(ctxOf(request), request.params.task_id, {
        baseUrl: publicBaseUrl(request),
        ttlSeconds: 3600,
      });
      return presentCodespaceTaskDetail(detail);
    },
  );

  app.get(
    '/codespace/tasks',
    {
      schema: {
        tags,
        summary: "The caller's codespace tasks, newest first",
        querystring: CodespaceTasksQuery,
        response: { 200: Success(Type.Array(CodespaceTaskSchema)), ...errors },
      },
    },
    async (request) => {
      const tasks = await listCodespaceTasks(ctxOf(request), {
        projectId: request.query.project_id,
        status: request.query.status,
      });
      return success(tasks.map(presentCodespaceTask));
    },
  );

  app.put(
    '/codespace/tasks/:task_id',
    {
      schema: {
        tags,
        summary: 'Change the description (before it starts), cancel, or set the deployment',
        params: TaskParam,
        body: UpdateCodespaceTaskBody,
        response: { 200: CodespaceTaskSchema, 409: ErrorSchema, ...errors },
      },
    },
    async (request) => {
      const b = request.body;
      const task = await updateCodespaceTask(ctxOf(request), request.params.task_id, {
        taskDescription: b.task_description,
        status: b.status,
        deploymentConfig: b.deployment_config,
      });
      return presentCodespaceTask(task);
    },
  );

  app.delete(
    '/codespace/tasks/:task_id',
    {
      schema: {
        tags,
        summary: 'Delete a codespace task',
        params: TaskParam,
        response: { 200: SuccessMessage, ...errors },
      },
    },
    async (request) => {
      await deleteCodespaceTask(ctxOf(request), request.params.task_id);
      return successMessage('Codespace task deleted successfully');
    },
  );

  app.get(
    '/codespace-models',
    {
      schema: {
        tags: ['Codespace models'],
        summary: 'The models a codespace task may use, with provider, capabilities and pricing',
        response: { 200: Success(Type.Array(CodespaceModelSchema)), 401: ErrorSchema },
      },
    },
    async (request) => success(presentCodespaceModels(codespaceModels(ctxOf(request)))),
  );
}
