/**
 * Agents: named settings for the agent runner (instructions, provider, model,
 * temperature, tools), shared by the tenant. Runs live in agent-runs.service.ts.
 */

import { unknownTools } from '../ai/tools/names.ts';
import type { Ctx } from '../context.ts';
import { DomainError, notFound } from '../errors.ts';
import { requireUser } from '../identity/users.service.ts';
import { isUuid, uuidv7 } from '../shared/ids.ts';
import * as repo from './agents.repo.ts';

export interface Agent {
  id: string;
  tenantId: string;
  userId: number;
  name: string;
  description: string | null;
  instructions: string | null;
  provider: string | null;
  model: string | null;
  temperature: number | null;
  tools: string[];
  metadata: Record<string, unknown>;
  isActive: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface AgentInput {
  name?: string;
  description?: string | null;
  instructions?: string | null;
  provider?: string | null;
  model?: string | null;
  temperature?: number | null;
  tools?: string[];
  metadata?: Record<string, unknown>;
  isActive?: boolean;
}

const MAX_JSON = 64 * 1024;

function check(ctx: Ctx, input: AgentInput): { provider: string; model: string } | undefined {
  if (input.tools) {
    const unknown = unknownTools(input.tools);
    if (unknown.length > 0) {
      throw new DomainError(
        'validation',
        `Unknown tools: ${unknown.join(', ')}`,
        { field: 'tools' },
        [
          {
            location: ['body', 'tools'],
            message: `Unknown tools: ${unknown.join(', ')}`,
            type: 'value_error',
          },
        ],
      );
    }
  }
  if (input.metadata && JSON.stringify(input.metadata).length > MAX_JSON)
    throw new DomainError('validation', 'metadata is too large');
  if (input.provider === undefined && input.model === undefined) return undefined;
  const resolved = ctx.runtime.ai.resolve({ provider: input.provider, model: input.model });
  return { provider: resolved.provider, model: resolved.requested };
}

export async function createAgent(ctx: Ctx, input: AgentInput & { name: string }): Promise<Agent> {
  const actor = requireUser(ctx);
  const resolved =
    check(ctx, input) ??
    (() => {
      const r = ctx.runtime.ai.resolve({});
      return { provider: r.provider, model: r.requested };
    })();
  const now = ctx.clock.now();
  const row = await repo.insertAgent(ctx, {
    id: uuidv7(now),
    tenant_id: actor.tenantId,
    user_id: actor.userId,
    name: input.name,
    description: input.description ?? null,
    instructions: input.instructions ?? null,
    provider: resolved.provider,
    model: resolved.model,
    temperature: input.temperature ?? null,
    tools: JSON.stringify(input.tools ?? []),
    metadata: JSON.stringify(input.metadata ?? {}),
    is_active: input.isActive === false ? 0 : 1,
    created_at: now,
    updated_at: now,
  });
  return toAgent(row);
}

/** An agent of the caller's tenant, or 404. */
export async function getAgent(ctx: Ctx, id: string): Promise<Agent> {
  const actor = requireUser(ctx);
  if (!isUuid(id)) throw notFound('Agent');
  const row = await repo.findTenantAgent(ctx, actor.tenantId, id);
  if (!row) throw notFound('Agent');
  return toAgent(row);
}

export async function listAgents(
  ctx: Ctx,
  page: { limit: number; offset: number; isActive?: boolean },
): Promise<{ items: Agent[]; total: number }> {
  const actor = requireUser(ctx);
  const { rows, total } = await repo.listTenantAgents(ctx, actor.tenantId, page);
  return { items: rows.map(toAgent), total };
}

export async function updateAgent(ctx: Ctx, id: string, input: AgentInput): Promise<Agent> {
  const current = await getAgent(ctx, id);
  const resolved = check(ctx, {
    ...input,
    provider:
      input.provider === undefined && input.model !== undefined ? current.provider : input.provider,
  });
  const set: repo.AgentChanges = { updated_at: ctx.clock.now() };
  if (input.name !== undefined) set.name = input.name;
  if (input.description !== undefined) set.description = input.description;
  if (input.instructions !== undefined) set.instructions = input.instructions;
  if (resolved) {
    set.provider = resolved.provider;
    set.model = resolved.model;
  }
  if (input.temperature !== undefined) set.temperature = input.temperature;
  if (input.tools !== undefined) set.tools = JSON.stringify(input.tools);
  if (input.metadata !== undefined) set.metadata = JSON.stringify(input.metadata);
  if (input.isActive !== undefined) set.is_active = input.isActive ? 1 : 0;
  return toAgent(await repo.updateAgent(ctx, current.id, set));
}

export async function deleteAgent(ctx: Ctx, id: string): Promise<void> {
  const agent = await getAgent(ctx, id);
  await repo.deleteAgent(ctx, agent.id);
}

function toAgent(row: repo.AgentRow): Agent {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    name: row.name,
    description: row.description,
    instructions: row.instructions,
    provider: row.provider,
    model: row.model,
    temperature: row.temperature === null ? null : Number(row.temperature),
    tools: JSON.parse(row.tools) as string[],
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    isActive: Boolean(row.is_active),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
