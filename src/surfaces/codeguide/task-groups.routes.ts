/** CodeGuide task groups: CRUD, the full list and a paginated list. */
import { Type } from 'typebox';
import {
  createTaskGroup,
  deleteTaskGroup,
  getTaskGroup,
  listTaskGroups,
  pageTaskGroups,
  updateTaskGroup,
} from '../../core/projects/task-groups.service.ts';
import { ctxOf } from '../../http/context.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import {
  presentTaskGroup,
  presentTaskGroupDetail,
  success,
  successMessage,
  successPage,
} from './presenters.ts';
import {
  CreateTaskGroupBody,
  ErrorSchema,
  IdParam,
  Success,
  SuccessMessage,
  SuccessPage,
  TaskGroupDetailSchema,
  TaskGroupSchema,
  TaskGroupsPageQuery,
  UpdateTaskGroupBody,
} from './schemas.ts';

const tags = ['Task groups'];
const errors = { 401: ErrorSchema, 404: ErrorSchema, 422: ErrorSchema };
const Params = IdParam('task_group_id');

export async function taskGroupRoutes(app: SurfaceApp): Promise<void> {
  app.get(
    '/task-groups',
    {
      schema: {
        tags,
        summary: "The caller's task groups, newest first, each with its tasks",
        response: { 200: Success(Type.Array(TaskGroupDetailSchema)), ...errors },
      },
    },
    async (request) => success((await listTaskGroups(ctxOf(request))).map(presentTaskGroupDetail)),
  );

  app.get(
    '/task-groups/paginated',
    {
      schema: {
        tags,
        summary: 'A page of task groups, optionally of one project',
        querystring: TaskGroupsPageQuery,
        response: { 200: SuccessPage(TaskGroupDetailSchema), ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await pageTaskGroups(ctxOf(request), {
        page: q.page ?? 1,
        pageSize: q.page_size ?? 10,
        projectId: q.project_id,
      });
      return successPage(page, presentTaskGroupDetail);
    },
  );

  app.get(
    '/task-groups/:task_group_id',
    {
      schema: {
        tags,
        summary: 'A task group with its tasks',
        params: Params,
        response: { 200: Success(TaskGroupDetailSchema), ...errors },
      },
    },
    async (request) =>
      success(
        presentTaskGroupDetail(await getTaskGroup(ctxOf(request), request.params.task_group_id)),
      ),
  );

  app.post(
    '/task-groups',
    {
      schema: {
        tags,
        summary: 'Create a task group in one of your projects',
        body: CreateTaskGroupBody,
        response: { 201: Success(TaskGroupSchema), ...errors },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const group = await createTaskGroup(ctxOf(request), {
        name: b.name,
        description: b.description,
        projectId: b.project_id,
      });
      return reply.code(201).send(success(presentTaskGroup(group)));
    },
  );

  app.put(
    '/task-groups/:task_group_id',
    {
      schema: {
        tags,
        summary: 'Update a task group (only the fields sent change)',
        params: Params,
        body: UpdateTaskGroupBody,
        response: { 200: Success(TaskGroupSchema), ...errors },
      },
    },
    async (request) => {
      const b = request.body;
      const group = await updateTaskGroup(ctxOf(request), request.params.task_group_id, {
        name: b.name,
        description: b.description,
        projectId: b.project_id,
      });
      return success(presentTaskGroup(group));
    },
  );

  app.delete(
    '/task-groups/:task_group_id',
    {
      schema: {
        tags,
        summary: 'Delete a task group and its tasks',
        params: Params,
        response: { 200: SuccessMessage, ...errors },
      },
    },
    async (request) => {
      await deleteTaskGroup(ctxOf(request), request.params.task_group_id);
      return successMessage('Task group deleted successfully');
    },
  );
}
