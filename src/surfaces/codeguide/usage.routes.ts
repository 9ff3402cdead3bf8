/** CodeGuide usage and credits: reported usage, balance, checks, estimates, summaries. */
import {
  trackCodespaceUsage,
  usageOfCodespaceTask,
} from '../../core/codespace/codespace.service.ts';
import { requireUser } from '../../core/identity/users.service.ts';
import { planAuthorization } from '../../core/metering/plans.ts';
import { checkCredits, priceUsage, trackUsage } from '../../core/metering/tracked-usage.ts';
import { myBalance, myUsageSummary } from '../../core/metering/usage-report.ts';
import { utcDay } from '../../core/shared/clock.ts';
import { ctxOf } from '../../http/context.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import { startOfDay } from './dates.ts';
import { ErrorSchema, IdParam } from './schemas.ts';
import {
  credits,
  presentAuthorization,
  presentBalance,
  presentCalculation,
  presentCodespaceUsage,
  presentFreeUserStatus,
  presentUsageRecord,
  presentUsageSummary,
} from './usage-presenters.ts';
import {
  AuthorizationSchema,
  CalculateQuery,
  CalculateSchema,
  CodespaceTrackBody,
  CodespaceUsageSchema,
  CreditBalanceSchema,
  CreditCheckQuery,
  CreditCheckSchema,
  DateRangeQuery,
  FreeUserStatusSchema,
  TrackBody,
  TrackResultSchema,
  UsageHealthSchema,
  UsageRecordSchema,
  UsageSummarySchema,
} from './usage-schemas.ts';

const tags = ['Usage'];
const errors = { 401: ErrorSchema, 404: ErrorSchema, 422: ErrorSchema };
const USAGE_VERSION = '1.0.0';

const usageOf = (q: {
  model_key: string;
  input_tokens?: number;
  output_tokens?: number;
  call_seconds?: number;
  cost_amount?: number;
}) => ({
  modelKey: q.model_key,
  inputTokens: q.input_tokens ?? 0,
  outputTokens: q.output_tokens ?? 0,
  callSeconds: q.call_seconds,
  costAmount: q.cost_amount,
});

export async function usageRoutes(app: SurfaceApp): Promise<void> {
  app.post(
    '/usage/track',
    {
      schema: {
        tags,
        summary: 'Record usage a client reports (charged to its credits)',
        body: TrackBody,
        response: { 200: TrackResultSchema, 402: ErrorSchema, ...errors },
      },
    },
    async (request) => {
      const tracked = await trackUsage(ctxOf(request), usageOf(request.body));
      const used = credits(tracked.record.cost_micro_usd);
      return {
        success: true,
        credits_used: used,
        remaining_credits: credits(tracked.remainingMicroUsd),
        message: `Tracked ${used} credits for ${request.body.model_key}`,
      };
    },
  );

  app.get(
    '/usage/credit-balance',
    {
      schema: {
        tags,
        summary: "The caller's credits in the current billing cycle",
        response: { 200: CreditBalanceSchema, ...errors },
      },
    },
    async (request) => {
      const ctx = ctxOf(request);
      return presentBalance(requireUser(ctx).userUuid, await myBalance(ctx));
    },
  );

  app.get(
    '/usage/credit-check',
    {
      schema: {
        tags,
        summary: 'Whether the credits cover an operation',
        querystring: CreditCheckQuery,
        response: { 200: CreditCheckSchema, ...errors },
      },
    },
    async (request) => {
      const check = await checkCredits(ctxOf(request), usageOf(request.query));
      return {
        has_sufficient_credits: check.sufficient,
        estimated_cost: credits(check.estimateMicroUsd),
        remaining_credits: credits(check.remainingMicroUsd),
        model_key: request.query.model_key,
      };
    },
  );

  app.get(
    '/usage/summary',
    {
      schema: {
        tags,
        summary: 'Usage over a date range, per model and per day',
        querystring: DateRangeQuery,
        response: { 200: UsageSummarySchema, ...errors },
      },
    },
    async (request) => {
      const ctx = ctxOf(request);
      const from = startOfDay(request.query.start_date, 'start_date');
      const to = startOfDay(request.query.end_date, 'end_date');
      const summary = await myUsageSummary(ctx, {
        fromDay: from === undefined ? undefined : utcDay(from),
        toDay: to === undefined ? undefined : utcDay(to),
      });
      return presentUsageSummary(requireUser(ctx).userUuid, summary);
    },
  );

  app.get(
    '/usage/authorization',
    {
      schema: {
        tags,
        summary: "The caller's plan: features, limits and permissions",
        response: { 200: AuthorizationSchema, ...errors },
      },
    },
    async (request) => {
      const ctx = ctxOf(request);
      return presentAuthorization(requireUser(ctx).userUuid, await planAuthorization(ctx));
    },
  );

  app.get(
    '/usage/free-user-status',
    {
      schema: {
        tags,
        summary: 'Whether the caller is on the free plan and has credits left',
        response: { 200: FreeUserStatusSchema, ...errors },
      },
    },
    async (request) => presentFreeUserStatus(await myBalance(ctxOf(request))),
  );

  app.get(
    '/usage/calculate',
    {
      schema: {
        tags,
        summary: 'The cost of usage, without recording it',
        querystring: CalculateQuery,
        response: { 200: CalculateSchema, ...errors },
      },
    },
    async (request) => {
      const ctx = ctxOf(request);
      requireUser(ctx);
      return presentCalculation(request.query.model_key, priceUsage(ctx, usageOf(request.query)));
    },
  );

  app.post(
    '/usage/codespace/track',
    {
      schema: {
        tags,
        summary: 'Record usage a client reports for one of its codespace tasks',
        body: CodespaceTrackBody,
        response: { 200: UsageRecordSchema, 402: ErrorSchema, ...errors },
      },
    },
    async (request) => {
      const ctx = ctxOf(request);
      const tracked = await trackCodespaceUsage(
        ctx,
        request.body.codespace_task_id,
        usageOf(request.body),
      );
      return presentUsageRecord(requireUser(ctx).userUuid, tracked.record);
    },
  );

  app.get(
    '/usage/codespace/task/:codespace_task_id',
    {
      schema: {
        tags,
        summary: 'Usage reported for one codespace task',
        params: IdParam('codespace_task_id'),
        response: { 200: CodespaceUsageSchema, ...errors },
      },
    },
    async (request) => {
      const ctx = ctxOf(request);
      const id = request.params.codespace_task_id;
      const rows = await usageOfCodespaceTask(ctx, id);
      return presentCodespaceUsage(requireUser(ctx).userUuid, id, rows);
    },
  );

  app.get(
    '/usage/health',
    {
      config: { auth: 'none' },
      schema: {
        tags,
        summary: 'Health of the usage system (no credentials needed)',
        security: [],
        response: { 200: UsageHealthSchema, 404: ErrorSchema },
      },
    },
    async () => ({
      status: 'healthy' as const,
      timestamp: new Date().toISOString(),
      version: USAGE_VERSION,
    }),
  );
}
