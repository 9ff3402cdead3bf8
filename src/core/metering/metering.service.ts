/**
 * Metering: the one usage ledger and the credit accounts behind it. Surfaces call
 * balance, check, estimate and summary; runs reserve before each step and settle after,
 * so concurrent runs cannot overspend a balance by more than one step each.
 */

import type { Ctx, Tier } from '../context.ts';
import { DomainError } from '../errors.ts';
import { findUserById } from '../identity/identity.repo.ts';
import { utcDay } from '../shared/clock.ts';
import { uuidv7 } from '../shared/ids.ts';
import * as credits from './credits.repo.ts';
import * as ledger from './ledger.repo.ts';
import {
  costMicroUsd,
  creditsToMicroUsd,
  type MeteredUsage,
  type ModelPricing,
} from './pricing.ts';

export interface MeterOwner {
  userId: number;
  tenantId: string;
}

export interface BillingCycle {
  start: number;
  end: number;
}

/** Billing cycles are calendar months, UTC. */
export function billingCycle(now: number): BillingCycle {
  const d = new Date(now);
  const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const end = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  return { start, end };
}

export interface Balance {
  plan: Tier;
  cycle: BillingCycle;
  allottedMicroUsd: number;
  consumedMicroUsd: number;
  reservedMicroUsd: number;
  remainingMicroUsd: number;
}

async function planOf(ctx: Ctx, userId: number): Promise<Tier> {
  // Acting as the user (a request of theirs, or a run on their behalf), the plan was just read.
  if (ctx.actor.kind === 'user' && ctx.actor.userId === userId) return ctx.actor.tier as Tier;
  const user = await findUserById(ctx, userId);
  return (user?.tier as Tier | undefined) ?? 'free';
}

/** The user's account for the current cycle as their plan makes it. */
async function accountTerms(ctx: Ctx, userId: number) {
  const plan = await planOf(ctx, userId);
  const cycle = billingCycle(ctx.clock.now());
  return {
    user_id: userId,
    cycle_start: cycle.start,
    cycle_end: cycle.end,
    plan,
    allotted_micro_usd: creditsToMicroUsd(ctx.config.metering.credits[plan]),
  };
}

async function account(ctx: Ctx, userId: number) {
  const terms = await accountTerms(ctx, userId);
  const row = await credits.ensureAccount(ctx, terms);
  return {
    row,
    plan: terms.plan,
    cycle: { start: terms.cycle_start, end: terms.cycle_end },
  };
}

export async function getBalance(ctx: Ctx, userId: number): Promise<Balance> {
  const { row, plan, cycle } = await account(ctx, userId);
  return {
    plan,
    cycle,
    allottedMicroUsd: row.allotted_micro_usd,
    consumedMicroUsd: row.consumed_micro_usd,
    reservedMicroUsd: row.reserved_micro_usd,
    remainingMicroUsd: Math.max(
      0,
      row.allotted_micro_usd - row.consumed_micro_usd - row.reserved_micro_usd,
    ),
  };
}

export interface UsageEntry {
  kind: 'llm' | 'sandbox' | 'task' | 'tracked';
  modelKey?: string | null;
  usage?: MeteredUsage;
  /** When set, the cost is taken as given instead of priced from the catalog. */
  costMicroUsd?: number;
  pricing?: ModelPricing;
  taskId?: string | null;
  conversationId?: string | null;
  agentRunId?: string | null;
}

/**
 * Writes one ledger row and books its cost against the credits: against the hold's own
 * cycle when it settles a hold (no account lookup on the per-step path), else the
 * current cycle's. Returns the cost.
 */
export async function recordUsage(
  ctx: Ctx,
  owner: MeterOwner,
  entry: UsageEntry,
  hold?: { cycleStart: number; amount: number },
): Promise<number> {
  const now = ctx.clock.now();
  const usage = entry.usage ?? { inputTokens: 0, outputTokens: 0 };
  const cost = entry.costMicroUsd ?? costMicroUsd(entry.pricing, usage);
  await ledger.insertUsage(ctx, {
    id: uuidv7(now),
    tenant_id: owner.tenantId,
    user_id: owner.userId,
    kind: entry.kind,
    model_key: entry.modelKey ?? null,
    input_tokens: usage.inputTokens,
    cached_input_tokens: usage.cachedInputTokens ?? 0,
    output_tokens: usage.outputTokens,
    duration_ms: Math.round((usage.seconds ?? 0) * 1000),
    cost_micro_usd: cost,
    task_id: entry.taskId ?? null,
    conversation_id: entry.conversationId ?? null,
    agent_run_id: entry.agentRunId ?? null,
    day: utcDay(now),
    created_at: now,
  });
  if (hold) {
    await credits.settle(ctx, owner.userId, hold.cycleStart, hold.amount, cost);
  } else if (cost > 0) {
    await credits.charge(ctx, await accountTerms(ctx, owner.userId), cost);
  }
  return cost;
}

/** A hold on credits for one step of a run; settle it with what the step really cost. */
export interface Reservation {
  amount: number;
  settle(entry: UsageEntry): Promise<number>;
  release(): Promise<void>;
}

/** Holds `amount` or throws insufficient_credits (nothing is held for a free step). */
export async function reserveCredits(
  ctx: Ctx,
  owner: MeterOwner,
  amount: number,
): Promise<Reservation> {
  const held = Math.max(0, Math.ceil(amount));
  if (held === 0) {
    // A free step holds nothing; its settle books only the ledger row.
    return {
      amount: 0,
      settle: (entry) => recordUsage(ctx, owner, entry),
      release: async () => {},
    };
  }
  const { cycle, row } = await account(ctx, owner.userId);
  if (!(await credits.reserve(ctx, owner.userId, cycle.start, held))) {
    throw new DomainError('insufficient_credits', 'Not enough credits left for this run', {
      required_credits: held / 1000,
      remaining_credits:
        Math.max(0, row.allotted_micro_usd - row.consumed_micro_usd - row.reserved_micro_usd) /
        1000,
    });
  }
  let open = true;
  return {
    amount: held,
    settle: async (entry) => {
      const hold = open ? { cycleStart: cycle.start, amount: held } : undefined;
      open = false;
      return recordUsage(ctx, owner, entry, hold);
    },
    release: async () => {
      if (!open) return;
      open = false;
      await credits.settle(ctx, owner.userId, cycle.start, held, 0);
    },
  };
}

export interface UsageSummary {
  totals: ledger.UsageTotals;
  byDay: { day: number; totals: ledger.UsageTotals }[];
  byModel: { modelKey: string; totals: ledger.UsageTotals }[];
}

export async function usageSummary(
  ctx: Ctx,
  filter: { userId?: number; tenantId?: string; fromDay: number; toDay: number },
): Promise<UsageSummary> {
  const [totals, byDay, byModel] = await Promise.all([
    ledger.usageTotals(ctx, filter),
    ledger.usageByDay(ctx, filter),
    ledger.usageByModel(ctx, filter),
  ]);
  return {
    totals,
    byDay: [...byDay].map(([day, t]) => ({ day, totals: t })),
    byModel: [...byModel].map(([modelKey, t]) => ({ modelKey, totals: t })),
  };
}

/** Totals of the ledger over a range of days, for a user or a tenant. */
export function usageTotals(
  ctx: Ctx,
  filter: { userId?: number; tenantId?: string; fromDay: number; toDay: number },
): Promise<ledger.UsageTotals> {
  return ledger.usageTotals(ctx, filter);
}
