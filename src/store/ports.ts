import type { Checkpoint } from '../ledger/checkpoint';
import type { LedgerRecord } from '../ledger/entry';
import type { LedgerEvent, LedgerEventType, StoredEvent } from '../ledger/events';
import type { NodeRef } from '../ledger/merkle';
import type { JobOptions } from './group-commit';
import type { StatusExpectation } from './optimistic-commit';
import type { KnexReviewStore } from './knex-reviews';
import type { StatusChanges } from './knex-status';
import type { AiSystem, Policy, SystemSpec, Tenant } from '../domain/model';

/** Every store method takes the tenant id first: no query can forget the tenant. */
export interface TenantStore {
  get(tenantId: string): Promise<Tenant | undefined>;
  upsert(tenantId: string, input: TenantFields, now: Date): Promise<{ tenant: Tenant; created: boolean }>;
}

export interface TenantFields {
  name: string;
  policy: Policy;
  candidatePolicy: Policy | null;
}

/** What a candidate policy would have changed, counted over decisions made while it was set. */
export interface ImpactCounts {
  decisions: number;
  changed: number;
  wouldBlock: number;
  wouldApprove: number;
  wouldReview: number;
}

export interface ImpactQuery {
  /** Undefined: every system of the tenant. */
  systemId?: string;
  since: Date;
  until: Date;
}

export interface ImpactReport extends ImpactCounts {
  byEnv: (ImpactCounts & { key: string })[];
  byThreat: (ImpactCounts & { key: string })[];
  /** Changed decisions, newest first. */
  sampleDecisionIds: string[];
}

/** Reads the decisions measured against candidate policies (kept in the ledger's transaction). */
export interface ImpactReader {
  impact(tenantId: string, q: ImpactQuery, samples: number): Promise<ImpactReport>;
}

export interface SystemStore {
  get(tenantId: string, systemId: string): Promise<AiSystem | undefined>;
  /** Creates or updates; on update the operational status and phase are kept (OperationsService owns them). */
  upsert(tenantId: string, spec: SystemSpec, now: Date): Promise<{ system: AiSystem; created: boolean }>;
  /**
   * upsert, after `check` has seen the stored system (undefined: none yet) and not thrown. The
   * row stays locked from that read to the commit, so the write is made over exactly what check
   * saw. Only inside a unit of work: outside a transaction the lock ends with the statement.
   */
  upsertChecked(
    tenantId: string,
    spec: SystemSpec,
    now: Date,
    check: (stored: AiSystem | undefined) => void,
  ): Promise<{ system: AiSystem; created: boolean }>;
  /** Systems ordered by id, strictly after `afterId`. */
  list(tenantId: string, afterId: string, limit: number): Promise<AiSystem[]>;
  count(tenantId: string): Promise<number>;
}

/** What a unit of work appends: one of the ledger's typed events (src/ledger/events.ts). */
export type { LedgerEvent };

/** The ledger port: appends run inside the caller's transaction, so no change commits without its entry. */
export interface LedgerWriter {
  /** Returns the entry's sequence; the entry is durable once the transaction commits. */
  append(tenantId: string, event: LedgerEvent): Promise<number>;
  /** append, also returning the entry's hash (a decision's receipt). */
  appendEntry(tenantId: string, event: LedgerEvent): Promise<{ sequence: number; entryHash: string }>;
}

export interface LedgerHead {
  sequence: number;
  headHash: string;
  /** The Merkle tree's frontier at this head (src/ledger/merkle.ts). */
  frontier: Buffer[];
}

/** Reads of the signed ledger; appends only go through UnitOfWork.ledger. */
export interface LedgerReader {
  head(tenantId: string): Promise<LedgerHead>;
  list(tenantId: string, afterSequence: number, limit: number): Promise<LedgerRecord[]>;
  checkpoints(tenantId: string): Promise<Checkpoint[]>;
  /** The newest checkpoint of at most `maxSize` entries that signs a tree root (has a note). */
  latestSignedRoot(tenantId: string, maxSize: number): Promise<Checkpoint | undefined>;
  insertCheckpoint(checkpoint: Checkpoint): Promise<void>;
  headsWithoutCheckpoint(): Promise<(LedgerHead & { tenantId: string })[]>;
  /** Stored Merkle tree nodes, by nodeKey (src/ledger/merkle.ts; missing ones are absent), and the head's sequence, read together. */
  treeNodes(tenantId: string, nodes: NodeRef[]): Promise<{ size: number; nodes: Map<string, Buffer> }>;
  decisionEntry(tenantId: string, decisionId: string): Promise<LedgerRecord | undefined>;
  events<T extends LedgerEventType>(
    tenantId: string,
    eventType: T,
    o?: { since?: Date; until?: Date; systemId?: string },
  ): Promise<StoredEvent<T>[]>;
}

export interface UnitOfWork {
  tenants: TenantStore;
  systems: SystemStore;
  status: StatusChanges;
  reviews: KnexReviewStore;
  ledger: LedgerWriter;
  /**
   * The status of JobOptions.statusOf: read under the batch's locks, or, on
   * the optimistic path, the assumed status the commit will check.
   */
  prefetchedStatus?: StatusExpectation;
  /**
   * On the optimistic path only: the tenant's status revision head as this process last wrote it.
   * The commit fails (and the job runs again under lock, without it) unless that is still so.
   */
  knownStatusRevision?: number;
}

export interface Storage {
  tenants: TenantStore;
  systems: SystemStore;
  ledger: LedgerReader;
  impact: ImpactReader;
  /**
   * Runs fn for one tenant inside a (group-committed) transaction: its changes
   * and ledger entries commit together, and the promise settles after the commit.
   */
  transaction<T>(tenantId: string, fn: (uow: UnitOfWork) => Promise<T>, options?: JobOptions): Promise<T>;
  close(): Promise<void>;
}
