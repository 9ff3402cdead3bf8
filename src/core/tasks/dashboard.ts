/**
 * What a user's dashboard shows, each view assembled in one call: the overview (who,
 * quota, task statistics, costs, recent tasks) and usage over a number of days.
 */
import type { Ctx } from '../context.ts';
import type { User } from '../identity/identity.types.ts';
import { getCurrentUserWithApiKey } from '../identity/users.service.ts';
import { utcDay } from '../shared/clock.ts';
import {
  costSoFar,
  type DayBreakdown,
  dailyBreakdown,
  type QuotaStatus,
  quotaStatus,
  type StatusCounts,
  taskCounts,
} from './analytics.ts';
import { listTasks } from './tasks.service.ts';
import type { Task } from './tasks.types.ts';

export interface DashboardOverview {
  user: User;
  apiKey: string | null;
  quota: QuotaStatus;
  counts: StatusCounts;
  cost: { todayMicroUsd: number; monthMicroUsd: number };
  recent: Task[];
}

export async function dashboardOverview(ctx: Ctx, recent = 10): Promise<DashboardOverview> {
  const [{ user, apiKey }, quota, counts, cost, latest] = await Promise.all([
    getCurrentUserWithApiKey(ctx),
    quotaStatus(ctx),
    taskCounts(ctx, 'user'),
    costSoFar(ctx),
    listTasks(ctx, { scope: 'user', limit: recent, offset: 0 }),
  ]);
  return { user, apiKey, quota, counts, cost, recent: latest.items };
}

export interface UsageOverDays {
  fromDay: number;
  toDay: number;
  days: number;
  /** Failed counts failed and cancelled tasks alike. */
  totals: { total: number; succeeded: number; failed: number };
  breakdown: DayBreakdown[];
  dailyLimit: number;
}

/** The user's tasks and quota use per day over the last `days` days (today included). */
export async function usageOverDays(ctx: Ctx, days: number): Promise<UsageOverDays> {
  const toDay = utcDay(ctx.clock.now());
  const fromDay = toDay - days + 1;
  const [breakdown, quota] = await Promise.all([
    dailyBreakdown(ctx, 'user', fromDay, toDay),
    quotaStatus(ctx),
  ]);
  const totals = { total: 0, succeeded: 0, failed: 0 };
  for (const day of breakdown) {
    totals.total += day.counts.total;
    totals.succeeded += day.counts.succeeded;
    totals.failed += day.counts.failed + day.counts.cancelled;
  }
  return { fromDay, toDay, days, totals, breakdown, dailyLimit: quota.dailyLimit };
}
