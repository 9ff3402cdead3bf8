/**
 * Usage a client reports itself (CodeGuide's `/usage/track` and `/usage/codespace/track`)
 * and the questions asked before spending (cost of a call, whether the credits cover
 * it). Reported usage is an ordinary ledger row (kind `tracked`), so it shows in every
 * dashboard and summary beside the server's own LLM calls.
 */
import { type Ctx, withTransaction } from '../context.ts';
import { DomainError, invalid } from '../errors.ts';
import { requireUser } from '../identity/users.service.ts';
import { utcDay } from '../shared/clock.ts';
import { uuidv7 } from '../shared/ids.ts';
import * as credits from './credits.repo.ts';
import * as ledger from './ledger.repo.ts';
import { getBalance } from './metering.service.ts';
import { creditsToMicroUsd, MICRO_USD_PER_CREDIT } from './pricing.ts';

export interface ReportedUsage {
  modelKey: string;
  inputTokens: number;
  outputTokens: number;
  callSeconds?: number;
  /** In credits; when given it is the cost, instead of the catalog's prices. */
  costAmount?: number;
}

/** A cost and its parts, in micro-USD; the parts always sum to the total. */
export interface CostBreakdown {
  inputMicroUsd: number;
  outputMicroUsd: number;
  timeMicroUsd: number;
  totalMicroUsd: number;
}

/** Prices reported usage from the model catalog; an unknown model key is a 422. */
export function priceUsage(ctx: Ctx, usage: ReportedUsage): CostBreakdown {
  const model = ctx.runtime.ai.catalog.get(usage.modelKey);
  if (!model)
    throw invalid(
      'model_key',
      `model_key: unknown model "${usage.modelKey}" (see /codespace-models)`,
    );
  const p = model.pricing;
  const input = Math.round(usage.inputTokens * p.input_per_1m);
  const output = Math.round(usage.outputTokens * p.output_per_1m);
  const exact = Math.round(
    usage.inputTokens * p.input_per_1m +
      usage.outputTokens * p.output_per_1m +
      (usage.callSeconds ?? 0) * p.per_second * 1_000_000,
  );
  if (usage.costAmount !== undefined) {
    // The given amount is the cost; the parts still show what the catalog would charge.
    const total = creditsToMicroUsd(usage.costAmount);
    return {
      inputMicroUsd: input,
      outputMicroUsd: output,
      timeMicroUsd: exact - input - output,
      totalMicroUsd: total,
    };
  }
  // Time takes the rounding remainder so the parts sum exactly to the total.
  return {
    inputMicroUsd: input,
    outputMicroUsd: output,
    timeMicroUsd: exact - input - output,
    totalMicroUsd: exact,
  };
}

export interface CreditCheck {
  sufficient: boolean;
  estimateMicroUsd: number;
  remainingMicroUsd: number;
}

export async function checkCredits(ctx: Ctx, usage: ReportedUsage): Promise<CreditCheck> {
  const actor = requireUser(ctx);
  const cost = priceUsage(ctx, usage).totalMicroUsd;
  const balance = await getBalance(ctx, actor.userId);
  return {
    sufficient: cost <= balance.remainingMicroUsd,
    estimateMicroUsd: cost,
    remainingMicroUsd: balance.remainingMicroUsd,
  };
}

export interface TrackedUsage {
  record: ledger.UsageRecord;
  remainingMicroUsd: number;
}

/**
 * Books reported usage: the charge and the ledger row in one transaction, the charge a
 * conditional update that only succeeds while the credits cover it. No plan allows
 * overage: usage the balance cannot cover is refused (402) and nothing is booked, so
 * any number of parallel calls leave consumed credits equal to the ledger's sum.
 */
export async function trackUsage(
  ctx: Ctx,
  usage: ReportedUsage & { codespaceTaskId?: string },
): Promise<TrackedUsage> {
  const actor = requireUser(ctx);
  const cost = priceUsage(ctx, usage).totalMicroUsd;
  const { cycle } = await getBalance(ctx, actor.userId);
  const now = ctx.clock.now();
  const row: ledger.UsageRecord = {
    id: uuidv7(now),
    tenant_id: actor.tenantId,
    user_id: actor.userId,
    kind: 'tracked',
    model_key: usage.modelKey,
    input_tokens: usage.inputTokens,
    cached_input_tokens: 0,
    output_tokens: usage.outputTokens,
    duration_ms: Math.round((usage.callSeconds ?? 0) * 1000),
    cost_micro_usd: cost,
    task_id: null,
    conversation_id: null,
    agent_run_id: null,
    codespace_task_id: usage.codespaceTaskId ?? null,
    day: utcDay(now),
    created_at: now,
  };
  const remainingMicroUsd = await withTransaction(ctx, async (tx) => {
    let remaining: number | undefined;
    if (cost > 0) {
      const account = await credits.consumeIfCovered(tx, actor.userId, cycle.start, cost);
      if (!account) {
        const balance = await getBalance(tx, actor.userId);
        throw new DomainError(
          'insufficient_credits',
          `Not enough credits to track this usage: it costs ${cost / MICRO_USD_PER_CREDIT} credits and ${balance.remainingMicroUsd / MICRO_USD_PER_CREDIT} remain`,
          {
            required_credits: cost / MICRO_USD_PER_CREDIT,
            remaining_credits: balance.remainingMicroUsd / MICRO_USD_PER_CREDIT,
          },
        );
      }
      // What this charge left, even while other charges land right after it.
      remaining = Math.max(
        0,
        Number(account.allotted_micro_usd) -
          Number(account.consumed_micro_usd) -
          Number(account.reserved_micro_usd),
      );
    }
    await ledger.insertUsage(tx, row);
    return remaining;
  });
  return {
    record: row,
    remainingMicroUsd: remainingMicroUsd ?? (await getBalance(ctx, actor.userId)).remainingMicroUsd,
  };
}

/** The caller's ledger rows about one codespace task (the task must be theirs, checked by the caller). */
export function codespaceTaskUsage(
  ctx: Ctx,
  codespaceTaskId: string,
): Promise<ledger.UsageRecord[]> {
  const actor = requireUser(ctx);
  return ledger.usageForCodespaceTask(ctx, actor, codespaceTaskId);
}
