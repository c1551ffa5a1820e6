import type { Knex } from 'knex';
import type { SealedRecord } from '../ledger/entry';
import { batchLedger } from './batch-ledger';
import type { CommitContext, Job, Outcome } from './commit-job';
import { OUTCOME_UNKNOWN } from './commit-job';
import { isConnectionError, toStorageError } from './errors';
import type { Head } from './knex-ledger';
import { KnexLedgerStore } from './knex-ledger';
import { KnexReviewStore } from './knex-reviews';
import { KnexStatusStore } from './knex-status';
import { KnexSystemStore } from './knex-systems';
import { KnexTenantStore } from './knex-tenants';
import type { StatusChangeRecord, StatusChanges, StatusExpectation, SystemStatusView, UnitOfWork } from './ports';

// Deadlocks and serialisation failures leave nothing committed: the batch is re-run.
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 3;

/** The status store of a locking batch, noting each change it records. */
function recording(store: KnexStatusStore, changes: StatusChangeRecord[]): StatusChanges {
  return {
    prepare: (tenantId, systemId, key) => store.prepare(tenantId, systemId, key),
    record: async (change) => {
      await store.record(change);
      changes.push(change);
    },
  };
}

/**
 * The locking path: one transaction for the batch, which locks its tenants' ledger heads first (every
 * status change takes the same lock), so what its jobs read cannot change before the commit. Each
 * job runs in its own savepoint (unless append-only): a failing job is rolled back alone and its
 * entries are dropped before they get a sequence. Every job is answered only after the commit; if
 * the commit fails, every job fails.
 */
export async function runLockingBatch(c: CommitContext, batch: Job[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const changes: StatusChangeRecord[] = [];
    const started = performance.now();
    let committed: Awaited<ReturnType<typeof execute>>;
    try {
      committed = await c.db.transaction((trx) => execute(c, trx, batch, changes));
    } catch (e) {
      for (const job of batch) c.heads.forget(job.tenantId);
      const code = (e as { code?: string }).code;
      if (code && RETRYABLE.has(code) && attempt < MAX_ATTEMPTS) continue;
      if (batch.length > 1 && !isConnectionError(e)) {
        // The database refused the batch's data (one bad row fails its whole statement), and
        // nothing of it was written: each job runs again alone, so that one job cannot fail the
        // others, another tenant's emergency stop included.
        for (const job of batch) await runLockingBatch(c, [job]);
        return;
      }
      c.o.health?.noteFault(e);
      const err = toStorageError(e, OUTCOME_UNKNOWN);
      for (const job of batch) job.reject(err);
      return;
    }
    // Committed: nothing below may send the batch round again (its entries would be written twice),
    // so the bookkeeping runs outside the retry.
    const seconds = (performance.now() - started) / 1000;
    const { outcomes, records, heads, revisions } = committed;
    for (const [tenantId, head] of heads) c.heads.set(tenantId, head, revisions.get(tenantId)!);
    for (const ch of changes) c.heads.setRevision(ch.tenantId, ch.revision);
    c.stats.batches++;
    c.stats.jobs += batch.length;
    c.stats.entries += records.length;
    outcomes.forEach((o, i) => (o.ok ? batch[i].resolve(o.value) : batch[i].reject(o.error)));
    // Observers last: one that throws must not keep an answer from its job.
    c.o.onCommit?.(seconds, batch.length);
    if (records.length) c.o.health?.noteWriteOk();
    return;
  }
}

async function execute(c: CommitContext, trx: Knex.Transaction, batch: Job[], changes: StatusChangeRecord[]) {
  const ledgerStore = new KnexLedgerStore(trx);
  const heads = await ledgerStore.lockHeads(batch.map((j) => j.tenantId));
  // Each tenant's status revision head at the locked ledger head, so that its next status change
  // can skip its read: known already if this process wrote the head it just locked, else read
  // now (a statement after the lock, which every status change takes, sees all of them).
  const revisions = new Map<string, number>();
  const unknown: string[] = [];
  for (const [tenantId, head] of heads) {
    const known = c.heads.revisionAt(tenantId, head);
    if (known !== undefined) revisions.set(tenantId, known);
    else unknown.push(tenantId);
  }
  if (unknown.length)
    for (const [tenantId, revision] of await new KnexStatusStore(trx).heads(unknown)) revisions.set(tenantId, revision);
  // The assumed statuses, read for the whole batch in one query after the locks are taken: current
  // (no status change can commit in between), at no round trip per job.
  const wanted = batch
    .filter((j) => j.assumedStatus)
    .map((j) => ({ tenantId: j.tenantId, systemId: j.assumedStatus!.systemId }));
  const statuses: Map<string, SystemStatusView> = wanted.length
    ? await new KnexStatusStore(trx).currentMany(wanted)
    : new Map();
  // Read before the batch's jobs ran: a change an earlier job of the batch made (and kept) comes first.
  const statusNow = (tenantId: string, systemId: string): StatusExpectation | undefined => {
    for (let i = changes.length - 1; i >= 0; i--) {
      const ch = changes[i];
      if (ch.tenantId === tenantId && ch.systemId === systemId)
        return { operationalStatus: ch.newStatus, lifecyclePhase: ch.newPhase };
    }
    return statuses.get(`${tenantId}/${systemId}`);
  };
  const start = new Map(heads);
  const records: SealedRecord[] = [];
  const outcomes: Outcome[] = [];
  for (const job of batch) {
    const mark = records.length;
    const changeMark = changes.length;
    const headBefore = heads.get(job.tenantId)!;
    const ledger = batchLedger(job.tenantId, heads, records, c.o);
    try {
      const uow = (db: Knex.Transaction): UnitOfWork => ({
        tenants: new KnexTenantStore(db),
        systems: new KnexSystemStore(db),
        status: recording(new KnexStatusStore(db), changes),
        reviews: new KnexReviewStore(db),
        ledger,
        currentStatus: job.assumedStatus && statusNow(job.tenantId, job.assumedStatus.systemId),
      });
      const value = job.appendOnly ? await job.run(uow(trx)) : await trx.transaction((sp) => job.run(uow(sp)));
      outcomes.push({ ok: true, value });
    } catch (error) {
      if (isConnectionError(error)) throw error;
      records.length = mark;
      changes.length = changeMark;
      heads.set(job.tenantId, headBefore);
      outcomes.push({ ok: false, error });
    }
  }
  const moved = new Map<string, Head>([...heads].filter(([t, h]) => start.get(t)!.sequence !== h.sequence));
  await ledgerStore.append(records, moved);
  return { outcomes, records, heads, revisions };
}
