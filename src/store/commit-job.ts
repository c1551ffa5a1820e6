import type { Knex } from 'knex';
import type { KeyRing } from '../ledger/keyring';
import type { StorageHealth } from './errors';
import type { HeadCache } from './head-cache';
import type { AssumedStatus, UnitOfWork } from './ports';

/** A submitted unit of work, waiting in the queue or running in a batch. */
export interface Job {
  tenantId: string;
  /** TransactionOptions.appendOnly: no savepoint, and the optimistic path may take it. */
  appendOnly: boolean;
  assumedStatus?: AssumedStatus;
  run: (uow: UnitOfWork) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

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

export interface CommitStats {
  batches: number;
  jobs: number;
  entries: number;
  optimisticBatches: number;
  optimisticJobs: number;
  optimisticMisses: number;
}

/** What the locking and the optimistic batch share: the database, the writer's options, heads and counters. */
export interface CommitContext {
  db: Knex;
  o: GroupCommitOptions;
  heads: HeadCache;
  stats: CommitStats;
}

/** A connection lost around a commit leaves its outcome unknown: the caller must not assume either way. */
export const OUTCOME_UNKNOWN =
  'storage became unavailable around the commit: the request may or may not have been recorded; retry (a status change with the same request_id)';
