import { unavailable } from '../domain/errors';
import type { SealedRecord } from '../ledger/entry';
import { batchLedger } from './batch-ledger';
import type { CommitContext, Job, Outcome } from './commit-job';
import { OUTCOME_UNKNOWN } from './commit-job';
import { isConnectionError } from './errors';
import type { Head } from './knex-ledger';
import { KnexStatusStore } from './knex-status';
import { commitIfCurrent } from './optimistic-commit';
import type { ChangePreparation, StatusChangeRecord, UnitOfWork } from './ports';

/** Thrown inside an optimistic job that needs more than ledger appends. */
class NeedsTransaction extends Error {}
const needsTransaction = (): never => {
  throw new NeedsTransaction('this job needs a transaction');
};

/**
 * The optimistic path, for append-only jobs (decisions, status changes) of tenants whose head this
 * process knows: their entries are sealed against the heads it last wrote, and one autocommit
 * statement writes each tenant's entries and status changes only if its head and the assumed
 * statuses are still current. Commits what it can; returns the jobs that need the locking path
 * (tenants another process wrote in between, jobs that need a transaction or failed on an assumption).
 */
export async function runOptimisticBatch(c: CommitContext, batch: Job[]): Promise<Job[]> {
  const now = Date.now();
  const eligible = (j: Job) => j.appendOnly && c.heads.usable(j.tenantId, now);
  if (!batch.some(eligible)) return batch;
  const rest: Job[] = [];
  const heads = new Map<string, Head>();
  const records: SealedRecord[] = [];
  const changes: StatusChangeRecord[] = [];
  const ran: { job: Job; outcome: Outcome }[] = [];
  for (const job of batch) {
    // After a status change in this batch the tenant's later jobs must see it: only a transaction shows it.
    if (!eligible(job) || changes.some((ch) => ch.tenantId === job.tenantId)) {
      rest.push(job);
      continue;
    }
    if (!heads.has(job.tenantId)) heads.set(job.tenantId, c.heads.head(job.tenantId)!);
    const marks = [records.length, changes.length] as const;
    const headBefore = heads.get(job.tenantId)!;
    const assumed = job.assumedStatus;
    // Safe to build on: the commit fails unless the head, and so the revision, is still ours.
    const knownRevision = c.heads.statusRevision(job.tenantId);
    const uow: UnitOfWork = {
      get tenants() {
        return needsTransaction();
      },
      get systems() {
        return needsTransaction();
      },
      get reviews() {
        return needsTransaction();
      },
      // Reads outside any lock are safe here: the commit only succeeds if the tenant's head has not
      // moved since this process last wrote it, before these reads, and every status change moves it.
      // The assumed status needs no read at all: the commit checks it, and the revision, still hold.
      status: {
        prepare: (tenantId, systemId, key): Promise<ChangePreparation> =>
          assumed &&
          knownRevision !== undefined &&
          key === null &&
          tenantId === job.tenantId &&
          systemId === assumed.systemId
            ? Promise.resolve({ current: assumed, headRevision: knownRevision })
            : new KnexStatusStore(c.db).prepare(tenantId, systemId, key),
        record: async (change) => {
          if (change.tenantId !== job.tenantId) throw new Error('a job may only change its own tenant');
          changes.push(change);
        },
      },
      ledger: batchLedger(job.tenantId, heads, records, c.o),
      currentStatus: assumed,
    };
    try {
      ran.push({ job, outcome: { ok: true, value: await job.run(uow) } });
    } catch (error) {
      records.length = marks[0];
      changes.length = marks[1];
      heads.set(job.tenantId, headBefore);
      // A refusal built on an assumed status is only as good as the assumption, and the commit
      // checks none for a job that failed: such a job is decided again under the lock.
      if (error instanceof NeedsTransaction || assumed) rest.push(job);
      else
        ran.push({
          job,
          outcome: {
            ok: false,
            error: isConnectionError(error) ? unavailable('storage is unavailable: nothing was written') : error,
          },
        });
    }
  }
  const moved = [...heads].filter(([t, h]) => h.sequence !== c.heads.head(t)!.sequence);
  let written = new Set<string>();
  const started = performance.now();
  if (moved.length) {
    const expected = ran
      .filter((r) => r.outcome.ok && r.job.assumedStatus)
      .map(({ job }) => ({ tenantId: job.tenantId, ...job.assumedStatus! }));
    try {
      written = await commitIfCurrent(c.db, {
        records,
        heads: moved.map(([tenantId, to]) => ({ tenantId, from: c.heads.head(tenantId)!, to })),
        expected,
        changes,
      });
    } catch (e) {
      for (const [tenantId] of heads) c.heads.forget(tenantId);
      if (!isConnectionError(e)) return [...rest, ...ran.map((r) => r.job)];
      const err = unavailable(OUTCOME_UNKNOWN);
      for (const { job } of ran) job.reject(err);
      return rest;
    }
  }
  for (const [tenantId, head] of moved) {
    if (written.has(tenantId)) {
      c.heads.advance(tenantId, head);
      // Decisions leave the revision as it was; a change written here sets it.
      for (const ch of changes) if (ch.tenantId === tenantId) c.heads.setRevision(tenantId, ch.revision);
    } else {
      // Another process wrote this tenant's ledger (or a status we assumed changed).
      c.heads.contend(tenantId, now);
      c.stats.optimisticMisses++;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  if (written.size) c.o.health?.noteWriteOk();
  const committed = records.filter((r) => written.has(r.tenantId));
  const movedTenants = new Set(moved.map(([t]) => t));
  let jobs = 0;
  for (const { job, outcome } of ran) {
    // A job whose tenant had writes that were not made goes to the locking path, to be run again.
    if (movedTenants.has(job.tenantId) && !written.has(job.tenantId)) {
      rest.push(job);
      continue;
    }
    jobs++;
    if (outcome.ok) job.resolve(outcome.value);
    else job.reject(outcome.error);
  }
  if (committed.length) {
    c.stats.optimisticBatches++;
    c.stats.optimisticJobs += jobs;
    c.stats.entries += committed.length;
    c.o.onCommit?.(seconds, jobs);
  }
  return rest;
}
