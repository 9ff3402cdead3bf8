/** Core entities → Task Assistant's JSON. */

import type { AgentRun } from '../../core/agents/agent-runs.service.ts';
import type { Agent } from '../../core/agents/agents.service.ts';
import type { Conversation, Message } from '../../core/chat/chat.service.ts';
import type { TenantRole } from '../../core/context.ts';
import type { TokenGrant, User } from '../../core/identity/identity.types.ts';
import { isoTime } from '../../core/shared/clock.ts';
import type { Task } from '../../core/tasks/tasks.types.ts';
import type { Attempt, Delivery, Webhook } from '../../core/webhooks/webhooks.service.ts';
import { toTaPriority, toTaStatus } from './statuses.ts';

/** The spec names two roles: the tenant's admin (its owner or an admin) and members. */
export function presentRole(role: TenantRole): string {
  return role === 'member' ? 'member' : 'admin';
}

export function presentUser(user: User) {
  return {
    id: user.uuid,
    email: user.email,
    full_name: user.fullName,
    role: presentRole(user.tenantRole),
    tenant_id: user.tenantId,
    created_at: isoTime(user.createdAt),
  };
}

export function presentToken(grant: TokenGrant) {
  return {
    access_token: grant.accessToken,
    token_type: 'bearer' as const,
    expires_in: grant.expiresIn,
  };
}

const usd = (micro: number) => Math.round(micro) / 1_000_000;

/** A result is an object on this surface: text from an agent run is `{output: text}`. */
export function presentResult(result: unknown): unknown {
  if (result === null || result === undefined) return null;
  return typeof result === 'string' ? { output: result } : result;
}

export function presentTaskSummary(task: Task) {
  return {
    id: task.id,
    title: task.title ?? '',
    description: task.description,
    status: toTaStatus(task.status),
    priority: toTaPriority(task.priority),
    due_date: isoTime(task.dueDate),
    created_at: isoTime(task.createdAt),
    completed_at: isoTime(task.completedAt),
  };
}

export function presentTask(task: Task) {
  return {
    ...presentTaskSummary(task),
    result: presentResult(task.result),
    error_message: task.errorMessage,
    metadata: task.metadata,
    updated_at: isoTime(task.updatedAt),
  };
}

export function presentCreatedTask(task: Task) {
  const { completed_at: _, ...rest } = presentTaskSummary(task);
  return rest;
}

export function presentConversation(c: Conversation) {
  return {
    id: c.id,
    title: c.title,
    provider: c.provider,
    model: c.model,
    system_prompt: c.system_prompt,
    metadata: c.metadataObject,
    created_at: isoTime(c.created_at),
    updated_at: isoTime(c.updated_at),
  };
}

export function presentMessage(m: Message) {
  return {
    id: m.id,
    conversation_id: m.conversation_id,
    role: m.role,
    content: m.content,
    tokens_used: m.tokens_used,
    cost: usd(m.cost_micro_usd),
    created_at: isoTime(m.created_at),
  };
}

export function presentAgent(a: Agent) {
  return {
    id: a.id,
    name: a.name,
    description: a.description,
    instructions: a.instructions,
    provider: a.provider,
    model: a.model,
    temperature: a.temperature,
    tools: a.tools,
    metadata: a.metadata,
    is_active: a.isActive,
    created_at: isoTime(a.createdAt),
    updated_at: isoTime(a.updatedAt),
  };
}

export function presentRun(r: AgentRun) {
  return {
    run_id: r.id,
    agent_id: r.agentId,
    status: r.status,
    input: r.input,
    output: r.output,
    error_message: r.errorMessage,
    tokens_used: r.tokensUsed,
    cost: usd(r.costMicroUsd),
    execution_time_ms: r.executionTimeMs,
    tools_used: r.toolsUsed,
    metadata: r.metadata,
    created_at: isoTime(r.createdAt),
    completed_at: isoTime(r.completedAt),
  };
}

export function presentWebhook(w: Webhook) {
  return {
    id: w.id,
    url: w.url,
    event_types: w.eventTypes,
    description: w.description,
    is_active: w.isActive,
    disabled_reason: w.disabledReason,
    created_at: isoTime(w.createdAt),
    updated_at: isoTime(w.updatedAt),
  };
}

export function presentDelivery(d: Delivery & { attemptLog: Attempt[] }) {
  return {
    id: d.id,
    webhook_id: d.webhook_id,
    event_id: d.event_id,
    event_type: d.event_type,
    status: d.status,
    attempts: d.attempts,
    last_status_code: d.last_status_code,
    last_error: d.last_error,
    created_at: isoTime(d.created_at),
    delivered_at: isoTime(d.delivered_at),
    attempt_log: d.attemptLog.map((a) => ({
      attempt: a.attempt,
      status_code: a.status_code,
      error: a.error,
      duration_ms: a.duration_ms,
      created_at: isoTime(a.created_at),
    })),
  };
}
