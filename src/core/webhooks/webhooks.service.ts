/**
 * Webhooks: a tenant's subscriptions to event types, delivered as signed POSTs
 * (Standard Webhooks). Every recorded event of a subscribed type becomes one delivery
 * per matching endpoint, in the event's own transaction, delivered by a job with
 * retries; every attempt is logged.
 */

import type { Selectable } from 'kysely';
import { paginate } from '../../db/paginate.ts';
import type {
  WebhookAttemptsTable,
  WebhookDeliveriesTable,
  WebhooksTable,
} from '../../db/types.ts';
import { type Ctx, withTransaction } from '../context.ts';
import { DomainError, notFound } from '../errors.ts';
import type { StoredEvent } from '../events/events.types.ts';
import { onEventRecorded } from '../events/outbox.ts';
import { requireUser } from '../identity/users.service.ts';
import { enqueueJob } from '../jobs/queue.ts';
import { isoTime } from '../shared/clock.ts';
import { isUuid, uuidv7 } from '../shared/ids.ts';
import { attemptDelivery, webhookDeliveryJob } from './delivery.job.ts';
import { checkDestination } from './destination.ts';
import { generateSecret } from './signing.ts';

export const WEBHOOK_EVENT_TYPES = [
  'agent.completed',
  'usage.quota_exceeded',
  'subscription.expiring',
  'task.created',
  'task.completed',
  'task.failed',
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

export type Delivery = Selectable<WebhookDeliveriesTable>;
export type Attempt = Selectable<WebhookAttemptsTable>;

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
  await checkDestination(input.url, ctx.config.webhooks.allowPrivate);
  const secret = input.secret ?? generateSecret();
  const now = ctx.clock.now();
  const id = uuidv7(now);
  const row = await ctx.db
    .insertInto('webhooks')
    .values({
      id,
      tenant_id: actor.tenantId,
      user_id: actor.userId,
      url: input.url,
      event_types: JSON.stringify([...new Set(input.eventTypes)]),
      secret_sealed: ctx.keys.box.seal(secret, `webhook:${id}`),
      description: input.description ?? null,
      is_active: input.isActive === false ? 0 : 1,
      disabled_reason: null,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { webhook: toWebhook(row), secret };
}

async function findRow(ctx: Ctx, id: string) {
  const actor = requireUser(ctx);
  if (!isUuid(id)) throw notFound('Webhook');
  const row = await ctx.db
    .selectFrom('webhooks')
    .selectAll()
    .where('id', '=', id)
    .where('tenant_id', '=', actor.tenantId)
    .executeTakeFirst();
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
  const base = ctx.db.selectFrom('webhooks').where('tenant_id', '=', actor.tenantId);
  const { rows, total } = await paginate(base, page);
  return { items: rows.map(toWebhook), total };
}

export async function updateWebhook(
  ctx: Ctx,
  id: string,
  input: Partial<WebhookInput>,
): Promise<Webhook> {
  const row = await findRow(ctx, id);
  if (input.eventTypes) checkTypes(input.eventTypes);
  if (input.url) await checkDestination(input.url, ctx.config.webhooks.allowPrivate);
  const set: Partial<Selectable<WebhooksTable>> = { updated_at: ctx.clock.now() };
  if (input.url !== undefined) set.url = input.url;
  if (input.eventTypes !== undefined)
    set.event_types = JSON.stringify([...new Set(input.eventTypes)]);
  if (input.description !== undefined) set.description = input.description;
  if (input.secret) set.secret_sealed = ctx.keys.box.seal(input.secret, `webhook:${row.id}`);
  if (input.isActive !== undefined) {
    set.is_active = input.isActive ? 1 : 0;
    if (input.isActive) set.disabled_reason = null;
  }
  const updated = await ctx.db
    .updateTable('webhooks')
    .set(set)
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toWebhook(updated);
}

export async function deleteWebhook(ctx: Ctx, id: string): Promise<void> {
  const row = await findRow(ctx, id);
  await ctx.db.deleteFrom('webhooks').where('id', '=', row.id).execute();
}

export async function listDeliveries(
  ctx: Ctx,
  webhookId: string,
  page: { limit: number; offset: number },
): Promise<{ items: (Delivery & { attemptLog: Attempt[] })[]; total: number }> {
  const row = await findRow(ctx, webhookId);
  const base = ctx.db.selectFrom('webhook_deliveries').where('webhook_id', '=', row.id);
  const { rows, total } = await paginate(base, page);
  const attempts = rows.length
    ? await ctx.db
        .selectFrom('webhook_attempts')
        .selectAll()
        .where(
          'delivery_id',
          'in',
          rows.map((r) => r.id),
        )
        .orderBy('attempt')
        .execute()
    : [];
  return {
    items: rows.map((r) => ({ ...r, attemptLog: attempts.filter((a) => a.delivery_id === r.id) })),
    total,
  };
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

/** Outbox hook: one delivery (and delivery job) per active endpoint subscribed to the type. */
async function fanOut(ctx: Ctx, event: StoredEvent): Promise<void> {
  if (!event.tenantId || !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(event.type)) return;
  const hooks = await ctx.db
    .selectFrom('webhooks')
    .selectAll()
    .where('tenant_id', '=', event.tenantId)
    .where('is_active', '=', 1)
    .execute();
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
onEventRecorded(fanOut);

async function insertDelivery(
  ctx: Ctx,
  hook: Selectable<WebhooksTable>,
  event: Pick<StoredEvent, 'id' | 'type' | 'createdAt' | 'payload'>,
): Promise<Delivery> {
  return withTransaction(ctx, (tx) =>
    tx.db
      .insertInto('webhook_deliveries')
      .values({
        id: `msg_${uuidv7(tx.clock.now()).replace(/-/g, '')}`,
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
        created_at: tx.clock.now(),
        delivered_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
}

function toWebhook(row: Selectable<WebhooksTable>): Webhook {
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
