/**
 * Webhooks: a tenant's subscriptions to event types, delivered as signed POSTs
 * (Standard Webhooks). Every recorded event of a subscribed type becomes one delivery
 * per matching endpoint, in the event's own transaction, delivered by a job with
 * retries; every attempt is logged.
 */

import type { Ctx } from '../context.ts';
import { DomainError, notFound } from '../errors.ts';
import type { StoredEvent } from '../events/events.types.ts';
import { requireUser } from '../identity/users.service.ts';
import { enqueueJob } from '../jobs/queue.ts';
import { isoTime } from '../shared/clock.ts';
import { isUuid, uuidv7 } from '../shared/ids.ts';
import { attemptDelivery, webhookDeliveryJob } from './delivery.job.ts';
import { checkDestination } from './destination.ts';
import { generateSecret, webhookSecretAad } from './signing.ts';
import * as repo from './webhooks.repo.ts';

export const WEBHOOK_EVENT_TYPES = [
  'agent.completed',
  'usage.quota_exceeded',
  'subscription.expiring',
  'task.created',
  'task.completed',
  'task.failed',
  // CodeGuide's background document generation (its spec's "Document generation status").
  'document_generation.completed',
  'document_generation.failed',
  // Remaining credits fell below a tenth of the cycle's allotment (metering/low-credits.ts).
  'credits.low',
] as const;

export interface Webhook {
  id: string;
  tenantId: string;
  url: string;
  eventTypes: string[];
  description: string | null;
  isActive: boolean;
  disabledReason: string | null;
  createdAt: number;
  updatedAt: number;
}

export type Delivery = repo.DeliveryRow;
export type Attempt = repo.AttemptRow;

export interface WebhookInput {
  url: string;
  eventTypes: string[];
  secret?: string | null;
  description?: string | null;
  isActive?: boolean;
}

function checkTypes(types: string[]): void {
  const unknown = types.filter((t) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(t));
  if (types.length === 0 || unknown.length > 0) {
    const message =
      types.length === 0
        ? 'event_types must name at least one event type'
        : `Unknown event types: ${unknown.join(', ')}; known: ${WEBHOOK_EVENT_TYPES.join(', ')}`;
    throw new DomainError('validation', message, { field: 'event_types' }, [
      { location: ['body', 'event_types'], message, type: 'value_error' },
    ]);
  }
}

/** Creates a subscription; returns it with the signing secret (shown only now). */
export async function createWebhook(
  ctx: Ctx,
  input: WebhookInput,
): Promise<{ webhook: Webhook; secret: string }> {
  const actor = requireUser(ctx);
  checkTypes(input.eventTypes);
  await checkDestination(ctx, input.url);
  const secret = input.secret ?? generateSecret();
  const now = ctx.clock.now();
  const id = uuidv7(now);
  const row = await repo.insertWebhook(ctx, {
    id,
    tenant_id: actor.tenantId,
    user_id: actor.userId,
    url: input.url,
    event_types: JSON.stringify([...new Set(input.eventTypes)]),
    secret_sealed: ctx.keys.box.seal(secret, webhookSecretAad(id)),
    description: input.description ?? null,
    is_active: input.isActive === false ? 0 : 1,
    disabled_reason: null,
    created_at: now,
    updated_at: now,
  });
  return { webhook: toWebhook(row), secret };
}

async function findRow(ctx: Ctx, id: string) {
  const actor = requireUser(ctx);
  if (!isUuid(id)) throw notFound('Webhook');
  const row = await repo.findTenantWebhook(ctx, actor.tenantId, id);
  if (!row) throw notFound('Webhook');
  return row;
}

export async function getWebhook(ctx: Ctx, id: string): Promise<Webhook> {
  return toWebhook(await findRow(ctx, id));
}

export async function listWebhooks(
  ctx: Ctx,
  page: { limit: number; offset: number },
): Promise<{ items: Webhook[]; total: number }> {
  const actor = requireUser(ctx);
  const { rows, total } = await repo.listTenantWebhooks(ctx, actor.tenantId, page);
  return { items: rows.map(toWebhook), total };
}

export async function updateWebhook(
  ctx: Ctx,
  id: string,
  input: Partial<WebhookInput>,
): Promise<Webhook> {
  const row = await findRow(ctx, id);
  if (input.eventTypes) checkTypes(input.eventTypes);
  if (input.url) await checkDestination(ctx, input.url);
  const set: repo.WebhookChanges = { updated_at: ctx.clock.now() };
  if (input.url !== undefined) set.url = input.url;
  if (input.eventTypes !== undefined)
    set.event_types = JSON.stringify([...new Set(input.eventTypes)]);
  if (input.description !== undefined) set.description = input.description;
  if (input.secret) set.secret_sealed = ctx.keys.box.seal(input.secret, webhookSecretAad(row.id));
  if (input.isActive !== undefined) {
    set.is_active = input.isActive ? 1 : 0;
    if (input.isActive) set.disabled_reason = null;
  }
  return toWebhook(await repo.updateWebhook(ctx, row.id, set));
}

export async function deleteWebhook(ctx: Ctx, id: string): Promise<void> {
  const row = await findRow(ctx, id);
  await repo.deleteWebhook(ctx, row.id);
}

export async function listDeliveries(
  ctx: Ctx,
  webhookId: string,
  page: { limit: number; offset: number },
): Promise<{ items: (Delivery & { attemptLog: Attempt[] })[]; total: number }> {
  const row = await findRow(ctx, webhookId);
  const { rows, total } = await repo.listDeliveries(ctx, row.id, page);
  return { items: rows, total };
}

/** Sends a `webhook.test` event to the endpoint now (one attempt, logged) and reports the answer. */
export async function sendTestDelivery(ctx: Ctx, webhookId: string) {
  const row = await findRow(ctx, webhookId);
  const now = ctx.clock.now();
  const eventId = uuidv7(now);
  const delivery = await insertDelivery(ctx, row, {
    id: eventId,
    type: 'webhook.test',
    createdAt: now,
    payload: { message: 'This is a test delivery from Tasklane', webhook_id: row.id },
  });
  return attemptDelivery(ctx, delivery.id, { retry: false });
}

/**
 * The outbox hook (wired in runtime.ts): one delivery, and one delivery job, per active
 * endpoint subscribed to the event's type, in the event's own transaction.
 */
export async function fanOutToWebhooks(ctx: Ctx, event: StoredEvent): Promise<void> {
  if (!event.tenantId || !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(event.type)) return;
  const hooks = await repo.activeWebhooks(ctx, event.tenantId);
  for (const hook of hooks) {
    if (!(JSON.parse(hook.event_types) as string[]).includes(event.type)) continue;
    const delivery = await insertDelivery(ctx, hook, event);
    await enqueueJob(
      ctx,
      webhookDeliveryJob,
      { deliveryId: delivery.id },
      { maxAttempts: ctx.config.webhooks.maxAttempts },
    );
  }
}
function insertDelivery(
  ctx: Ctx,
  hook: repo.WebhookRow,
  event: Pick<StoredEvent, 'id' | 'type' | 'createdAt' | 'payload'>,
): Promise<Delivery> {
  return repo.insertDelivery(ctx, {
    id: `msg_${uuidv7(ctx.clock.now()).replace(/-/g, '')}`,
    webhook_id: hook.id,
    tenant_id: hook.tenant_id,
    event_id: event.id,
    event_type: event.type,
    body: JSON.stringify({
      type: event.type,
      timestamp: isoTime(event.createdAt),
      data: { event_id: event.id, ...event.payload },
    }),
    status: 'pending',
    attempts: 0,
    last_status_code: null,
    last_error: null,
    created_at: ctx.clock.now(),
    delivered_at: null,
  });
}

function toWebhook(row: repo.WebhookRow): Webhook {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    url: row.url,
    eventTypes: JSON.parse(row.event_types) as string[],
    description: row.description,
    isActive: Boolean(row.is_active),
    disabledReason: row.disabled_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
