/**
 * Agent runs: `execute` runs the agent runner now and answers with the outcome; a
 * background run is queued as a job and polled. Each step is an `agent.step` event and
 * the end an `agent.completed` (or `agent.failed`) event, all with the run as subject,
 * so WebSocket clients and webhooks see runs whichever way they were started.
 */

import type { Selectable } from 'kysely';
import { paginate } from '../../db/paginate.ts';
import type { AgentRunsTable } from '../../db/types.ts';
import { type AgentStep, AgentStopped, runAgent } from '../ai/agent/run-agent.ts';
import { type Ctx, createContext, withTransaction } from '../context.ts';
import { DomainError, invalid, notFound } from '../errors.ts';
import { recordEvent } from '../events/outbox.ts';
import { Workspace } from '../execution/workspace.ts';
import { actorOf } from '../identity/auth.service.ts';
import { findUserById } from '../identity/identity.repo.ts';
import { requireUser } from '../identity/users.service.ts';
import type { JobDefinition } from '../jobs/jobs.types.ts';
import { enqueueJob } from '../jobs/queue.ts';
import { isUuid, uuidv7 } from '../shared/ids.ts';
import { laneForTier } from '../tasks/tasks.service.ts';
import { type Agent, getAgent } from './agents.service.ts';

export interface AgentRun {
  id: string;
  agentId: string;
  tenantId: string;
  userId: number;
  status: AgentRunsTable['status'];
  input: string;
  output: string | null;
  errorMessage: string | null;
  tokensUsed: number;
  costMicroUsd: number;
  toolsUsed: string[];
  metadata: Record<string, unknown>;
  executionTimeMs: number | null;
  createdAt: number;
  completedAt: number | null;
}

const MAX_INPUT = 100_000;

export interface ExecuteInput {
  input: string;
  metadata?: Record<string, unknown>;
}

export async function executeAgent(
  ctx: Ctx,
  agentId: string,
  input: ExecuteInput,
  options: { background?: boolean; onStep?: (step: AgentStep) => void } = {},
): Promise<AgentRun> {
  const actor = requireUser(ctx);
  const agent = await getAgent(ctx, agentId);
  if (!agent.isActive) throw new DomainError('conflict', 'This agent is not active');
  if (input.input.length > MAX_INPUT)
    throw invalid('input', `input must be at most ${MAX_INPUT} characters`);
  ctx.runtime.ai.resolve({ provider: agent.provider, model: agent.model });
  if (agent.tools.includes('code_executor') && !ctx.runtime.sandbox.available)
    throw new DomainError(
      'unavailable',
      `code_executor cannot run here: ${ctx.runtime.sandbox.reason}`,
    );
  const now = ctx.clock.now();
  const run = await withTransaction(ctx, async (tx) => {
    const row = await tx.db
      .insertInto('agent_runs')
      .values({
        id: uuidv7(now),
        tenant_id: actor.tenantId,
        user_id: actor.userId,
        agent_id: agent.id,
        status: options.background ? 'queued' : 'running',
        input: input.input,
        output: null,
        error_message: null,
        tokens_used: 0,
        cost_micro_usd: 0,
        tools_used: '[]',
        metadata: JSON.stringify(input.metadata ?? {}),
        execution_time_ms: null,
        created_at: now,
        completed_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    if (options.background) {
      await enqueueJob(
        tx,
        agentRunJob,
        { runId: row.id },
        { tenantId: actor.tenantId, lane: laneForTier(actor.tier) },
      );
    }
    return toRun(row);
  });
  if (options.background) return run;
  return perform(ctx, agent, run, new AbortController().signal, options.onStep);
}

async function perform(
  ctx: Ctx,
  agent: Agent,
  run: AgentRun,
  signal: AbortSignal,
  onStep?: (step: AgentStep) => void,
): Promise<AgentRun> {
  const started = Date.now();
  const workspace = Workspace.create(ctx.runtime.workspaceRoot, `run-${run.id}`);
  const sandbox = ctx.runtime.sandbox;
  let outcome: Partial<Selectable<AgentRunsTable>>;
  try {
    const result = await runAgent({
      ctx,
      owner: { userId: run.userId, tenantId: run.tenantId },
      prompt: run.input,
      settings: {
        provider: agent.provider,
        model: agent.model,
        instructions: agent.instructions,
        temperature: agent.temperature,
        tools: agent.tools,
      },
      workspace,
      sandbox: sandbox.available ? sandbox.sandbox : undefined,
      network: false,
      signal,
      refs: { agentRunId: run.id },
      onStep: async (step) => {
        onStep?.(step);
        await recordEvent(ctx, {
          type: 'agent.step',
          tenantId: run.tenantId,
          userId: run.userId,
          subjectId: run.id,
          payload: {
            run_id: run.id,
            agent_id: agent.id,
            step: step.number,
            tools: step.tools,
            tokens_used: step.totalTokens,
            cost: step.costMicroUsd / 1e6,
          },
        });
      },
    });
    outcome = {
      status: 'completed',
      output: result.text,
      tokens_used: result.totalTokens,
      cost_micro_usd: result.costMicroUsd,
      tools_used: JSON.stringify(result.toolsUsed),
    };
  } catch (error) {
    if (signal.aborted) throw error;
    const partial = error instanceof AgentStopped ? error.partial : undefined;
    outcome = {
      status: 'failed',
      output: partial?.text || null,
      error_message: error instanceof Error ? error.message : String(error),
      tokens_used: partial?.totalTokens ?? 0,
      cost_micro_usd: partial?.costMicroUsd ?? 0,
      tools_used: JSON.stringify(partial?.toolsUsed ?? []),
    };
    if (!(error instanceof DomainError))
      ctx.log.warn({ err: error, run: run.id }, 'agent run failed');
  } finally {
    workspace.remove();
  }
  const now = ctx.clock.now();
  return withTransaction(ctx, async (tx) => {
    const row = await tx.db
      .updateTable('agent_runs')
      .set({ ...outcome, execution_time_ms: Date.now() - started, completed_at: now })
      .where('id', '=', run.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const finished = toRun(row);
    await recordEvent(tx, {
      type: finished.status === 'completed' ? 'agent.completed' : 'agent.failed',
      tenantId: finished.tenantId,
      userId: finished.userId,
      subjectId: finished.id,
      payload: presentRunEvent(finished),
    });
    return finished;
  });
}

export function presentRunEvent(run: AgentRun): Record<string, unknown> {
  return {
    run_id: run.id,
    agent_id: run.agentId,
    status: run.status,
    output: run.output,
    error_message: run.errorMessage,
    tokens_used: run.tokensUsed,
    cost: run.costMicroUsd / 1e6,
    tools_used: run.toolsUsed,
    execution_time_ms: run.executionTimeMs,
  };
}

export async function getAgentRun(ctx: Ctx, agentId: string, runId: string): Promise<AgentRun> {
  const actor = requireUser(ctx);
  if (!isUuid(agentId) || !isUuid(runId)) throw notFound('Run');
  const row = await ctx.db
    .selectFrom('agent_runs')
    .selectAll()
    .where('id', '=', runId)
    .where('agent_id', '=', agentId)
    .where('tenant_id', '=', actor.tenantId)
    .executeTakeFirst();
  if (!row) throw notFound('Run');
  return toRun(row);
}

export async function listAgentRuns(
  ctx: Ctx,
  agentId: string,
  page: { limit: number; offset: number },
): Promise<{ items: AgentRun[]; total: number }> {
  const agent = await getAgent(ctx, agentId);
  const base = ctx.db.selectFrom('agent_runs').where('agent_id', '=', agent.id);
  const { rows, total } = await paginate(base, page);
  return { items: rows.map(toRun), total };
}

/** A background run: the same path as `execute`, on a worker, as the run's owner. */
export const agentRunJob: JobDefinition<{ runId: string }> = {
  kind: 'agent.run',
  maxAttempts: 1,
  backoff: { baseMs: 1000, maxMs: 1000 },
  timeoutMs: 30 * 60_000,
  async handler(job) {
    const row = await job.ctx.db
      .selectFrom('agent_runs')
      .selectAll()
      .where('id', '=', job.payload.runId)
      .executeTakeFirst();
    if (row?.status !== 'queued') return;
    const user = await findUserById(job.ctx, row.user_id);
    if (!user) return;
    const actor = actorOf(user, 'api_key');
    const owner = createContext(job.ctx.runtime, actor, job.ctx.log);
    await owner.db
      .updateTable('agent_runs')
      .set({ status: 'running' })
      .where('id', '=', row.id)
      .execute();
    const agent = await getAgent(owner, row.agent_id).catch(() => undefined);
    if (!agent) return;
    await perform(owner, agent, toRun({ ...row, status: 'running' }), job.signal);
  },
  async onDead(tx, job, error) {
    await tx.db
      .updateTable('agent_runs')
      .set({ status: 'failed', error_message: error, completed_at: tx.clock.now() })
      .where('id', '=', job.payload.runId)
      .where('status', 'in', ['queued', 'running'])
      .execute();
  },
};

function toRun(row: Selectable<AgentRunsTable>): AgentRun {
  return {
    id: row.id,
    agentId: row.agent_id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    status: row.status,
    input: row.input,
    output: row.output,
    errorMessage: row.error_message,
    tokensUsed: row.tokens_used,
    costMicroUsd: Number(row.cost_micro_usd),
    toolsUsed: JSON.parse(row.tools_used) as string[],
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    executionTimeMs: row.execution_time_ms,
    createdAt: row.created_at,
    completedAt: row.completed_at,
  };
}
