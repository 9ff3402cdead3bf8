/**
 * Claiming jobs: the queue's hottest statement, one per worker wake-up, taking a job for
 * every free slot at once (docs/architecture-notes.md, "Task engine").
 */
import { sql } from 'kysely';
import { markPrepared } from '../../db/prepared.ts';
import { type Ctx, withTransaction } from '../context.ts';
import { type JobRow, toJob } from './jobs.repo.ts';
import type { JobRecord, Lane } from './jobs.types.ts';

export interface ClaimRequest {
  kinds: string[];
  now: number;
  /** One fresh lease id per job the claim may take (their number is the most it takes). */
  leaseIds: string[];
  leaseExpiresAt: number;
  workerId: string;
  /** The lane tried first on this claim (the worker rotates it by weight). */
  preferredLane: Lane;
  /** Most jobs of one tenant running at once. */
  tenantCap: number;
}

/**
 * Takes up to `leaseIds.length` runnable jobs, the preferred lane's first, in claim
 * order; fewer (or none) when fewer are runnable. Each gets its own lease id.
 */
export async function claimJobs(ctx: Ctx, request: ClaimRequest): Promise<JobRecord[]> {
  if (request.kinds.length === 0 || request.leaseIds.length === 0) return [];
  if (ctx.dialect === 'postgres') return claimPostgres(ctx, request);
  // One lane per statement, so each claim walks the jobs_claimable index in order
  // (lane, priority desc, run_at, id) instead of sorting the whole queue.
  const other: Lane = request.preferredLane === 'premium' ? 'normal' : 'premium';
  const first = await claimSqlite(ctx, request, request.preferredLane, request.leaseIds);
  if (first.length === request.leaseIds.length) return first;
  return [
    ...first,
    ...(await claimSqlite(ctx, request, other, request.leaseIds.slice(first.length))),
  ];
}

/**
 * One statement (one round trip, whichever lane has work): in each lane, the first
 * queued jobs in index order (lane, priority desc, run_at, id) that no other worker has
 * locked are locked (SKIP LOCKED inside each index scan, so concurrent claims take
 * different jobs); the preferred lane's come first. Of those, the ones whose tenant
 * stays under its cap counting the ones before them in this batch are kept; their
 * tenant slots are taken (the counter's row lock re-checks the cap, so two workers
 * cannot both take the last slot; a tenant whose slots a concurrent claim took gets none
 * in this batch); each job is leased with its own id. Locked rows not kept are free
 * again when the statement ends.
 */
async function claimPostgres(ctx: Ctx, r: ClaimRequest): Promise<JobRecord[]> {
  const n = r.leaseIds.length;
  const lane = (name: Lane) => sql`
      select j.id, j.tenant_id, j.priority, j.run_at, j.lane from jobs j
      where j.status = 'queued' and j.lane = ${name} and j.run_at <= ${r.now}
        and j.kind in (${sql.join(r.kinds)})
        and (j.tenant_id is null or coalesce(
          (select s.running from job_tenant_slots s where s.tenant_id = j.tenant_id), 0) < ${r.tenantCap})
      order by j.priority desc, j.run_at, j.id
      limit ${n}
      for update of j skip locked`;
  const other: Lane = r.preferredLane === 'premium' ? 'normal' : 'premium';
  const query = sql<JobRow>`
    with preferred as (${lane(r.preferredLane)}), fallback as (${lane(other)}),
    locked as (
      select * from (select *, 0 as rank from preferred union all select *, 1 from fallback) c
      order by c.rank, c.priority desc, c.run_at, c.id
      limit ${n}
    ), ranked as (
      select l.id, l.tenant_id,
        row_number() over (partition by l.tenant_id order by l.rank, l.priority desc, l.run_at, l.id) as nth
      from locked l
    ), wanted as (
      select w.id, w.tenant_id, row_number() over () as k from ranked w
      where w.tenant_id is null or coalesce(
        (select s.running from job_tenant_slots s where s.tenant_id = w.tenant_id), 0) + w.nth <= ${r.tenantCap}
    ), slot as (
      insert into job_tenant_slots (tenant_id, running)
      select tenant_id, count(*) from wanted where tenant_id is not null group by tenant_id
      on conflict (tenant_id) do update set running = job_tenant_slots.running + excluded.running
        where job_tenant_slots.running + excluded.running <= ${r.tenantCap}
      returning tenant_id
    )
    update jobs set status = 'running', lease_id = (${r.leaseIds}::text[])[wanted.k],
      lease_expires_at = ${r.leaseExpiresAt}, worker_id = ${r.workerId}, attempts = jobs.attempts + 1,
      started_at = coalesce(jobs.started_at, ${r.now}), updated_at = ${r.now}
    from wanted
    where jobs.id = wanted.id
      and (wanted.tenant_id is null or wanted.tenant_id in (select tenant_id from slot))
    returning jobs.*`.compile(ctx.db);
  // Every claim of a worker has the same text (its kinds are fixed): planned once per connection.
  markPrepared(query.sql);
  const { rows } = await ctx.db.executeQuery(query);
  const jobs = rows.map(toJob);
  // UPDATE … RETURNING gives rows in no set order: back into claim order.
  const rank = (job: JobRecord) => (job.lane === r.preferredLane ? 0 : 1);
  return jobs.sort(
    (a, b) =>
      rank(a) - rank(b) ||
      b.priority - a.priority ||
      a.runAt - b.runAt ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/**
 * SQLite allows one writer at a time, so select-then-update in one transaction is exact;
 * the batch's jobs are taken one by one inside it.
 */
async function claimSqlite(
  ctx: Ctx,
  r: ClaimRequest,
  lane: Lane,
  leaseIds: string[],
): Promise<JobRecord[]> {
  return withTransaction(ctx, async (tx) => {
    const claimed: JobRecord[] = [];
    for (const leaseId of leaseIds) {
      const job = await claimOneSqlite(tx, r, lane, leaseId);
      if (!job) break;
      claimed.push(job);
    }
    return claimed;
  });
}

async function claimOneSqlite(
  tx: Ctx,
  r: ClaimRequest,
  lane: Lane,
  leaseId: string,
): Promise<JobRecord | undefined> {
  const { rows } = await sql<{ id: string; tenant_id: string | null }>`
    select j.id, j.tenant_id from jobs j
    where j.status = 'queued' and j.lane = ${lane} and j.run_at <= ${r.now}
      and j.kind in (${sql.join(r.kinds)})
      and (j.tenant_id is null or coalesce(
        (select s.running from job_tenant_slots s where s.tenant_id = j.tenant_id), 0) < ${r.tenantCap})
    order by j.priority desc, j.run_at, j.id
    limit 1`.execute(tx.db);
  const candidate = rows[0];
  if (!candidate) return undefined;
  if (candidate.tenant_id !== null) {
    await tx.db
      .insertInto('job_tenant_slots')
      .values({ tenant_id: candidate.tenant_id, running: 1 })
      .onConflict((oc) =>
        oc.column('tenant_id').doUpdateSet({ running: sql`job_tenant_slots.running + 1` }),
      )
      .execute();
  }
  const row = await tx.db
    .updateTable('jobs')
    .set({
      status: 'running',
      lease_id: leaseId,
      lease_expires_at: r.leaseExpiresAt,
      worker_id: r.workerId,
      attempts: sql`attempts + 1`,
      started_at: sql`coalesce(started_at, ${r.now})`,
      updated_at: r.now,
    })
    .where('id', '=', candidate.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toJob(row);
}
