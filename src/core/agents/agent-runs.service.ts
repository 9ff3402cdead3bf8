/**
 * Agent runs. Every run is a queued job (agent-run.job.ts), so foreground runs are held
 * to the same worker slots and per-tenant cap as background ones: `execute` queues the
 * run and, unless asked for a background run, waits for its outcome, relaying each step
 * as it happens; the caller going away (its signal aborts) cancels the run, which kills
 * its sandbox and releases its credit hold. Each step is an `agent.step` event and the
 * end an `agent.completed` (or `agent.failed`) event, with the run as subject.
 */
import type { AgentStep } from '../ai/agent/run-agent.ts';
import { type Ctx, withTransaction } from '../context.ts';
import { DomainError, invalid, notFound } from '../errors.ts';
import type { StoredEvent } from '../events/events.types.ts';
import { checkToolsRunnable } from '../execution/availability.ts';
import { requireUser } from '../identity/users.service.ts';
import { laneForTier } from '../jobs/lanes.ts';
import { cancelJob, enqueueJob, queueStats } from '../jobs/queue.ts';
import { isUuid, uuidv7 } from '../shared/ids.ts';
import { agentRunJob, closeRun } from './agent-run.job.ts';
import * as repo from './agent-runs.repo.ts';
import { getAgent } from './agents.service.ts';

export interface AgentRun {
  id: string;
  agentId: string;
  tenantId: string;
  userId: number;
  status: repo.AgentRunRow['status'];
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
/** How often a waiting caller re-reads the run, in case an event was missed. */
const RECHECK_MS = 2000;

export interface ExecuteInput {
  input: string;
  metadata?: Record<string, unknown>;
}

export interface ExecuteOptions {
  /** Queue it and answer at once (the run is polled or followed by events). */
  background?: boolean;
  /** Each step as it finishes (foreground only). */
  onStep?: (step: Pick<AgentStep, 'number' | 'tools' | 'totalTokens' | 'costMicroUsd'>) => void;
  /** Aborting cancels the run (foreground only): the caller went away. */
  signal?: AbortSignal;
}

export async function executeAgent(
  ctx: Ctx,
  agentId: string,
  input: ExecuteInput,
  options: ExecuteOptions = {},
): Promise<AgentRun> {
  const actor = requireUser(ctx);
  const agent = await getAgent(ctx, agentId);
  if (!agent.isActive) throw new DomainError('conflict', 'This agent is not active');
  if (input.input.length > MAX_INPUT)
    throw invalid('input', `input must be at most ${MAX_INPUT} characters`);
  ctx.runtime.ai.resolve({ provider: agent.provider, model: agent.model });
  checkToolsRunnable(ctx, agent.tools);
  if (!options.background && (await queueStats(ctx, [agentRunJob.kind])).workers === 0)
    throw new DomainError('unavailable', 'No worker is running to execute the agent; try later');
  const now = ctx.clock.now();
  const id = uuidv7(now);
  // Listening starts before the run exists, so not even its first step can be missed.
  const waiter = options.background ? undefined : new RunWaiter(ctx, id, options);
  try {
    const { row, jobId } = await withTransaction(ctx, async (tx) => {
      const inserted = await repo.insertRun(tx, {
        id,
        tenant_id: actor.tenantId,
        user_id: actor.userId,
        agent_id: agent.id,
        status: 'queued',
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
      });
      const job = await enqueueJob(
        tx,
        agentRunJob,
        { runId: id },
        { tenantId: actor.tenantId, lane: laneForTier(actor.tier) },
      );
      return { row: inserted, jobId: job!.id };
    });
    if (!waiter) return toRun(row);
    return await waiter.outcome(jobId);
  } finally {
    waiter?.stop();
  }
}

/** Follows one run's events until it ends; cancels it if the caller's signal aborts. */
class RunWaiter {
  readonly #ctx: Ctx;
  readonly #runId: string;
  readonly #options: ExecuteOptions;
  readonly #unsubscribe: () => void;
  #ended: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(ctx: Ctx, runId: string, options: ExecuteOptions) {
    this.#ctx = ctx;
    this.#runId = runId;
    this.#options = options;
    this.#unsubscribe = ctx.runtime.events.subscribe(
      { subjectId: runId, types: ['agent.'] },
      (event) => this.#onEvent(event),
    );
  }

  async outcome(jobId: string): Promise<AgentRun> {
    const { signal } = this.#options;
    const ended = new Promise<void>((resolve) => {
      this.#ended = resolve;
    });
    const onAbort = () => void this.#cancel(jobId).finally(() => this.#ended?.());
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const recheck = async () => {
      let row: Awaited<ReturnType<typeof repo.findRunById>>;
      try {
        row = await repo.findRunById(this.#ctx, this.#runId);
      } catch {
        // The database is gone (the server is shutting down): stop waiting; reading the
        // outcome below then fails with the database's own error.
        this.#ended?.();
        return;
      }
      if (!row || (row.status !== 'queued' && row.status !== 'running')) this.#ended?.();
      else this.#timer = setTimeout(recheck, RECHECK_MS).unref();
    };
    // Unreferenced: a wait never keeps a process alive on its own.
    this.#timer = setTimeout(recheck, RECHECK_MS).unref();
    try {
      await ended;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    const row = await repo.findRunById(this.#ctx, this.#runId);
    if (!row) throw notFound('Run');
    return toRun(row);
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#unsubscribe();
  }

  #onEvent(event: StoredEvent): void {
    if (event.type === 'agent.step') {
      const p = event.payload as {
        step: number;
        tools: string[];
        tokens_used: number;
        cost: number;
      };
      this.#options.onStep?.({
        number: p.step,
        tools: p.tools,
        totalTokens: p.tokens_used,
        costMicroUsd: Math.round(p.cost * 1e6),
      });
    } else if (event.type === 'agent.completed' || event.type === 'agent.failed') {
      this.#ended?.();
    }
  }

  /** A queued run is closed here; a running one is closed by its worker once it has stopped. */
  async #cancel(jobId: string): Promise<void> {
    await withTransaction(this.#ctx, async (tx) => {
      if ((await cancelJob(tx, jobId)) === 'cancelled')
        await closeRun(tx, this.#runId, 'Cancelled: the caller went away before the run started');
    }).catch((error) => this.#ctx.log.warn({ err: error }, 'could not cancel an agent run'));
  }
}

export async function getAgentRun(ctx: Ctx, agentId: string, runId: string): Promise<AgentRun> {
  const actor = requireUser(ctx);
  if (!isUuid(agentId) || !isUuid(runId)) throw notFound('Run');
  const row = await repo.findTenantRun(ctx, actor.tenantId, agentId, runId);
  if (!row) throw notFound('Run');
  return toRun(row);
}

export async function listAgentRuns(
  ctx: Ctx,
  agentId: string,
  page: { limit: number; offset: number },
): Promise<{ items: AgentRun[]; total: number }> {
  const agent = await getAgent(ctx, agentId);
  const { rows, total } = await repo.listRuns(ctx, agent.id, page);
  return { items: rows.map(toRun), total };
}

function toRun(row: repo.AgentRunRow): AgentRun {
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
