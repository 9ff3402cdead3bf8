/**
 * The caller's own view of the ledger and their credits: the balance of the current
 * billing cycle, and usage over a range of days broken down per model and per day.
 * The same rows and accounts Codeep's dashboard and Task Assistant's costs read.
 */
import type { Ctx } from '../context.ts';
import { invalid } from '../errors.ts';
import { requireUser } from '../identity/users.service.ts';
import { utcDay } from '../shared/clock.ts';
import { type Balance, getBalance, type UsageSummary, usageSummary } from './metering.service.ts';

/** The longest range a summary covers, in days. */
export const MAX_SUMMARY_DAYS = 366;

export function myBalance(ctx: Ctx): Promise<Balance> {
  return getBalance(ctx, requireUser(ctx).userId);
}

export interface MyUsageSummary extends UsageSummary {
  fromDay: number;
  toDay: number;
  balance: Balance;
}

/**
 * Usage between two UTC days (epoch days, both included): from the start of the
 * current billing cycle to today when not given.
 */
export async function myUsageSummary(
  ctx: Ctx,
  range: { fromDay?: number; toDay?: number },
): Promise<MyUsageSummary> {
  const actor = requireUser(ctx);
  const balance = await getBalance(ctx, actor.userId);
  const toDay = range.toDay ?? utcDay(ctx.clock.now());
  const fromDay = range.fromDay ?? Math.min(utcDay(balance.cycle.start), toDay);
  if (fromDay > toDay) throw invalid('start_date', 'start_date: must not be after end_date');
  if (toDay - fromDay + 1 > MAX_SUMMARY_DAYS)
    throw invalid('start_date', `start_date: the range may cover at most ${MAX_SUMMARY_DAYS} days`);
  const summary = await usageSummary(ctx, {
    userId: actor.userId,
    tenantId: actor.tenantId,
    fromDay,
    toDay,
  });
  return { ...summary, fromDay, toDay, balance };
}
