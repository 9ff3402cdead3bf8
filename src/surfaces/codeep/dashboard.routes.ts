/** Codeep dashboard: /dashboard/stats, /dashboard/tasks/history, /dashboard/usage. */
import { Type } from 'typebox';
import { isoTime } from '../../core/shared/clock.ts';
import { dayToDate, successRate } from '../../core/tasks/analytics.ts';
import { dashboardOverview, usageOverDays } from '../../core/tasks/dashboard.ts';
import { listTasks } from '../../core/tasks/tasks.service.ts';
import { ctxOf } from '../../http/context.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import { parseIsoTime } from './dates.ts';
import { presentTask, shortPrompt, truncatedKey } from './presenters.ts';
import {
  ErrorSchema,
  HistoryQuery,
  MAX_DAYS,
  MAX_PER_PAGE,
  TaskSchema,
  UsageQuery,
} from './schemas.ts';
import { coreStatuses, toCodeepStatus } from './statuses.ts';

const security = [{ bearerAuth: [] }];
const RECENT = 10;
const usd = (micro: number) => Math.round(micro) / 1_000_000;

export async function dashboardRoutes(app: SurfaceApp): Promise<void> {
  app.get(
    '/dashboard/stats',
    {
      schema: {
        tags: ['Dashboard & Analytics'],
        summary: 'Quota, task statistics, costs and recent tasks',
        security,
        response: {
          200: Type.Object({
            user_info: Type.Object({
              username: Type.String(),
              email: Type.String(),
              daily_limit: Type.Integer(),
              api_key: Type.Union([Type.String(), Type.Null()]),
            }),
            quota_info: Type.Object({
              used_today: Type.Integer(),
              remaining_today: Type.Integer(),
              daily_limit: Type.Integer(),
            }),
            task_stats: Type.Object({
              total: Type.Integer(),
              completed: Type.Integer(),
              failed: Type.Integer(),
              processing: Type.Integer(),
              queued: Type.Integer(),
              success_rate: Type.Number(),
            }),
            cost_estimate: Type.Object({
              today: Type.Number(),
              monthly: Type.Number(),
              currency: Type.String(),
            }),
            recent_tasks: Type.Array(
              Type.Object({
                task_id: Type.String(),
                prompt: Type.String(),
                status: Type.String(),
                created_at: Type.String(),
                completed_at: Type.Union([Type.String(), Type.Null()]),
              }),
            ),
          }),
          401: ErrorSchema,
        },
      },
    },
    async (request) => {
      const { user, apiKey, quota, counts, cost, recent } = await dashboardOverview(
        ctxOf(request),
        RECENT,
      );
      const failed = counts.failed + counts.cancelled;
      return {
        user_info: {
          username: user.username,
          email: user.email,
          daily_limit: user.dailyLimit,
          api_key: truncatedKey(apiKey),
        },
        quota_info: {
          used_today: quota.usedToday,
          remaining_today: quota.remaining,
          daily_limit: quota.dailyLimit,
        },
        task_stats: {
          total: counts.total,
          completed: counts.succeeded,
          failed,
          processing: counts.running,
          queued: counts.queued,
          success_rate: successRate(counts.succeeded, counts.total),
        },
        cost_estimate: {
          today: usd(cost.todayMicroUsd),
          monthly: usd(cost.monthMicroUsd),
          currency: 'USD',
        },
        recent_tasks: recent.map((task) => ({
          task_id: task.id,
          prompt: shortPrompt(task.prompt),
          status: toCodeepStatus(task.status),
          created_at: isoTime(task.createdAt),
          completed_at: isoTime(task.completedAt),
        })),
      };
    },
  );

  app.get(
    '/dashboard/tasks/history',
    {
      schema: {
        tags: ['Dashboard & Analytics'],
        summary: 'Paginated task history (per_page at most 100) with status and date filters',
        security,
        querystring: HistoryQuery,
        response: {
          200: Type.Object({
            tasks: Type.Array(TaskSchema),
            pagination: Type.Object({
              page: Type.Integer(),
              per_page: Type.Integer(),
              total: Type.Integer(),
              pages: Type.Integer(),
            }),
          }),
          400: ErrorSchema,
          401: ErrorSchema,
        },
      },
    },
    async (request) => {
      const { page = 1, status } = request.query;
      const perPage = Math.min(request.query.per_page ?? 20, MAX_PER_PAGE);
      const from = parseIsoTime(request.query.from, 'from') ?? undefined;
      const to = parseIsoTime(request.query.to, 'to') ?? undefined;
      const result = await listTasks(ctxOf(request), {
        scope: 'user',
        status: status ? coreStatuses(status) : undefined,
        createdFrom: from,
        // A bare date as `to` means the whole of that day.
        createdTo: to !== undefined && isDateOnly(request.query.to) ? to + 86_399_999 : to,
        limit: perPage,
        offset: (page - 1) * perPage,
      });
      return {
        tasks: result.items.map(presentTask),
        pagination: {
          page,
          per_page: perPage,
          total: result.total,
          pages: Math.ceil(result.total / perPage),
        },
      };
    },
  );

  app.get(
    '/dashboard/usage',
    {
      schema: {
        tags: ['Dashboard & Analytics'],
        summary: 'Usage over the last `days` days (at most 365), one entry per day',
        security,
        querystring: UsageQuery,
        response: {
          200: Type.Object({
            period: Type.Object({
              start_date: Type.String(),
              end_date: Type.String(),
              days: Type.Integer(),
            }),
            summary: Type.Object({
              total_tasks: Type.Integer(),
              completed_tasks: Type.Integer(),
              failed_tasks: Type.Integer(),
              success_rate: Type.Number(),
            }),
            daily_breakdown: Type.Array(
              Type.Object({
                date: Type.String(),
                total: Type.Integer(),
                completed: Type.Integer(),
                failed: Type.Integer(),
              }),
            ),
            quota_usage: Type.Array(
              Type.Object({ date: Type.String(), requests: Type.Integer(), limit: Type.Integer() }),
            ),
          }),
          400: ErrorSchema,
          401: ErrorSchema,
        },
      },
    },
    async (request) => {
      const days = Math.min(request.query.days ?? 30, MAX_DAYS);
      const usage = await usageOverDays(ctxOf(request), days);
      const { total, succeeded, failed } = usage.totals;
      return {
        period: { start_date: dayToDate(usage.fromDay), end_date: dayToDate(usage.toDay), days },
        summary: {
          total_tasks: total,
          completed_tasks: succeeded,
          failed_tasks: failed,
          success_rate: successRate(succeeded, total),
        },
        daily_breakdown: usage.breakdown.map((d) => ({
          date: dayToDate(d.day),
          total: d.counts.total,
          completed: d.counts.succeeded,
          failed: d.counts.failed + d.counts.cancelled,
        })),
        quota_usage: usage.breakdown.map((d) => ({
          date: dayToDate(d.day),
          requests: d.quotaUsed,
          limit: usage.dailyLimit,
        })),
      };
    },
  );
}

const isDateOnly = (value: string | undefined) =>
  value !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(value);
