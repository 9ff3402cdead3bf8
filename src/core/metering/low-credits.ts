/**
 * "Credits running low": when a charge takes a user's remaining credits below
 * LOW_FRACTION of the cycle's allotment, a `credits.low` event is recorded (once per
 * crossing: only the charge that crosses the line announces it). The outbox turns it
 * into a notification and webhook deliveries.
 */
import type { Ctx } from '../context.ts';
import { recordEvent } from '../events/outbox.ts';
import { getBalance, type MeterOwner } from './metering.service.ts';

/** Below a tenth of the allotment counts as low. */
const LOW_FRACTION = 0.1;

export async function announceIfCreditsLow(
  ctx: Ctx,
  owner: MeterOwner,
  chargedMicroUsd: number,
): Promise<void> {
  if (chargedMicroUsd <= 0) return;
  const balance = await getBalance(ctx, owner.userId);
  const line = balance.allottedMicroUsd * LOW_FRACTION;
  const after = balance.remainingMicroUsd;
  if (after >= line || after + chargedMicroUsd < line) return;
  await recordEvent(ctx, {
    type: 'credits.low',
    tenantId: owner.tenantId,
    userId: owner.userId,
    payload: {
      remaining_credits: after / 1000,
      allotted_credits: balance.allottedMicroUsd / 1000,
      billing_cycle_end: new Date(balance.cycle.end).toISOString(),
    },
  });
}
