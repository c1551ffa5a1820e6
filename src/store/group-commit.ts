import type { Knex } from 'knex';
import { unavailable } from '../domain/errors';
import { canonicalJson } from '../ledger/canonical';
import { LedgerRecord, sealRecord } from '../ledger/entry';
import { KeyRing } from '../ledger/keyring';
import { isConnectionError } from './errors';
import { Head, KnexLedgerStore } from './knex-ledger';
import { KnexReviewStore } from './knex-reviews';
import { KnexStatusStore } from './knex-status';
import { KnexSystemStore } from './knex-systems';
import { KnexTenantStore } from './knex-tenants';
import { LedgerEvent, UnitOfWork } from './ports';

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
}

interface Job {
  tenantId: string;
  savepoint: boolean;
  statusOf?: string;
  run: (uow: UnitOfWork) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export interface GroupCommitOptions {
  keyRing: KeyRing;
  clock: () => Date;
  /** Most jobs in one transaction. */
  maxBatch?: number;
  /** Called after each commit with the entries it made durable. */
  onCommit?: (records: LedgerRecord[]) => void;
}

// Deadlocks and serialisation failures leave nothing committed: the batch is re-run.
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 3;

/**
 * Group commit: changes and their ledger entries from concurrent requests are
 * written in one transaction per batch. A batch starts as soon as the writer
 * is idle (no timer), so a lone request pays one commit and a burst shares one.
 * Each job runs in its own savepoint: a failing job is rolled back alone and
 * its entries are dropped before they get a sequence. Every job is answered
 * only after the batch commits; if the commit fails, every job fails.
 */
export class GroupCommitWriter {
  private queue: Job[] = [];
  private flushing: Promise<void> | undefined;
  readonly stats = { batches: 0, jobs: 0, entries: 0 };

  constructor(
    private readonly db: Knex,
    private readonly o: GroupCommitOptions,
  ) {}

  submit<T>(tenantId: string, run: (uow: UnitOfWork) => Promise<T>, options: JobOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({
        tenantId,
        run,
        savepoint: options.savepoint ?? true,
        statusOf: options.statusOf,
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
      // Start on the next turn of the event loop: embedded PGlite runs a whole transaction without
      // yielding to I/O, so requests read in the same turn would otherwise never find the writer busy
      // and every commit would carry a single job. Costs one event-loop hop on PostgreSQL.
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.o.maxBatch ?? 1000);
        await this.runBatch(batch);
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private async runBatch(batch: Job[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const { outcomes, records } = await this.db.transaction((trx) => this.execute(trx, batch));
        this.stats.batches++;
        this.stats.jobs += batch.length;
        this.stats.entries += records.length;
        if (records.length && this.o.onCommit) this.o.onCommit(records);
        outcomes.forEach((o, i) => (o.ok ? batch[i].resolve(o.value) : batch[i].reject(o.error)));
        return;
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code && RETRYABLE.has(code) && attempt < MAX_ATTEMPTS) continue;
        const err = isConnectionError(e) ? unavailable('storage is unavailable: nothing was written') : e;
        for (const job of batch) job.reject(err);
        return;
      }
    }
  }

  private async execute(trx: Knex.Transaction, batch: Job[]) {
    const ledgerStore = new KnexLedgerStore(trx);
    const heads = await ledgerStore.lockHeads(batch.map((j) => j.tenantId));
    const wanted = batch.filter((j) => j.statusOf).map((j) => ({ tenantId: j.tenantId, systemId: j.statusOf! }));
    const statuses = wanted.length ? await new KnexStatusStore(trx).currentMany(wanted) : new Map();
    const start = new Map(heads);
    const records: LedgerRecord[] = [];
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    for (const job of batch) {
      const mark = records.length;
      const headBefore = heads.get(job.tenantId)!;
      const ledger = {
        append: async (tenantId: string, event: LedgerEvent): Promise<number> => {
          if (tenantId !== job.tenantId) throw new Error('a job may only append to its own tenant ledger');
          const record = this.seal(tenantId, heads.get(tenantId)!, event);
          records.push(record);
          heads.set(tenantId, { sequence: record.sequence, headHash: record.entryHash });
          return record.sequence;
        },
      };
      try {
        const uow = (db: Knex.Transaction) => ({
          tenants: new KnexTenantStore(db),
          systems: new KnexSystemStore(db),
          status: new KnexStatusStore(db),
          reviews: new KnexReviewStore(db),
          ledger,
          prefetchedStatus: job.statusOf ? statuses.get(`${job.tenantId}/${job.statusOf}`) : undefined,
        });
        const value = job.savepoint ? await trx.transaction((sp) => job.run(uow(sp))) : await job.run(uow(trx));
        outcomes.push({ ok: true, value });
      } catch (error) {
        if (isConnectionError(error)) throw error;
        records.length = mark;
        heads.set(job.tenantId, headBefore);
        outcomes.push({ ok: false, error });
      }
    }
    const moved = new Map<string, Head>([...heads].filter(([t, h]) => start.get(t)!.sequence !== h.sequence));
    await ledgerStore.append(records, moved);
    return { outcomes, records };
  }

  private seal(tenantId: string, head: Head, e: LedgerEvent): LedgerRecord {
    return sealRecord(
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
    );
  }
}
