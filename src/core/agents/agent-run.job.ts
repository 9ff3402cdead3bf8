/**
 * Job kind `agent.run`: one agent run, on a worker, as the run's owner. Every run goes
 * through here, foreground (`execute`, over HTTP or WebSocket: the caller waits for the
 * outcome) or background, so every run is held to the same worker slots, per-tenant
 * cap, leases and cancellation as any queued work. Writes are fenced by the job's lease:
 * a worker that lost it cannot overwrite the run. A cancelled run (the caller went
 * away) has its sandbox killed and its credit hold released by the runner.
 */
import { type AgentStep, AgentStopped, runAgent } from '../ai/agent/run-agent.ts';
import type { Ctx } from '../context.ts';
import { DomainError } from '../errors.ts';
import { recordEvent } from '../events/outbox.ts';
import { sandboxOf } from '../execution/availability.ts';
import { actAsUser } from '../identity/auth.service.ts';
import type { JobDefinition, RunningJob } from '../jobs/jobs.types.ts';
import * as repo from './agent-runs.repo.ts';
import { type Agent, getAgent } from './agents.service.ts';

export interface AgentRunPayload {
  runId: string;
}

export const agentRunJob: JobDefinition<AgentRunPayload> = {
  kind: 'agent.run',
  maxAttempts: 1,
  backoff: { baseMs: 1000, maxMs: 1000 },
  timeoutMs: 30 * 60_000,
  handler: performRun,
  async onDead(tx, job, error) {
    await closeRun(tx, job.payload.runId, error);
  },
  async onCancelled(tx, job) {
    await closeRun(tx, job.payload.runId, 'Cancelled: the run was stopped before it finished');
  },
};

async function performRun(job: RunningJob<AgentRunPayload>): Promise<void> {
  const run = await job.withLease((tx) => repo.startRun(tx, job.payload.runId));
  if (!run) return; // finished or cancelled before a worker got to it
  const owner = await actAsUser(job.ctx, run.user_id);
  const agent = owner && (await getAgent(owner, run.agent_id).catch(() => undefined));
  if (!owner || !agent) {
    await job.complete((tx) => closeRun(tx, run.id, 'The agent or its owner no longer exists'));
    return;
  }
  const started = Date.now();
  const outcome = await execute(owner, agent, run, job);
  await job.complete(async (tx) => {
    const finished = await repo.finishRun(tx, run.id, {
      ...outcome,
      execution_time_ms: Date.now() - started,
      completed_at: tx.clock.now(),
    });
    if (finished) await announce(tx, finished);
  });
}

async function execute(
  owner: Ctx,
  agent: Agent,
  run: repo.AgentRunRow,
  job: RunningJob<AgentRunPayload>,
): Promise<Parameters<typeof repo.finishRun>[2]> {
  const workspace = await owner.runtime.workspaces.create(`run-${run.id}`);
  try {
    const result = await runAgent({
      ctx: owner,
      owner: { userId: run.user_id, tenantId: run.tenant_id },
      prompt: run.input,
      settings: {
        provider: agent.provider,
        model: agent.model,
        instructions: agent.instructions,
        temperature: agent.temperature,
        tools: agent.tools,
      },
      workspace,
      sandbox: sandboxOf(owner),
      network: false,
      signal: job.signal,
      refs: { agentRunId: run.id },
      onStep: async (step) => {
        await job.withLease((tx) => recordStep(tx, run, step));
      },
    });
    return {
      status: 'completed',
      output: result.text,
      tokens_used: result.totalTokens,
      cost_micro_usd: result.costMicroUsd,
      tools_used: JSON.stringify(result.toolsUsed),
    };
  } catch (error) {
    // Cancelled, timed out or lost the lease: the worker settles the job (onCancelled…).
    if (job.signal.aborted) throw error;
    const partial = error instanceof AgentStopped ? error.partial : undefined;
    if (!(error instanceof DomainError))
      owner.log.warn({ err: error, run: run.id }, 'agent run failed');
    return {
      status: 'failed',
      output: partial?.text || null,
      error_message: owner.runtime.redactPaths(
        error instanceof Error ? error.message : String(error),
      ),
      tokens_used: partial?.totalTokens ?? 0,
      cost_micro_usd: partial?.costMicroUsd ?? 0,
      tools_used: JSON.stringify(partial?.toolsUsed ?? []),
    };
  } finally {
    await workspace.remove();
  }
}

function recordStep(tx: Ctx, run: repo.AgentRunRow, step: AgentStep) {
  return recordEvent(tx, {
    type: 'agent.step',
    tenantId: run.tenant_id,
    userId: run.user_id,
    subjectId: run.id,
    payload: {
      run_id: run.id,
      agent_id: run.agent_id,
      step: step.number,
      tools: step.tools,
      tokens_used: step.totalTokens,
      cost: step.costMicroUsd / 1e6,
    },
  });
}

/** Fails a run that is still open (cancelled, dead job, gone agent) and says so. */
export async function closeRun(tx: Ctx, runId: string, message: string): Promise<void> {
  const closed = await repo.finishRun(tx, runId, {
    status: 'failed',
    error_message: message,
    completed_at: tx.clock.now(),
  });
  if (closed) await announce(tx, closed);
}

/** The run's final event (agent.completed or agent.failed), for sockets, webhooks and waiters. */
async function announce(tx: Ctx, row: repo.AgentRunRow): Promise<void> {
  await recordEvent(tx, {
    type: row.status === 'completed' ? 'agent.completed' : 'agent.failed',
    tenantId: row.tenant_id,
    userId: row.user_id,
    subjectId: row.id,
    payload: presentRunEvent(row),
  });
}

/** The payload of agent.completed / agent.failed (the spec's run fields). */
export function presentRunEvent(row: repo.AgentRunRow): Record<string, unknown> {
  return {
    run_id: row.id,
    agent_id: row.agent_id,
    status: row.status,
    output: row.output,
    error_message: row.error_message,
    tokens_used: row.tokens_used,
    cost: Number(row.cost_micro_usd) / 1e6,
    tools_used: JSON.parse(row.tools_used) as string[],
    execution_time_ms: row.execution_time_ms,
  };
}
