/**
 * Delivering one webhook message: a signed POST; a 2xx delivers it, a 410 disables the
 * endpoint, anything else (or a timeout) is retried by the queue on the Standard
 * Webhooks schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h… with jitter) until the
 * attempts run out. Every attempt is logged.
 */
import type { Ctx } from '../context.ts';
import type { JobDefinition } from '../jobs/jobs.types.ts';
import { uuidv7 } from '../shared/ids.ts';
import { DestinationRefused, guardedFetch } from '../shared/net-guard.ts';
import { webhookPolicy } from './destination.ts';
import { signatureHeaders, webhookSecretAad } from './signing.ts';
import * as repo from './webhooks.repo.ts';

export interface AttemptOutcome {
  delivery_id: string;
  success: boolean;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  attempt: number;
}

export class DeliveryFailed extends Error {}

/** One attempt; with `retry`, a retryable failure throws so the queue tries again. */
export async function attemptDelivery(
  ctx: Ctx,
  deliveryId: string,
  options: { retry: boolean; signal?: AbortSignal },
): Promise<AttemptOutcome> {
  const delivery = await repo.findDelivery(ctx, deliveryId);
  if (delivery?.status !== 'pending') {
    return {
      delivery_id: deliveryId,
      success: delivery?.status === 'delivered',
      status_code: null,
      error: 'not pending',
      duration_ms: 0,
      attempt: delivery?.attempts ?? 0,
    };
  }
  const hook = await repo.findWebhookById(ctx, delivery.webhook_id);
  const attempt = delivery.attempts + 1;
  const started = Date.now();
  let statusCode: number | null = null;
  let error: string | null = null;
  let final: 'delivered' | 'failed' | 'pending' = 'pending';
  if (!hook?.is_active) {
    error = 'The endpoint is disabled';
    final = 'failed';
  } else {
    try {
      const secret = ctx.keys.box.open(hook.secret_sealed, webhookSecretAad(hook.id));
      const timestamp = Math.floor(ctx.clock.now() / 1000);
      // Resolved, checked and connected to the checked address in one step; a redirect
      // is an answer like any other non-2xx, never followed.
      const response = await guardedFetch(
        new URL(hook.url),
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'Tasklane-Webhooks/1',
            ...signatureHeaders(secret, delivery.id, timestamp, delivery.body),
          },
          body: delivery.body,
          signal: AbortSignal.any([
            AbortSignal.timeout(ctx.config.webhooks.timeoutMs),
            ...(options.signal ? [options.signal] : []),
          ]),
        },
        webhookPolicy(ctx),
      );
      statusCode = response.status;
      response.body.destroy();
      if (statusCode >= 200 && statusCode < 300) final = 'delivered';
      else if (statusCode === 410) {
        final = 'failed';
        error = 'The endpoint answered 410 Gone; it has been disabled';
      } else error = `The endpoint answered ${statusCode}`;
    } catch (e) {
      error =
        e instanceof Error ? (e.name === 'TimeoutError' ? 'Timed out' : e.message) : String(e);
      // A destination refused by policy will not become acceptable by retrying.
      if (e instanceof DestinationRefused) {
        final = 'failed';
        error = `Refused: ${e.message}`;
      }
    }
  }
  const duration = Date.now() - started;
  const now = ctx.clock.now();
  if (!options.retry && final === 'pending') final = 'failed';
  await repo.recordAttempt(ctx, {
    attempt: {
      id: uuidv7(now),
      delivery_id: delivery.id,
      webhook_id: delivery.webhook_id,
      attempt,
      status_code: statusCode,
      error,
      duration_ms: duration,
      created_at: now,
    },
    delivery: {
      attempts: attempt,
      last_status_code: statusCode,
      last_error: error,
      status: final,
      delivered_at: final === 'delivered' ? now : null,
    },
    disableWebhook:
      statusCode === 410 && hook ? { reason: 'The endpoint answered 410 Gone' } : undefined,
  });
  const outcome = {
    delivery_id: delivery.id,
    success: final === 'delivered',
    status_code: statusCode,
    error,
    duration_ms: duration,
    attempt,
  };
  if (options.retry && final === 'pending') throw new DeliveryFailed(error ?? 'delivery failed');
  return outcome;
}

export const webhookDeliveryJob: JobDefinition<{ deliveryId: string }> = {
  kind: 'webhook.deliver',
  maxAttempts: 8,
  backoff: {
    baseMs: 5000,
    maxMs: 36_000_000,
    schedule: (config) => config.webhooks.retryScheduleMs,
  },
  timeoutMs: 60_000,
  async handler(job) {
    await attemptDelivery(job.ctx, job.payload.deliveryId, { retry: true, signal: job.signal });
  },
  async onDead(tx, job) {
    await repo.failPendingDelivery(tx, job.payload.deliveryId);
  },
};
