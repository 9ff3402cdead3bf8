/** Webhooks, their deliveries and attempts in the database: the only place their queries live. */
import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import { paginate } from '../../db/paginate.ts';
import { precompiled } from '../../db/precompiled.ts';
import { RESEAL_BATCH, sealedByOtherKey } from '../../db/sealed-sql.ts';
import type {
  WebhookAttemptsTable,
  WebhookDeliveriesTable,
  WebhooksTable,
} from '../../db/types.ts';
import { type Ctx, withTransaction } from '../context.ts';

export type WebhookRow = Selectable<WebhooksTable>;
export type WebhookChanges = Updateable<WebhooksTable>;
export type DeliveryRow = Selectable<WebhookDeliveriesTable>;
export type AttemptRow = Selectable<WebhookAttemptsTable>;

export function insertWebhook(ctx: Ctx, row: Insertable<WebhooksTable>): Promise<WebhookRow> {
  return ctx.db.insertInto('webhooks').values(row).returningAll().executeTakeFirstOrThrow();
}

export function findTenantWebhook(
  ctx: Ctx,
  tenantId: string,
  id: string,
): Promise<WebhookRow | undefined> {
  return ctx.db
    .selectFrom('webhooks')
    .selectAll()
    .where('id', '=', id)
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
}

export function findWebhookById(ctx: Ctx, id: string): Promise<WebhookRow | undefined> {
  return ctx.db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listTenantWebhooks(
  ctx: Ctx,
  tenantId: string,
  page: { limit: number; offset: number },
) {
  return paginate(ctx.db.selectFrom('webhooks').where('tenant_id', '=', tenantId), page);
}

/** The tenant's active endpoints (the fan-out filters them by event type). */
// Every webhook-worthy event looks them up: compiled once (db/precompiled.ts).
const tenantActiveWebhooks = precompiled((db, tenantId: string) =>
  db
    .selectFrom('webhooks')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    // A literal, so the partial index webhooks_tenant (where is_active = 1) serves: with a
    // parameter the database cannot know it matches and scans every tenant's webhooks.
    .where('is_active', '=', sql.lit(1)),
);

export function activeWebhooks(ctx: Ctx, tenantId: string): Promise<WebhookRow[]> {
  return tenantActiveWebhooks(ctx.db, ctx.dialect, tenantId);
}

export function updateWebhook(ctx: Ctx, id: string, changes: WebhookChanges): Promise<WebhookRow> {
  return ctx.db
    .updateTable('webhooks')
    .set(changes)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteWebhook(ctx: Ctx, id: string): Promise<void> {
  await ctx.db.deleteFrom('webhooks').where('id', '=', id).execute();
}

export function insertDelivery(
  ctx: Ctx,
  row: Insertable<WebhookDeliveriesTable>,
): Promise<DeliveryRow> {
  return ctx.db
    .insertInto('webhook_deliveries')
    .values(row)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findDelivery(ctx: Ctx, id: string): Promise<DeliveryRow | undefined> {
  return ctx.db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
}

/** A page of an endpoint's deliveries, each with its attempts in order. */
export async function listDeliveries(
  ctx: Ctx,
  webhookId: string,
  page: { limit: number; offset: number },
): Promise<{ rows: (DeliveryRow & { attemptLog: AttemptRow[] })[]; total: number }> {
  const base = ctx.db.selectFrom('webhook_deliveries').where('webhook_id', '=', webhookId);
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
    rows: rows.map((r) => ({ ...r, attemptLog: attempts.filter((a) => a.delivery_id === r.id) })),
    total,
  };
}

export interface AttemptRecord {
  attempt: Insertable<WebhookAttemptsTable>;
  delivery: Updateable<WebhookDeliveriesTable>;
  /** Disables the endpoint (it answered 410 Gone). */
  disableWebhook?: { reason: string };
}

/** Logs an attempt and moves its delivery (and maybe its endpoint) in one transaction. */
export function recordAttempt(ctx: Ctx, record: AttemptRecord): Promise<void> {
  return withTransaction(ctx, async (tx) => {
    const { attempt } = record;
    await tx.db.insertInto('webhook_attempts').values(attempt).execute();
    await tx.db
      .updateTable('webhook_deliveries')
      .set(record.delivery)
      .where('id', '=', attempt.delivery_id)
      .execute();
    if (record.disableWebhook) {
      await tx.db
        .updateTable('webhooks')
        .set({
          is_active: 0,
          disabled_reason: record.disableWebhook.reason,
          updated_at: attempt.created_at,
        })
        .where('id', '=', attempt.webhook_id)
        .execute();
    }
  });
}

/** A delivery that ran out of attempts while still pending is failed. */
export async function failPendingDelivery(ctx: Ctx, id: string): Promise<void> {
  await ctx.db
    .updateTable('webhook_deliveries')
    .set({ status: 'failed' })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .execute();
}

/** Webhooks whose signing secret is not sealed by the key `keyId`, in id order after `afterId`. */
export function listSecretsSealedByOtherKey(ctx: Ctx, keyId: string, afterId: string) {
  return ctx.db
    .selectFrom('webhooks')
    .select(['id', 'secret_sealed as sealed'])
    .where(sealedByOtherKey('secret_sealed', keyId))
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(RESEAL_BATCH)
    .execute();
}

/** Replaces a webhook's sealed secret unless it changed since it was read. */
export async function replaceSealedSecret(
  ctx: Ctx,
  id: string,
  from: string,
  to: string,
): Promise<boolean> {
  const result = await ctx.db
    .updateTable('webhooks')
    .set({ secret_sealed: to })
    .where('id', '=', id)
    .where('secret_sealed', '=', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
