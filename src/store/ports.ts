import type { Checkpoint } from '../ledger/checkpoint';
import type { LedgerRecord } from '../ledger/entry';
import type { LedgerEvent, LedgerEventType, StoredEvent } from '../ledger/events';
import type { NodeRef } from '../ledger/merkle';
import type { AiSystem, LifecyclePhase, OperationalStatus, Policy, SystemSpec, Tenant } from '../domain/model';

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
  reviews: ReviewStore;
  ledger: LedgerWriter;
  /**
   * With TransactionOptions.assumedStatus: that system's status as it stands when the job commits, the
   * one to decide on (undefined: there is no such system). Either the assumed status, which the commit
   * checks still holds, or the status read under the tenant's lock, which no other change can pass.
   */
  currentStatus?: StatusExpectation;
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
  transaction<T>(tenantId: string, fn: (uow: UnitOfWork) => Promise<T>, options?: TransactionOptions): Promise<T>;
  close(): Promise<void>;
}

/**
 * What a job says of itself. How it is committed (group, optimistic one statement, locking
 * transaction) is the store's choice, made from this.
 */
export interface TransactionOptions {
  /**
   * The job only reads, appends ledger entries and records status changes (decisions, status
   * changes), and throws only before its first write. The store may then skip its savepoint and
   * commit it in one statement; a job that reaches for another store is moved to a transaction. A
   * database error inside it fails its whole batch, which is safe (nothing is acknowledged).
   */
  appendOnly?: boolean;
  /**
   * The status the job's outcome rests on (the status cache's word for it). The job decides on
   * UnitOfWork.currentStatus, and the commit guarantees that status still holds when the job writes
   * (appends or records a change): when it does not, or when the job failed on it, the job runs
   * again under the tenant's lock with the status read there. A job that writes nothing gets no
   * such check: nothing it answered was committed on the assumption.
   */
  assumedStatus?: AssumedStatus;
}

/** A system's operational status and lifecycle phase: what a decision or a status change rests on. */
export type StatusExpectation = Pick<SystemStatusView, 'operationalStatus' | 'lifecyclePhase'>;

export interface AssumedStatus extends StatusExpectation {
  systemId: string;
}

export interface StatusChangeRecord {
  tenantId: string;
  revision: number;
  systemId: string;
  kind: 'status' | 'phase';
  previousStatus: OperationalStatus;
  newStatus: OperationalStatus;
  previousPhase: LifecyclePhase;
  newPhase: LifecyclePhase;
  reason: string;
  operator: string;
  actorSubject: string;
  idempotencyKey: string | null;
  ledgerSequence: number;
  createdAt: Date;
}

export interface SystemStatusView {
  systemId: string;
  operationalStatus: OperationalStatus;
  lifecyclePhase: LifecyclePhase;
  revision: number;
  updatedAt: Date;
  reason: string;
  operator: string;
}

export interface ChangePreparation {
  prior?: StatusChangeRecord;
  /**
   * The system's state (undefined: no such system). For the system of TransactionOptions.assumedStatus,
   * asked without an idempotency key, it may be that assumed status, not read: the commit checks it
   * still holds, and that headRevision is still the tenant's.
   */
  current?: SystemStatusView | StatusExpectation;
  /** The tenant's last revision (0 before the first change); the next change takes headRevision + 1. */
  headRevision: number;
}

/** What a status change does inside a unit of work. */
export interface StatusChanges {
  prepare(tenantId: string, systemId: string, idempotencyKey: string | null): Promise<ChangePreparation>;
  /** Writes the change, the system's new state and the head revision, and notifies other processes on commit. */
  record(change: StatusChangeRecord): Promise<void>;
}

export type ReviewStatus = 'pending' | 'approved' | 'rejected';

export interface ReviewRecord {
  tenantId: string;
  id: string;
  decisionId: string;
  systemId: string;
  status: ReviewStatus;
  riskScore: number;
  reason: string;
  env: string;
  createdAt: Date;
  resolvedAt: Date | null;
  resolvedBy: string | null;
  notes: string | null;
}

/** Review writes, inside a unit of work. */
export interface ReviewStore {
  open(r: ReviewRecord): Promise<void>;
  /** forUpdate: the row stays locked until the commit. */
  get(tenantId: string, id: string, forUpdate?: boolean): Promise<ReviewRecord | undefined>;
  resolve(
    tenantId: string,
    id: string,
    status: 'approved' | 'rejected',
    by: string,
    notes: string,
    at: Date,
  ): Promise<ReviewRecord>;
}

/** Review reads outside a unit of work. */
export interface ReviewQueries {
  /** Pending reviews newest first, after the cursor (created_at, id) of the previous page. */
  pending(tenantId: string, limit: number, after?: { createdAt: Date; id: string }): Promise<ReviewRecord[]>;
  pendingCount(tenantId: string): Promise<number>;
  forSystem(tenantId: string, systemId: string): Promise<ReviewRecord[]>;
}
