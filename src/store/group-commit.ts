import type { Knex } from 'knex';
import type { CommitContext, CommitStats, GroupCommitOptions, Job } from './commit-job';
import { toStorageError } from './errors';
import { HeadCache } from './head-cache';
import { runLockingBatch } from './locking-batch';
import { runOptimisticBatch } from './optimistic-batch';
import type { TransactionOptions, UnitOfWork } from './ports';

export type { GroupCommitOptions } from './commit-job';

/**
 * Group commit: changes and their ledger entries from concurrent requests are
 * written in one transaction per batch. A batch starts as soon as the writer
 * is idle (no timer), so a lone request pays one commit and a burst shares one.
 *
 * Append-only jobs (decisions, status changes) first try the optimistic path
 * (optimistic-batch.ts): one autocommit statement per batch, made only if the
 * heads this process last wrote and the statuses the jobs assumed are still
 * current. The rest, and the jobs of tenants another process wrote in between,
 * take the locking path (locking-batch.ts).
 */
export class GroupCommitWriter {
  private queue: Job[] = [];
  private flushing: Promise<void> | undefined;
  readonly stats: CommitStats = {
    batches: 0,
    jobs: 0,
    entries: 0,
    optimisticBatches: 0,
    optimisticJobs: 0,
    optimisticMisses: 0,
  };
  private readonly c: CommitContext;

  constructor(db: Knex, o: GroupCommitOptions) {
    this.c = { db, o, heads: new HeadCache(), stats: this.stats };
  }

  submit<T>(tenantId: string, run: (uow: UnitOfWork) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    if (this.c.o.health?.damaged) return Promise.reject(toStorageError({ code: 'XX001' }));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({
        tenantId,
        run,
        appendOnly: options.appendOnly ?? false,
        assumedStatus: options.assumedStatus,
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
        const batch = this.queue.splice(0, this.c.o.maxBatch ?? 1000);
        const rest = await runOptimisticBatch(this.c, batch);
        if (rest.length) await runLockingBatch(this.c, rest);
      }
    } finally {
      this.flushing = undefined;
    }
  }
}
