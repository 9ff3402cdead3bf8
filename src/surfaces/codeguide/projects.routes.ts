/** CodeGuide projects: CRUD, the full list and a filtered, paginated list. */
import { type Static, Type } from 'typebox';
import {
  createProject,
  deleteProject,
  getProject,
  listProjects,
  pageProjects,
  updateProject,
} from '../../core/projects/projects.service.ts';
import { ctxOf } from '../../http/context.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import { endOfDay, startOfDay } from './dates.ts';
import {
  presentProject,
  presentProjectDetail,
  success,
  successMessage,
  successPage,
} from './presenters.ts';
import {
  CreateProjectBody,
  ErrorSchema,
  IdParam,
  ProjectDetailSchema,
  ProjectSchema,
  ProjectsPageQuery,
  Success,
  SuccessMessage,
  SuccessPage,
  UpdateProjectBody,
} from './schemas.ts';

const tags = ['Projects'];
const errors = { 401: ErrorSchema, 404: ErrorSchema, 422: ErrorSchema };
const Params = IdParam('project_id');

/** A project body (create or update) in the core's words. */
function projectInput(b: Static<typeof UpdateProjectBody>): Parameters<typeof updateProject>[2] {
  return {
    title: b.title,
    description: b.description,
    categoryId: b.category_id,
    codieToolId: b.codie_tool_id,
    toolsSelected: b.tools_selected,
    aiQuestionaire: b.ai_questionaire,
    projectOutline: b.project_outline,
    githubUrl: b.github_url,
    status: b.status,
  };
}

export async function projectRoutes(app: SurfaceApp): Promise<void> {
  app.get(
    '/projects',
    {
      schema: {
        tags,
        summary: "The caller's projects, newest first, with documents, category and tool",
        response: { 200: Success(Type.Array(ProjectDetailSchema)), ...errors },
      },
    },
    async (request) => success((await listProjects(ctxOf(request))).map(presentProjectDetail)),
  );

  app.get(
    '/projects/paginated',
    {
      schema: {
        tags,
        summary: 'A page of projects, filtered by text, status and creation date',
        querystring: ProjectsPageQuery,
        response: { 200: SuccessPage(ProjectDetailSchema), ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      const from = startOfDay(q.start_date, 'start_date');
      const to = endOfDay(q.end_date, 'end_date');
      const page = await pageProjects(ctxOf(request), {
        page: q.page ?? 1,
        pageSize: q.page_size ?? 10,
        search: q.search_query?.trim() || undefined,
        status: q.status,
        from,
        to,
        sort: q.sort_by_date ?? 'desc',
      });
      return successPage(page, presentProjectDetail);
    },
  );

  app.get(
    '/projects/:project_id',
    {
      schema: {
        tags,
        summary: 'A project with its documents, category and tool',
        params: Params,
        response: { 200: Success(ProjectDetailSchema), ...errors },
      },
    },
    async (request) =>
      success(presentProjectDetail(await getProject(ctxOf(request), request.params.project_id))),
  );

  app.post(
    '/projects',
    {
      schema: {
        tags,
        summary: 'Create a project',
        body: CreateProjectBody,
        response: { 201: Success(ProjectSchema), ...errors },
      },
    },
    async (request, reply) => {
      const { title, description } = request.body;
      const project = await createProject(ctxOf(request), {
        ...projectInput(request.body),
        title,
        description,
      });
      return reply.code(201).send(success(presentProject(project)));
    },
  );

  app.put(
    '/projects/:project_id',
    {
      schema: {
        tags,
        summary: 'Update a project (only the fields sent change)',
        params: Params,
        body: UpdateProjectBody,
        response: { 200: Success(ProjectSchema), ...errors },
      },
    },
    async (request) => {
      const project = await updateProject(
        ctxOf(request),
        request.params.project_id,
        projectInput(request.body),
      );
      return success(presentProject(project));
    },
  );

  app.delete(
    '/projects/:project_id',
    {
      schema: {
        tags,
        summary: 'Delete a project with its documents, task groups and tasks',
        params: Params,
        response: { 200: SuccessMessage, ...errors },
      },
    },
    async (request) => {
      await deleteProject(ctxOf(request), request.params.project_id);
      return successMessage('Project deleted successfully');
    },
  );
}
