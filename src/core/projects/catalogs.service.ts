/**
 * The catalogs CodeGuide's projects refer to: active document types (what generation
 * may produce), AI tools (`tools_selected`, `codie_tool_id`) and project categories
 * (`category_id`). Seeded by migration 0008; operators edit the tables directly.
 */
import type { Ctx } from '../context.ts';
import { forbidden, invalid } from '../errors.ts';
import { requireUser } from '../identity/users.service.ts';
import { uuidv7 } from '../shared/ids.ts';
import * as repo from './catalogs.repo.ts';
import type { AiTool, CatalogEntry } from './projects.types.ts';

export async function listDocumentTypes(
  ctx: Ctx,
  filter: { key?: string } = {},
): Promise<CatalogEntry[]> {
  requireUser(ctx);
  return (await repo.listDocumentTypes(ctx, { ...filter, activeOnly: true })).map(toEntry);
}

export async function listAiTools(
  ctx: Ctx,
  filter: { key?: string; category?: string } = {},
): Promise<AiTool[]> {
  requireUser(ctx);
  return (await repo.listAiTools(ctx, { ...filter, activeOnly: true })).map(toTool);
}

/** Every category (active or not: a project keeps the one it was filed under). */
export async function allCategories(ctx: Ctx): Promise<CatalogEntry[]> {
  return (await repo.listCategories(ctx)).map(toEntry);
}

/** Every AI tool, active or not, for resolving a project's references. */
export async function allAiTools(ctx: Ctx): Promise<AiTool[]> {
  return (await repo.listAiTools(ctx, { activeOnly: false })).map(toTool);
}

export interface CatalogChange {
  name?: string;
  description?: string;
  category?: string;
  ordinal?: number;
  isActive?: boolean;
}

/**
 * Adds or changes a document type or AI tool by key (operators: `tasklane catalog`).
 * Only the platform itself or an admin may; a new entry needs a name.
 */
export async function setCatalogEntry(
  ctx: Ctx,
  table: repo.CatalogTableName,
  key: string,
  change: CatalogChange,
): Promise<'created' | 'updated'> {
  if (ctx.actor.kind !== 'system' && !(ctx.actor.kind === 'user' && ctx.actor.role === 'admin'))
    throw forbidden('Only administrators edit the catalogs');
  if (!/^[a-z0-9_]{1,64}$/.test(key))
    throw invalid('key', 'key must be 1-64 lower-case letters, digits or underscores');
  const now = ctx.clock.now();
  const existing = await repo.findCatalogEntry(ctx, table, key);
  const fields = {
    ...(change.name !== undefined ? { name: change.name } : {}),
    ...(change.description !== undefined ? { description: change.description } : {}),
    ...(change.category !== undefined ? { category: change.category } : {}),
    ...(change.ordinal !== undefined ? { ordinal: change.ordinal } : {}),
    ...(change.isActive !== undefined ? { is_active: change.isActive ? 1 : 0 } : {}),
  };
  if (existing) {
    await repo.updateCatalogEntry(ctx, table, key, { ...fields, updated_at: now });
    return 'updated';
  }
  if (!change.name) throw invalid('name', `A new entry "${key}" needs a name`);
  await repo.insertCatalogEntry(ctx, table, {
    id: uuidv7(now),
    key,
    name: change.name,
    description: change.description ?? '',
    category: change.category,
    ordinal: change.ordinal ?? 100,
    is_active: change.isActive === false ? 0 : 1,
    created_at: now,
    updated_at: now,
  });
  return 'created';
}

function toEntry(row: repo.CatalogRow): CatalogEntry {
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    description: row.description,
    isActive: row.is_active === 1,
    ordinal: row.ordinal,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toTool(row: repo.AiToolRow): AiTool {
  return { ...toEntry(row), category: row.category };
}
