import type { Knex } from 'knex';
import { DomainError, unavailable } from '../domain/errors';
import { canonicalJson } from '../ledger/canonical';
import type { SealedRecord } from '../ledger/entry';
import { sealLeaf } from '../ledger/entry';
import { appendLeaf, popcount } from '../ledger/merkle';
import type { KeyRing } from '../ledger/keyring';
import type { StorageHealth } from './errors';
import { isConnectionError, toStorageError } from './errors';
import type { Head } from './knex-ledger';
import { KnexLedgerStore } from './knex-ledger';
import { KnexReviewStore } from './knex-reviews';
import type { StatusChangeRecord, StatusChanges } from './knex-status';
import { KnexStatusStore } from './knex-status';
import type { StatusExpectation } from './optimistic-commit';
import { commitIfCurrent } from './optimistic-commit';
import { KnexSystemStore } from './knex-systems';
import { KnexTenantStore } from './knex-tenants';
import type { LedgerEvent, UnitOfWork } from './ports';

export interface JobOptions {
  /**
   * false for jobs that only read and append ledger entries (decisions): they
   * skip the two savepoint round trips. Such a job must not throw after a
   * database write; a database error inside it fails its whole batch, which
   * is safe (nothing is acknowledged) but costs the other jobs a retry.
   */
  savepoint?: boolean;
  /**
   * A system whose status the job needs: read for the whole batch in one query
   * after the tenant locks are taken, so it is current (no status change can
   * commit in between) and costs no round trip per job.
   */
  statusOf?: string;
  /**
   * The job only appends ledger entries and prepares / records status
   * changes, and `statusOf` (if any) is assumed to be in the state `expect`:
   * it may commit in the optimistic one-statement path, which writes only if
   * the database agrees. A job that reaches for any other store there is
   * moved to a regular transaction.
   */
  optimistic?: { expect?: StatusExpectation };
}

interface Job {
  tenantId: string;
  savepoint: boolean;
  statusOf?: string;
  optimistic?: { expect?: StatusExpectation };
  run: (uow: UnitOfWork) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export interface GroupCommitOptions {
  keyRing: KeyRing;
  clock: () => Date;
  /** Faults are reported here; once the database reported damaged data, nothing more is written. */
  health?: StorageHealth;
  /** Most jobs in one transaction. */
  maxBatch?: number;
  /** Told of every commit that wrote: its duration (round trips included) and how many jobs it carried. */
  onCommit?: (seconds: number, jobs: number) => void;
}

// Deadlocks and serialisation failures leave nothing committed: the batch is re-run.
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 3;
/** A connection lost around a commit leaves its outcome unknown: the caller must not assume either way. */
const OUTCOME_UNKNOWN =
  'storage became unavailable around the commit: the request may or may not have been recorded; retry (a status change with the same request_id)';
/** After another process wrote a tenant's ledger, that tenant skips the optimistic path this long. */
const CONTENDED_MS = 1000;

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

/** Thrown inside an optimistic job that needs more than ledger appends. */
class NeedsTransaction extends Error {}
const needsTransaction = (): never => {
  throw new NeedsTransaction('this job needs a transaction');
};
type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Group commit: changes and their ledger entries from concurrent requests are
 * written in one transaction per batch. A batch starts as soon as the writer
 * is idle (no timer), so a lone request pays one commit and a burst shares one.
 * Each job runs in its own savepoint: a failing job is rolled back alone and
 * its entries are dropped before they get a sequence. Every job is answered
 * only after the batch commits; if the commit fails, every job fails.
 *
 * Jobs marked optimistic (decisions, status changes) first try the optimistic
 * path: the heads this process last wrote are kept in memory, the entries are
 * sealed against them, and one autocommit statement writes each tenant's
 * entries and status changes only if its head and the assumed statuses are
 * still current. Tenants another process wrote in between fall back to the
 * locking transaction.
 */
export class GroupCommitWriter {
  private queue: Job[] = [];
  private flushing: Promise<void> | undefined;
  /** Heads as of this process's last commit per tenant; absent when unknown. */
  private readonly heads = new Map<string, Head>();
  /**
   * Per tenant in heads: the status revision at that head (read under the lock, or set by a change
   * this process wrote). Valid exactly as long as the head is (every status change moves the head).
   */
  private readonly statusRevisions = new Map<string, number>();
  private readonly contendedUntil = new Map<string, number>();
  readonly stats = { batches: 0, jobs: 0, entries: 0, optimisticBatches: 0, optimisticJobs: 0, optimisticMisses: 0 };

  constructor(
    private readonly db: Knex,
    private readonly o: GroupCommitOptions,
  ) {}

  submit<T>(tenantId: string, run: (uow: UnitOfWork) => Promise<T>, options: JobOptions = {}): Promise<T> {
    if (this.o.health?.damaged) return Promise.reject(toStorageError({ code: 'XX001' }));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({
        tenantId,
        run,
        savepoint: options.savepoint ?? true,
        statusOf: options.statusOf,
        optimistic: options.optimistic,
        resolve: resolve as (v: unknown) => void,
        reject,
      });
      this.flushing ??= this.flush();
    });
  }

  /** Resolves once every submitted job is settled. */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flush(): Promise<void> {
    try {
      // Start on the next turn of the event loop, so that the requests read in this turn share the
      // first commit instead of the first one leaving alone. Costs one event-loop hop.
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.o.maxBatch ?? 1000);
        const rest = await this.runOptimistic(batch);
        if (rest.length) await this.runBatch(rest);
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private async runBatch(batch: Job[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const changes: StatusChangeRecord[] = [];
        const started = performance.now();
        const { outcomes, records, heads, revisions } = await this.db.transaction((trx) =>
          this.execute(trx, batch, changes),
        );
        this.o.onCommit?.((performance.now() - started) / 1000, batch.length);
        for (const [tenantId, head] of heads) {
          this.heads.set(tenantId, head);
          this.statusRevisions.set(tenantId, revisions.get(tenantId)!);
        }
        for (const c of changes) this.statusRevisions.set(c.tenantId, c.revision);
        if (records.length) this.o.health?.noteWriteOk();
        this.stats.batches++;
        this.stats.jobs += batch.length;
        this.stats.entries += records.length;
        outcomes.forEach((o, i) => (o.ok ? batch[i].resolve(o.value) : batch[i].reject(o.error)));
        return;
      } catch (e) {
        for (const job of batch) this.forget(job.tenantId);
        const code = (e as { code?: string }).code;
        if (code && RETRYABLE.has(code) && attempt < MAX_ATTEMPTS) continue;
        if (batch.length > 1 && !isConnectionError(e)) {
          // The database refused the batch's data (one bad row fails its whole statement), and
          // nothing of it was written: each job runs again alone, so that one job cannot fail the
          // others, another tenant's emergency stop included.
          for (const job of batch) await this.runBatch([job]);
          return;
        }
        this.o.health?.noteFault(e);
        const err = toStorageError(e, OUTCOME_UNKNOWN);
        for (const job of batch) job.reject(err);
        return;
      }
    }
  }

  private forget(tenantId: string) {
    this.heads.delete(tenantId);
    this.statusRevisions.delete(tenantId);
  }

  private async execute(trx: Knex.Transaction, batch: Job[], changes: StatusChangeRecord[]) {
    const ledgerStore = new KnexLedgerStore(trx);
    const heads = await ledgerStore.lockHeads(batch.map((j) => j.tenantId));
    // Each tenant's status revision head at the locked ledger head, so that its next status change
    // can skip its read: known already if this process wrote the head it just locked, else read
    // now (a statement after the lock, which every status change takes, sees all of them).
    const revisions = new Map<string, number>();
    const unknown: string[] = [];
    for (const [tenantId, head] of heads) {
      const mine = this.heads.get(tenantId);
      const known = this.statusRevisions.get(tenantId);
      if (known !== undefined && mine?.sequence === head.sequence && mine.headHash === head.headHash)
        revisions.set(tenantId, known);
      else unknown.push(tenantId);
    }
    if (unknown.length)
      for (const [tenantId, revision] of await new KnexStatusStore(trx).heads(unknown))
        revisions.set(tenantId, revision);
    const wanted = batch.filter((j) => j.statusOf).map((j) => ({ tenantId: j.tenantId, systemId: j.statusOf! }));
    const statuses = wanted.length ? await new KnexStatusStore(trx).currentMany(wanted) : new Map();
    const start = new Map(heads);
    const records: SealedRecord[] = [];
    const outcomes: Outcome[] = [];
    for (const job of batch) {
      const mark = records.length;
      const changeMark = changes.length;
      const headBefore = heads.get(job.tenantId)!;
      const ledger = this.ledgerFor(job, heads, records);
      try {
        const uow = (db: Knex.Transaction): UnitOfWork => ({
          tenants: new KnexTenantStore(db),
          systems: new KnexSystemStore(db),
          status: recording(new KnexStatusStore(db), changes),
          reviews: new KnexReviewStore(db),
          ledger,
          prefetchedStatus: job.statusOf ? statuses.get(`${job.tenantId}/${job.statusOf}`) : undefined,
        });
        const value = job.savepoint ? await trx.transaction((sp) => job.run(uow(sp))) : await job.run(uow(trx));
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

  /** Commits what it can in one statement; returns the jobs that need a locking transaction. */
  private async runOptimistic(batch: Job[]): Promise<Job[]> {
    const now = Date.now();
    const eligible = (j: Job) =>
      j.optimistic && this.heads.has(j.tenantId) && (this.contendedUntil.get(j.tenantId) ?? 0) <= now;
    if (!batch.some(eligible)) return batch;
    const rest: Job[] = [];
    const heads = new Map<string, Head>();
    const records: SealedRecord[] = [];
    const changes: StatusChangeRecord[] = [];
    const ran: { job: Job; outcome: Outcome }[] = [];
    for (const job of batch) {
      // After a status change in this batch the tenant's later jobs must see it: only a transaction shows it.
      if (!eligible(job) || changes.some((c) => c.tenantId === job.tenantId)) {
        rest.push(job);
        continue;
      }
      if (!heads.has(job.tenantId)) heads.set(job.tenantId, this.heads.get(job.tenantId)!);
      const marks = [records.length, changes.length] as const;
      const headBefore = heads.get(job.tenantId)!;
      const expect = job.optimistic!.expect;
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
        status: {
          prepare: (tenantId, systemId, key) => new KnexStatusStore(this.db).prepare(tenantId, systemId, key),
          record: async (change) => {
            if (change.tenantId !== job.tenantId) throw new Error('a job may only change its own tenant');
            changes.push(change);
          },
        },
        ledger: this.ledgerFor(job, heads, records),
        prefetchedStatus: job.statusOf ? expect : undefined,
        // Safe to build on: the commit fails unless the head, and so the revision, is still ours.
        knownStatusRevision: this.statusRevisions.get(job.tenantId),
      };
      try {
        ran.push({ job, outcome: { ok: true, value: await job.run(uow) } });
      } catch (error) {
        records.length = marks[0];
        changes.length = marks[1];
        heads.set(job.tenantId, headBefore);
        // A refusal built on an assumed status is only as good as the assumption, and the commit
        // checks none for a job that failed: such a job is decided again under the lock.
        if (error instanceof NeedsTransaction || job.optimistic?.expect) rest.push(job);
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
    const moved = [...heads].filter(([t, h]) => h.sequence !== this.heads.get(t)!.sequence);
    let written = new Set<string>();
    const started = performance.now();
    if (moved.length) {
      const expected = ran
        .filter((r) => r.outcome.ok && r.job.statusOf && r.job.optimistic!.expect)
        .map(({ job }) => ({ tenantId: job.tenantId, systemId: job.statusOf!, ...job.optimistic!.expect! }));
      try {
        written = await commitIfCurrent(this.db, {
          records,
          heads: moved.map(([tenantId, to]) => ({ tenantId, from: this.heads.get(tenantId)!, to })),
          expected,
          changes,
        });
      } catch (e) {
        for (const [tenantId] of heads) this.forget(tenantId);
        if (!isConnectionError(e)) return [...rest, ...ran.map((r) => r.job)];
        const err = unavailable(OUTCOME_UNKNOWN);
        for (const { job } of ran) job.reject(err);
        return rest;
      }
    }
    for (const [tenantId, head] of moved) {
      if (written.has(tenantId)) {
        this.heads.set(tenantId, head);
        // Decisions leave the revision as it was; a change written here sets it.
        for (const c of changes) if (c.tenantId === tenantId) this.statusRevisions.set(tenantId, c.revision);
      } else {
        // Another process wrote this tenant's ledger (or a status we assumed changed): lock from now on, for a while.
        this.forget(tenantId);
        this.contendedUntil.set(tenantId, now + CONTENDED_MS);
        this.stats.optimisticMisses++;
      }
    }
    const seconds = (performance.now() - started) / 1000;
    if (written.size) this.o.health?.noteWriteOk();
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
      this.stats.optimisticBatches++;
      this.stats.optimisticJobs += jobs;
      this.stats.entries += committed.length;
      this.o.onCommit?.(seconds, jobs);
    }
    return rest;
  }

  /**
   * A ledger writer that seals a job's entries against the running heads of its batch, and grows
   * the tenant's Merkle tree with them: the nodes each entry completes are written with it, in the
   * same statement, and the head carries the new frontier.
   */
  private ledgerFor(job: Job, heads: Map<string, Head>, records: SealedRecord[]) {
    const appendEntry = async (
      tenantId: string,
      event: LedgerEvent,
    ): Promise<{ sequence: number; entryHash: string }> => {
      if (tenantId !== job.tenantId) throw new Error('a job may only append to its own tenant ledger');
      const head = heads.get(tenantId)!;
      // A tree of n leaves has one frontier node per set bit of n: anything else is a damaged head,
      // and no entry may be written that the tree would not cover.
      if (head.frontier.length !== popcount(head.sequence))
        throw new DomainError({
          kind: 'unavailable',
          reason: 'STORAGE_DAMAGED',
          message: 'the ledger tree head is damaged: nothing can be appended',
        });
      // The sealed record is this call's own object: completed in place rather than copied (hot path).
      const sealed = this.seal(tenantId, head, event) as SealedRecord;
      const tree = appendLeaf(head.frontier, head.sequence, sealed.leafHash);
      sealed.treeHashes = Buffer.concat(tree.completed);
      records.push(sealed);
      heads.set(tenantId, { sequence: sealed.sequence, headHash: sealed.entryHash, frontier: tree.frontier });
      return { sequence: sealed.sequence, entryHash: sealed.entryHash };
    };
    return {
      appendEntry,
      append: async (tenantId: string, event: LedgerEvent): Promise<number> =>
        (await appendEntry(tenantId, event)).sequence,
    };
  }

  private seal(tenantId: string, head: Head, e: LedgerEvent) {
    return sealLeaf(
      {
        tenantId,
        sequence: head.sequence + 1,
        timestamp: this.o.clock().toISOString(),
        eventType: e.type,
        actorSubject: e.actor.subject,
        actorRole: e.actor.role,
        requestId: e.requestId,
        payload: canonicalJson(e.body),
        prevHash: head.headHash,
        keyId: this.o.keyRing.activeKid,
      },
      this.o.keyRing.active,
      true, // the payload is canonicalJson's output just above
    );
  }
}
