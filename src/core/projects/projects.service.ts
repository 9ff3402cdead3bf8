/**
 * CodeGuide projects: the owner's plans, each with its generated documents, a category
 * and the AI tool it targets. Only the owner sees a project (anyone else gets a 404).
 * Deleting a project deletes its documents, task groups, tasks and generation jobs.
 */
import type { Ctx, UserActor } from '../context.ts';
import { invalid, notFound } from '../errors.ts';
import { requireUser } from '../identity/users.service.ts';
import { isUuid, uuidv7 } from '../shared/ids.ts';
import { allAiTools, allCategories } from './catalogs.service.ts';
import * as repo from './projects.repo.ts';
import {
  type Paged,
  PROJECT_STATUSES,
  type Project,
  type ProjectDetail,
  type ProjectDocument,
  type ProjectInput,
  type ProjectListQuery,
} from './projects.types.ts';

/** JSON fields (questionnaire answers, outline) are kept to a sane size. */
const MAX_JSON_BYTES = 256 * 1024;

export async function createProject(
  ctx: Ctx,
  input: ProjectInput & { title: string; description: string },
): Promise<Project> {
  const actor = requireUser(ctx);
  await check(ctx, input);
  const now = ctx.clock.now();
  const row = await repo.insertProject(ctx, {
    id: uuidv7(now),
    tenant_id: actor.tenantId,
    user_id: actor.userId,
    title: input.title,
    description: input.description,
    status: input.status ?? 'active',
    category_id: input.categoryId ?? null,
    codie_tool_id: input.codieToolId ?? null,
    tools_selected: JSON.stringify(input.toolsSelected ?? []),
    ai_questionaire: jsonOrNull(input.aiQuestionaire),
    project_outline: jsonOrNull(input.projectOutline),
    github_url: input.githubUrl ?? null,
    search_text: searchText(input.title, input.description),
    created_at: now,
    updated_at: now,
  });
  return toProject(actor, row);
}

/** The caller's project (with documents, category and tool), or 404. */
export async function getProject(ctx: Ctx, id: string): Promise<ProjectDetail> {
  const actor = requireUser(ctx);
  const row = await findOwned(ctx, actor, id);
  const [detail] = await withRelations(ctx, actor, [row]);
  return detail!;
}

/** The caller's project without its relations, or 404 (for other capabilities). */
export async function requireProject(ctx: Ctx, id: string): Promise<Project> {
  const actor = requireUser(ctx);
  return toProject(actor, await findOwned(ctx, actor, id));
}

export async function listProjects(ctx: Ctx): Promise<ProjectDetail[]> {
  const actor = requireUser(ctx);
  return withRelations(ctx, actor, await repo.listUserProjects(ctx, actor.userId));
}

export async function pageProjects(
  ctx: Ctx,
  query: ProjectListQuery,
): Promise<Paged<ProjectDetail>> {
  const actor = requireUser(ctx);
  const { rows, total } = await repo.pageUserProjects(ctx, actor.userId, query);
  return {
    items: await withRelations(ctx, actor, rows),
    total,
    page: query.page,
    pageSize: query.pageSize,
  };
}

export async function updateProject(ctx: Ctx, id: string, input: ProjectInput): Promise<Project> {
  const actor = requireUser(ctx);
  const current = await findOwned(ctx, actor, id);
  await check(ctx, input);
  const title = input.title ?? current.title;
  const description = input.description ?? current.description;
  const row = await repo.updateProject(ctx, id, {
    title,
    description,
    search_text: searchText(title, description),
    ...(input.status !== undefined ? { status: input.status } : {}),
    ...(input.categoryId !== undefined ? { category_id: input.categoryId } : {}),
    ...(input.codieToolId !== undefined ? { codie_tool_id: input.codieToolId } : {}),
    ...(input.toolsSelected !== undefined
      ? { tools_selected: JSON.stringify(input.toolsSelected) }
      : {}),
    ...(input.aiQuestionaire !== undefined
      ? { ai_questionaire: jsonOrNull(input.aiQuestionaire) }
      : {}),
    ...(input.projectOutline !== undefined
      ? { project_outline: jsonOrNull(input.projectOutline) }
      : {}),
    ...(input.githubUrl !== undefined ? { github_url: input.githubUrl } : {}),
    updated_at: ctx.clock.now(),
  });
  return toProject(actor, row);
}

export async function deleteProject(ctx: Ctx, id: string): Promise<void> {
  const actor = requireUser(ctx);
  await findOwned(ctx, actor, id);
  await repo.deleteProject(ctx, id);
}

/** Stores a generated document on the caller's project (replacing one of the same type). */
export async function saveProjectDocument(
  ctx: Ctx,
  projectId: string,
  documentType: string,
  content: string,
): Promise<ProjectDocument> {
  const actor = requireUser(ctx);
  await findOwned(ctx, actor, projectId);
  const now = ctx.clock.now();
  const row = await repo.upsertDocument(ctx, {
    id: uuidv7(now),
    tenant_id: actor.tenantId,
    user_id: actor.userId,
    project_id: projectId,
    document_type: documentType,
    content,
    created_at: now,
    updated_at: now,
  });
  return toDocument(row);
}

async function findOwned(ctx: Ctx, actor: UserActor, id: string): Promise<repo.ProjectRow> {
  const row = isUuid(id) ? await repo.findUserProject(ctx, actor.userId, id) : undefined;
  if (!row) throw notFound('Project');
  return row;
}

async function check(ctx: Ctx, input: ProjectInput): Promise<void> {
  if (input.status !== undefined && !(PROJECT_STATUSES as readonly string[]).includes(input.status))
    throw invalid('status', `status must be one of: ${PROJECT_STATUSES.join(', ')}`);
  if (input.categoryId) {
    const categories = await allCategories(ctx);
    if (!categories.some((c) => c.id === input.categoryId))
      throw invalid('category_id', `Unknown category_id "${input.categoryId}"`);
  }
  if (input.codieToolId || input.toolsSelected?.length) {
    const tools = await allAiTools(ctx);
    if (input.codieToolId && !tools.some((t) => t.id === input.codieToolId))
      throw invalid('codie_tool_id', `Unknown codie_tool_id "${input.codieToolId}"`);
    const keys = new Set(tools.filter((t) => t.isActive).map((t) => t.key));
    const unknown = (input.toolsSelected ?? []).filter((k) => !keys.has(k));
    if (unknown.length > 0)
      throw invalid(
        'tools_selected',
        `Unknown tools: ${unknown.join(', ')} (GET /ai-tools lists the keys)`,
      );
  }
  for (const [field, value] of [
    ['ai_questionaire', input.aiQuestionaire],
    ['project_outline', input.projectOutline],
  ] as const) {
    if (value && JSON.stringify(value).length > MAX_JSON_BYTES)
      throw invalid(field, `${field} is larger than ${MAX_JSON_BYTES} bytes`);
  }
}

async function withRelations(
  ctx: Ctx,
  actor: UserActor,
  rows: repo.ProjectRow[],
): Promise<ProjectDetail[]> {
  if (rows.length === 0) return [];
  const [documents, categories, tools] = await Promise.all([
    repo.documentsOf(
      ctx,
      rows.map((r) => r.id),
    ),
    allCategories(ctx),
    allAiTools(ctx),
  ]);
  return rows.map((row) => ({
    ...toProject(actor, row),
    documents: documents.filter((d) => d.project_id === row.id).map(toDocument),
    category: categories.find((c) => c.id === row.category_id) ?? null,
    codieTool: tools.find((t) => t.id === row.codie_tool_id) ?? null,
  }));
}

function searchText(title: string, description: string): string {
  return `${title} ${description}`.toLowerCase();
}

function jsonOrNull(value: Record<string, unknown> | null | undefined): string | null {
  return value == null ? null : JSON.stringify(value);
}

function toProject(actor: UserActor, row: repo.ProjectRow): Project {
  return {
    id: row.id,
    userId: row.user_id,
    userUuid: actor.userUuid,
    title: row.title,
    description: row.description,
    status: row.status,
    categoryId: row.category_id,
    codieToolId: row.codie_tool_id,
    toolsSelected: JSON.parse(row.tools_selected) as string[],
    aiQuestionaire: row.ai_questionaire ? JSON.parse(row.ai_questionaire) : null,
    projectOutline: row.project_outline ? JSON.parse(row.project_outline) : null,
    githubUrl: row.github_url,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toDocument(row: repo.ProjectDocumentRow): ProjectDocument {
  return {
    id: row.id,
    projectId: row.project_id,
    userId: row.user_id,
    documentType: row.document_type,
    content: row.content,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
