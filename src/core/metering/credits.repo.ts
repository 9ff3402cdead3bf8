/**
 * Credit accounts, one per user and billing cycle. Every change is one conditional
 * statement, so concurrent runs on any number of workers cannot reserve past the
 * allotment: the check and the increment happen in the same row update.
 */
import type { ExpressionBuilder, Selectable } from 'kysely';
import type { CreditAccountsTable, Database } from '../../db/types.ts';
import type { Ctx } from '../context.ts';

/** consumed + reserved + amount ≤ allotted: the one condition every charge and hold is bound by. */
function fitsAllotment(eb: ExpressionBuilder<Database, 'credit_accounts'>, amount: number) {
  return eb(
    eb(eb('consumed_micro_usd', '+', eb.ref('reserved_micro_usd')), '+', amount),
    '<=',
    eb.ref('allotted_micro_usd'),
  );
}

export type CreditAccount = Selectable<CreditAccountsTable>;

/** Creates the cycle's account, or brings its plan and allotment up to date. */
export async function ensureAccount(
  ctx: Ctx,
  account: Pick<
    CreditAccount,
    'user_id' | 'cycle_start' | 'cycle_end' | 'plan' | 'allotted_micro_usd'
  >,
): Promise<CreditAccount> {
  const now = ctx.clock.now();
  await ctx.db
    .insertInto('credit_accounts')
    .values({ ...account, consumed_micro_usd: 0, reserved_micro_usd: 0, updated_at: now })
    .onConflict((oc) =>
      oc
        .columns(['user_id', 'cycle_start'])
        .doUpdateSet({
          plan: account.plan,
          allotted_micro_usd: account.allotted_micro_usd,
          updated_at: now,
        })
        .where((eb) =>
          eb.or([
            eb('credit_accounts.plan', '<>', account.plan),
            eb('credit_accounts.allotted_micro_usd', '<>', account.allotted_micro_usd),
          ]),
        ),
    )
    .execute();
  return (await findAccount(ctx, account.user_id, account.cycle_start))!;
}

export async function findAccount(
  ctx: Ctx,
  userId: number,
  cycleStart: number,
): Promise<CreditAccount | undefined> {
  return ctx.db
    .selectFrom('credit_accounts')
    .selectAll()
    .where('user_id', '=', userId)
    .where('cycle_start', '=', cycleStart)
    .executeTakeFirst();
}

/** Holds `amount` if it fits beside what is consumed and already held; false when it does not. */
export async function reserve(
  ctx: Ctx,
  userId: number,
  cycleStart: number,
  amount: number,
): Promise<boolean> {
  const result = await ctx.db
    .updateTable('credit_accounts')
    .set((eb) => ({
      reserved_micro_usd: eb('reserved_micro_usd', '+', amount),
      updated_at: ctx.clock.now(),
    }))
    .where('user_id', '=', userId)
    .where('cycle_start', '=', cycleStart)
    .where((eb) => fitsAllotment(eb, amount))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Releases a hold and books what was actually spent (which may exceed the hold by one step). */
export async function settle(
  ctx: Ctx,
  userId: number,
  cycleStart: number,
  held: number,
  spent: number,
): Promise<void> {
  await ctx.db
    .updateTable('credit_accounts')
    .set((eb) => ({
      reserved_micro_usd: eb('reserved_micro_usd', '-', held),
      consumed_micro_usd: eb('consumed_micro_usd', '+', spent),
      updated_at: ctx.clock.now(),
    }))
    .where('user_id', '=', userId)
    .where('cycle_start', '=', cycleStart)
    .execute();
}

/**
 * Books `spent` as consumed on the cycle's account, creating it or bringing its plan and
 * allotment up to date in the same statement (ensureAccount + settle without a hold).
 */
export async function charge(
  ctx: Ctx,
  account: Pick<
    CreditAccount,
    'user_id' | 'cycle_start' | 'cycle_end' | 'plan' | 'allotted_micro_usd'
  >,
  spent: number,
): Promise<void> {
  const now = ctx.clock.now();
  await ctx.db
    .insertInto('credit_accounts')
    .values({ ...account, consumed_micro_usd: spent, reserved_micro_usd: 0, updated_at: now })
    .onConflict((oc) =>
      oc.columns(['user_id', 'cycle_start']).doUpdateSet((eb) => ({
        plan: account.plan,
        allotted_micro_usd: account.allotted_micro_usd,
        consumed_micro_usd: eb('credit_accounts.consumed_micro_usd', '+', spent),
        updated_at: now,
      })),
    )
    .execute();
}

/**
 * Drops holds on accounts nobody has touched for `idleMs`: a run that holds credits
 * touches its account at every step, so an idle hold belongs to a run whose worker died.
 */
export async function releaseIdleReservations(ctx: Ctx, idleBefore: number): Promise<number> {
  const result = await ctx.db
    .updateTable('credit_accounts')
    .set({ reserved_micro_usd: 0 })
    .where('reserved_micro_usd', '>', 0)
    .where('updated_at', '<', idleBefore)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Books `amount` as consumed only if it fits beside what is consumed and held (one
 * conditional row update, so parallel callers can never take the balance below zero).
 * Returns the account as this update left it, or undefined when it did not fit.
 */
export async function consumeIfCovered(
  ctx: Ctx,
  userId: number,
  cycleStart: number,
  amount: number,
): Promise<CreditAccount | undefined> {
  return ctx.db
    .updateTable('credit_accounts')
    .set((eb) => ({
      consumed_micro_usd: eb('consumed_micro_usd', '+', amount),
      updated_at: ctx.clock.now(),
    }))
    .where('user_id', '=', userId)
    .where('cycle_start', '=', cycleStart)
    .where((eb) => fitsAllotment(eb, amount))
    .returningAll()
    .executeTakeFirst();
}
