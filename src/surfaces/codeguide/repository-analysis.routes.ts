/**
 * CodeGuide repository analysis (spec §7): start an analysis (a durable background job),
 * read its status and result by task id without credentials (as the spec says; the id
 * is random and unguessable), and the caller's analysed repositories.
 */
import {
  deleteRepository,
  getAnalysisTask,
  getRepository,
  listRepositories,
  startRepositoryAnalysis,
} from '../../core/repository-analysis/repository-analysis.service.ts';
import { ctxOf } from '../../http/context.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import { GENERATION_LIMITS } from './limits.ts';
import { successMessage } from './presenters.ts';
import {
  presentAnalysisResult,
  presentAnalysisStatus,
  presentRepository,
  presentRepositoryDetail,
} from './repository-analysis.presenters.ts';
import {
  AnalysisResultSchema,
  AnalysisStartedSchema,
  AnalysisStatusSchema,
  AnalyzeBody,
  RepositoriesQuery,
  RepositoriesSchema,
  RepositoryDetailSchema,
} from './repository-analysis.schemas.ts';
import { ErrorSchema, IdParam, SuccessMessage } from './schemas.ts';

const tags = ['Repository analysis'];
const errors = { 401: ErrorSchema, 404: ErrorSchema, 422: ErrorSchema };
const TaskParam = IdParam('task_id');
const RepoParam = IdParam('repo_id');
/** The status and result routes take no credentials (spec): the task id is the key. */
const open = { auth: 'none' as const };

export async function repositoryAnalysisRoutes(app: SurfaceApp): Promise<void> {
  app.post(
    '/repository-analysis/analyze',
    {
      // Each analysis clones a repository and calls the model: counted like /generate.
      config: { rateLimits: GENERATION_LIMITS },
      schema: {
        tags,
        summary:
          'Analyse a git repository (http(s) URL) in the background; optionally generate the project documents and a codespace task',
        body: AnalyzeBody,
        response: { 200: AnalysisStartedSchema, ...errors },
      },
    },
    async (request) => {
      const b = request.body;
      const task = await startRepositoryAnalysis(ctxOf(request), {
        repositoryUrl: b.repository_url,
        generateDocuments: b.generate_documents,
        createCodespaceTask: b.create_codespace_task,
        projectId: b.project_id,
      });
      return { task_id: task.id, status: task.status, message: task.message };
    },
  );

  app.get(
    '/repository-analysis/tasks/:task_id',
    {
      config: open,
      schema: {
        tags,
        summary: "An analysis task's status, message and progress (0–100); no credentials needed",
        security: [],
        params: TaskParam,
        response: { 200: AnalysisStatusSchema, 404: ErrorSchema },
      },
    },
    async (request) =>
      presentAnalysisStatus(await getAnalysisTask(ctxOf(request), request.params.task_id)),
  );

  app.get(
    '/repository-analysis/tasks/:task_id/result',
    {
      config: open,
      schema: {
        tags,
        summary:
          "An analysis task's result (repository, documents, statistics, summary); `result` is null until it completes; no credentials needed",
        security: [],
        params: TaskParam,
        response: { 200: AnalysisResultSchema, 404: ErrorSchema },
      },
    },
    async (request) =>
      presentAnalysisResult(await getAnalysisTask(ctxOf(request), request.params.task_id)),
  );

  app.get(
    '/repository-analysis/repositories',
    {
      schema: {
        tags,
        summary: "The caller's analysed repositories, newest first",
        querystring: RepositoriesQuery,
        response: { 200: RepositoriesSchema, ...errors },
      },
    },
    async (request) => {
      const page = await listRepositories(ctxOf(request), {
        skip: request.query.skip,
        limit: request.query.limit,
      });
      return { repositories: page.items.map(presentRepository), total: page.total };
    },
  );

  app.get(
    '/repository-analysis/repositories/:repo_id',
    {
      schema: {
        tags,
        summary: 'One of the caller’s repositories with its latest analysis',
        params: RepoParam,
        response: { 200: RepositoryDetailSchema, ...errors },
      },
    },
    async (request) =>
      presentRepositoryDetail(await getRepository(ctxOf(request), request.params.repo_id)),
  );

  app.delete(
    '/repository-analysis/repositories/:repo_id',
    {
      schema: {
        tags,
        summary: 'Delete one of the caller’s repositories and its analysis tasks',
        params: RepoParam,
        response: { 200: SuccessMessage, ...errors },
      },
    },
    async (request) => {
      await deleteRepository(ctxOf(request), request.params.repo_id);
      return successMessage('Repository deleted successfully');
    },
  );
}
