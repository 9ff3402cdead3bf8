/**
 * What dashboards show: today's quota, task counts and success rate, a per-day
 * breakdown with empty days filled, and costs from the usage ledger. Days are UTC.
 */
import type { Ctx } from '../context.ts';
import { notFound } from '../errors.ts';
import { findUserById } from '../identity/identity.repo.ts';
import { requireUser } from '../identity/users.service.ts';
import { billingCycle, usageTotals } from '../metering/metering.service.ts';
import { DAY_MS, utcDay } from '../shared/clock.ts';
import { usageByDay, usedOn } from './quota.ts';
import * as repo from './tasks.repo.ts';
import type { TaskScope, TaskStatus } from './tasks.types.ts';

export interface QuotaStatus {
  dailyLimit: number;
  usedToday: number;
  remaining: number;
}

export async function quotaStatus(ctx: Ctx): Promise<QuotaStatus> {
  const actor = requireUser(ctx);
  const user = await findUserById(ctx, actor.userId);
  if (!user) throw notFound('User');
  const usedToday = await usedOn(ctx, actor.userId, utcDay(ctx.clock.now()));
  return {
    dailyLimit: user.daily_limit,
    usedToday,
    remaining: Math.max(0, user.daily_limit - usedToday),
  };
}

export type StatusCounts = Record<TaskStatus, number> & { total: number };

export async function taskCounts(
  ctx: Ctx,
  scope: TaskScope,
  window: { from?: number; to?: number } = {},
): Promise<StatusCounts> {
  const actor = requireUser(ctx);
  const counts = await repo.countByStatus(ctx, actor, scope, window);
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  return { ...counts, total };
}

/** Succeeded over all tasks, as a percentage with two decimals (0 with no tasks). */
export function successRate(succeeded: number, total: number): number {
  return total === 0 ? 0 : Math.round((succeeded / total) * 10_000) / 100;
}

export interface DayBreakdown {
  day: number;
  counts: StatusCounts;
  /** Tasks counted against the daily quota that day. */
  quotaUsed: number;
}

/** One entry per day from `fromDay` to `toDay` inclusive, days without tasks as zeros. */
export async function dailyBreakdown(
  ctx: Ctx,
  scope: TaskScope,
  fromDay: number,
  toDay: number,
): Promise<DayBreakdown[]> {
  const actor = requireUser(ctx);
  const [rows, quota] = await Promise.all([
    repo.countByDay(ctx, actor, scope, fromDay * DAY_MS, (toDay + 1) * DAY_MS),
    usageByDay(ctx, actor.userId, fromDay, toDay),
  ]);
  const days: DayBreakdown[] = [];
  for (let day = fromDay; day <= toDay; day++) {
    days.push({
      day,
      counts: { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0, total: 0 },
      quotaUsed: quota.get(day) ?? 0,
    });
  }
  for (const row of rows) {
    const entry = days[row.day - fromDay];
    if (!entry) continue;
    entry.counts[row.status] += row.n;
    entry.counts.total += row.n;
  }
  return days;
}

/** The user's metered cost today and in the current billing cycle (calendar month), in micro-USD. */
export async function costSoFar(
  ctx: Ctx,
): Promise<{ todayMicroUsd: number; monthMicroUsd: number }> {
  const actor = requireUser(ctx);
  const now = ctx.clock.now();
  const today = utcDay(now);
  const cycle = billingCycle(now);
  const [day, month] = await Promise.all([
    usageTotals(ctx, { userId: actor.userId, fromDay: today, toDay: today }),
    usageTotals(ctx, { userId: actor.userId, fromDay: utcDay(cycle.start), toDay: today }),
  ]);
  return { todayMicroUsd: day.costMicroUsd, monthMicroUsd: month.costMicroUsd };
}

export const dayToDate = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
