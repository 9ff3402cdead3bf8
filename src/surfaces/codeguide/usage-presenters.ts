/** Usage, credits, API usage logs, codespace tasks and models → CodeGuide's JSON. */
import type { CatalogModel } from '../../core/ai/catalog.ts';
import type { ApiUsageLog } from '../../core/api-logs/api-usage-logs.service.ts';
import type { CodespaceTask, CodespaceTaskDetail } from '../../core/codespace/codespace.service.ts';
import type { UsageRecord } from '../../core/metering/ledger.repo.ts';
import type { Balance, UsageSummary } from '../../core/metering/metering.service.ts';
import type { PlanAuthorization } from '../../core/metering/plans.ts';
import { MICRO_USD_PER_CREDIT, SANDBOX_MODEL_KEY } from '../../core/metering/pricing.ts';
import type { CostBreakdown } from '../../core/metering/tracked-usage.ts';
import type { MyUsageSummary } from '../../core/metering/usage-report.ts';
import { isoTime } from '../../core/shared/clock.ts';

const DAY_MS = 86_400_000;

/** Micro-USD → credits (1 credit = $0.001), exact to the micro-USD. */
export const credits = (microUsd: number) => microUsd / MICRO_USD_PER_CREDIT;
const ymd = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const subscription = (balance: Balance) => ({ plan: balance.plan, status: 'active' });

export function presentBalance(userUuid: string, balance: Balance) {
  const allotted = balance.allottedMicroUsd;
  const consumed = balance.consumedMicroUsd;
  return {
    user_id: userUuid,
    total_consumed: credits(consumed),
    total_allotted: credits(allotted),
    remaining_credits: credits(balance.remainingMicroUsd),
    utilization_percentage:
      allotted === 0 ? (consumed > 0 ? 100 : 0) : Math.round((consumed / allotted) * 10_000) / 100,
    billing_cycle_start: isoTime(balance.cycle.start),
    billing_cycle_end: isoTime(balance.cycle.end),
    subscription: subscription(balance),
  };
}

export function presentFreeUserStatus(balance: Balance) {
  return {
    is_free_user: balance.plan === 'free',
    has_available_credits: balance.remainingMicroUsd > 0,
    credits_remaining: credits(balance.remainingMicroUsd),
    credits_expire_at: isoTime(balance.cycle.end),
  };
}

type Totals = UsageSummary['totals'];
const figures = (t: Totals) => ({
  calls: t.calls,
  credits_used: credits(t.costMicroUsd),
  input_tokens: t.inputTokens,
  output_tokens: t.outputTokens,
  call_seconds: t.durationMs / 1000,
});

export function presentUsageSummary(userUuid: string, summary: MyUsageSummary) {
  return {
    user_id: userUuid,
    period: { start_date: ymd(summary.fromDay), end_date: ymd(summary.toDay) },
    usage_summary: {
      total_credits_used: credits(summary.totals.costMicroUsd),
      total_calls: summary.totals.calls,
      model_breakdown: Object.fromEntries(
        summary.byModel.map((m) => [m.modelKey, figures(m.totals)]),
      ),
      daily_usage: summary.byDay.map((d) => ({ date: ymd(d.day), ...figures(d.totals) })),
    },
    subscription: subscription(summary.balance),
  };
}

export function presentAuthorization(userUuid: string, auth: PlanAuthorization) {
  return {
    user_id: userUuid,
    subscription: { plan: auth.plan, status: 'active', features: auth.features },
    usage_limits: { monthly_credits: auth.monthlyCredits, max_calls_per_day: auth.maxCallsPerDay },
    permissions: auth.permissions,
  };
}

export function presentCalculation(modelKey: string, cost: CostBreakdown) {
  return {
    model_key: modelKey,
    estimated_cost: credits(cost.totalMicroUsd),
    calculation_breakdown: {
      input_cost: credits(cost.inputMicroUsd),
      output_cost: credits(cost.outputMicroUsd),
      time_cost: credits(cost.timeMicroUsd),
      total_cost: credits(cost.totalMicroUsd),
    },
  };
}

export function presentUsageRecord(userUuid: string, row: UsageRecord) {
  return {
    id: row.id,
    codespace_task_id: row.codespace_task_id ?? '',
    user_id: userUuid,
    model_key: row.model_key ?? '',
    input_tokens: Number(row.input_tokens),
    output_tokens: Number(row.output_tokens),
    call_seconds: Number(row.duration_ms) / 1000,
    cost_amount: credits(Number(row.cost_micro_usd)),
    created_at: isoTime(Number(row.created_at)),
  };
}

export function presentCodespaceUsage(userUuid: string, taskId: string, rows: UsageRecord[]) {
  const records = rows.map((row) => presentUsageRecord(userUuid, row));
  let cost = 0;
  let ms = 0;
  for (const row of rows) {
    cost += Number(row.cost_micro_usd);
    ms += Number(row.duration_ms);
  }
  return {
    codespace_task_id: taskId,
    total_usage: {
      total_input_tokens: records.reduce((sum, r) => sum + r.input_tokens, 0),
      total_output_tokens: records.reduce((sum, r) => sum + r.output_tokens, 0),
      total_call_seconds: ms / 1000,
      total_cost: credits(cost),
    },
    usage_records: records,
  };
}

export function presentApiUsageLog(log: ApiUsageLog) {
  return {
    id: log.id,
    user_id: log.userUuid,
    endpoint: log.endpoint,
    method: log.method,
    timestamp: isoTime(log.at),
    status_code: log.statusCode,
    response_time: log.responseTimeMs,
  };
}

/** Every catalog model but the sandbox's own price entry, which is not a model. */
export function presentCodespaceModels(models: readonly CatalogModel[]) {
  return models
    .filter((m) => m.key !== SANDBOX_MODEL_KEY)
    .map((m) => ({
      id: m.key,
      name: m.name,
      description: `${m.name} by ${m.provider} (${m.context_window.toLocaleString('en-US')}-token context)`,
      provider: { id: m.provider, name: m.provider },
      capabilities: [...m.capabilities],
      context_window: m.context_window,
      pricing: { ...m.pricing, currency: 'USD' },
    }));
}

export function presentCodespaceTask(task: CodespaceTask) {
  return {
    id: task.id,
    project_id: task.projectId,
    repository_url: task.repositoryUrl,
    task_description: task.taskDescription,
    status: task.status,
    user_id: task.userUuid,
    model_id: task.modelId,
    created_at: isoTime(task.createdAt),
    updated_at: isoTime(task.updatedAt),
    progress: task.progress,
    error_message: task.errorMessage,
  };
}

export function presentCodespaceTaskDetail({ task, model, files }: CodespaceTaskDetail) {
  const [presentedModel] = model ? presentCodespaceModels([model]) : [];
  return {
    ...presentCodespaceTask(task),
    deployment: task.deploymentConfig
      ? {
          config: task.deploymentConfig,
          status: task.result?.deployment?.status ?? 'not_deployed',
          deployment_id: task.result?.deployment?.deployment_id ?? null,
          message: task.result?.deployment?.message ?? null,
        }
      : null,
    model: presentedModel ?? null,
    result: task.result,
    files,
  };
}
