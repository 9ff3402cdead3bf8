/** CodeGuide project tasks: CRUD, a filtered list and a filtered, paginated list. */
import { Type } from 'typebox';
import {
  createProjectTask,
  deleteProjectTask,
  getProjectTask,
  listProjectTasks,
  pageProjectTasks,
  updateProjectTask,
} from '../../core/projects/project-tasks.service.ts';
import { ctxOf } from '../../http/context.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import {
  presentProjectTask,
  presentProjectTaskDetail,
  success,
  successMessage,
  successPage,
} from './presenters.ts';
import {
  CreateProjectTaskBody,
  ErrorSchema,
  IdParam,
  ProjectTaskDetailSchema,
  ProjectTaskSchema,
  ProjectTasksPageQuery,
  ProjectTasksQuery,
  Success,
  SuccessMessage,
  SuccessPage,
  UpdateProjectTaskBody,
} from './schemas.ts';

const tags = ['Project tasks'];
const errors = { 401: ErrorSchema, 404: ErrorSchema, 422: ErrorSchema };
const Params = IdParam('task_id');

export async function projectTaskRoutes(app: SurfaceApp): Promise<void> {
  app.get(
    '/project-tasks',
    {
      schema: {
        tags,
        summary: "The caller's project tasks (by ordinal), each with its direct subtasks",
        querystring: ProjectTasksQuery,
        response: { 200: Success(Type.Array(ProjectTaskDetailSchema)), ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      const tasks = await listProjectTasks(ctxOf(request), {
        taskGroupId: q.task_group_id,
        parentTaskId: q.parent_task_id,
        status: q.status,
      });
      return success(tasks.map(presentProjectTaskDetail));
    },
  );

  app.get(
    '/project-tasks/paginated',
    {
      schema: {
        tags,
        summary: 'A page of project tasks, filtered by group, parent, status and text',
        querystring: ProjectTasksPageQuery,
        response: { 200: SuccessPage(ProjectTaskDetailSchema), ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await pageProjectTasks(ctxOf(request), {
        page: q.page ?? 1,
        pageSize: q.page_size ?? 10,
        taskGroupId: q.task_group_id,
        parentTaskId: q.parent_task_id,
        status: q.status,
        search: q.search_query?.trim() || undefined,
      });
      return successPage(page, presentProjectTaskDetail);
    },
  );

  app.get(
    '/project-tasks/:task_id',
    {
      schema: {
        tags,
        summary: 'A project task with its direct subtasks',
        params: Params,
        response: { 200: Success(ProjectTaskDetailSchema), ...errors },
      },
    },
    async (request) =>
      success(
        presentProjectTaskDetail(await getProjectTask(ctxOf(request), request.params.task_id)),
      ),
  );

  app.post(
    '/project-tasks',
    {
      schema: {
        tags,
        summary: 'Create a project task (status starts as pending)',
        body: CreateProjectTaskBody,
        response: { 201: Success(ProjectTaskSchema), ...errors },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const task = await createProjectTask(ctxOf(request), {
        title: b.title,
        description: b.description,
        taskGroupId: b.task_group_id,
        parentTaskId: b.parent_task_id,
        ordinal: b.ordinal,
      });
      return reply.code(201).send(success(presentProjectTask(task)));
    },
  );

  app.put(
    '/project-tasks/:task_id',
    {
      schema: {
        tags,
        summary: 'Update a project task (only the fields sent change)',
        params: Params,
        body: UpdateProjectTaskBody,
        response: { 200: Success(ProjectTaskSchema), ...errors },
      },
    },
    async (request) => {
      const b = request.body;
      const task = await updateProjectTask(ctxOf(request), request.params.task_id, {
        title: b.title,
        description: b.description,
        status: b.status,
        taskGroupId: b.task_group_id,
        parentTaskId: b.parent_task_id,
        ordinal: b.ordinal,
      });
      return success(presentProjectTask(task));
    },
  );

  app.delete(
    '/project-tasks/:task_id',
    {
      schema: {
        tags,
        summary: 'Delete a project task and its subtasks',
        params: Params,
        response: { 200: SuccessMessage, ...errors },
      },
    },
    async (request) => {
      await deleteProjectTask(ctxOf(request), request.params.task_id);
      return successMessage('Project task deleted successfully');
    },
  );
}
