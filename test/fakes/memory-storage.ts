/**
 * In-memory fakes of the store ports (src/store/ports.ts), for fast unit tests of the rules the
 * capability services hold (transitions, idempotency, reviews). One transaction at a time, as the
 * locking path runs them; a job that throws leaves nothing behind. What a fake cannot honestly
 * answer (Merkle proofs, checkpoints, impact) throws, so a test never passes on a made-up answer.
 * The suites in test/store and test/api run the same services on both real databases.
 */
import type { AiSystem, SystemSpec, Tenant } from '../../src/domain/model';
import type { LedgerEvent } from '../../src/ledger/events';
import type {
  ChangePreparation,
  ImpactReader,
  LedgerReader,
  LedgerWriter,
  ReviewQueries,
  ReviewRecord,
  ReviewStore,
  StatusChangeRecord,
  StatusChanges,
  Storage,
  SystemStatusView,
  SystemStore,
  TenantFields,
  TenantStore,
  TransactionOptions,
  UnitOfWork,
} from '../../src/store/ports';

export interface MemoryLedgerEntry {
  tenantId: string;
  sequence: number;
  event: LedgerEvent;
}

interface State {
  tenants: Map<string, Tenant>;
  systems: Map<string, AiSystem & { statusRevision: number; statusReason: string; statusOperator: string }>;
  changes: StatusChangeRecord[];
  heads: Map<string, number>;
  reviews: Map<string, ReviewRecord>;
  ledger: MemoryLedgerEntry[];
}

const key = (tenantId: string, id: string) => `${tenantId}/${id}`;
const notInFake = (what: string) => () => Promise.reject(new Error(`${what}: not in the in-memory fake`));

const copy = (s: State): State => ({
  tenants: new Map(s.tenants),
  systems: new Map(s.systems),
  changes: [...s.changes],
  heads: new Map(s.heads),
  reviews: new Map(s.reviews),
  ledger: [...s.ledger],
});

export class MemoryStorage implements Storage {
  private state: State = {
    tenants: new Map(),
    systems: new Map(),
    changes: [],
    heads: new Map(),
    reviews: new Map(),
    ledger: [],
  };
  private queue: Promise<unknown> = Promise.resolve();
  /** Transactions run, and the options each was given (what the domain asked of the store). */
  readonly transactions: (TransactionOptions | undefined)[] = [];

  readonly tenants: TenantStore = {
    get: async (tenantId) => this.state.tenants.get(tenantId),
    upsert: async (tenantId, input, now) => this.upsertTenant(tenantId, input, now),
  };

  readonly systems: SystemStore = {
    get: async (tenantId, id) => this.system(tenantId, id),
    upsert: async (tenantId, spec, now) => this.upsertSystem(tenantId, spec, now),
    upsertChecked: async (tenantId, spec, now, check) => {
      check(this.system(tenantId, spec.id));
      return this.upsertSystem(tenantId, spec, now);
    },
    list: async (tenantId, afterId, limit) =>
      [...this.state.systems.values()]
        .filter((s) => s.tenantId === tenantId && s.id > afterId)
        .sort((a, b) => (a.id < b.id ? -1 : 1))
        .slice(0, limit)
        .map((s) => this.system(tenantId, s.id)!),
    count: async (tenantId) => [...this.state.systems.values()].filter((s) => s.tenantId === tenantId).length,
  };

  readonly ledger: LedgerReader = {
    head: notInFake('ledger head'),
    list: notInFake('ledger list'),
    checkpoints: notInFake('checkpoints'),
    latestSignedRoot: notInFake('signed roots'),
    insertCheckpoint: notInFake('checkpoints'),
    headsWithoutCheckpoint: notInFake('checkpoints'),
    treeNodes: notInFake('Merkle tree nodes'),
    decisionEntry: notInFake('decision entries'),
    events: notInFake('ledger events'),
  };

  readonly impact: ImpactReader = { impact: notInFake('policy impact') };

  /** StatusReader (KillSwitchService.get) over the committed state. */
  readonly status = { current: async (tenantId: string, systemId: string) => this.view(tenantId, systemId) };

  readonly reviewQueries: ReviewQueries = {
    pending: async (tenantId, limit, after) =>
      [...this.state.reviews.values()]
        .filter((r) => r.tenantId === tenantId && r.status === 'pending')
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1))
        .filter(
          (r) =>
            !after ||
            r.createdAt.getTime() > after.createdAt.getTime() ||
            (r.createdAt.getTime() === after.createdAt.getTime() && r.id > after.id),
        )
        .slice(0, limit),
    pendingCount: async (tenantId) =>
      [...this.state.reviews.values()].filter((r) => r.tenantId === tenantId && r.status === 'pending').length,
    forSystem: async (tenantId, systemId) =>
      [...this.state.reviews.values()].filter((r) => r.tenantId === tenantId && r.systemId === systemId),
  };

  /** The committed ledger entries, oldest first. */
  entries(tenantId: string): MemoryLedgerEntry[] {
    return this.state.ledger.filter((e) => e.tenantId === tenantId);
  }

  /** The committed status changes, oldest first. */
  changes(tenantId: string): StatusChangeRecord[] {
    return this.state.changes.filter((c) => c.tenantId === tenantId);
  }

  review(tenantId: string, id: string): ReviewRecord | undefined {
    return this.state.reviews.get(key(tenantId, id));
  }

  transaction<T>(tenantId: string, fn: (uow: UnitOfWork) => Promise<T>, options?: TransactionOptions): Promise<T> {
    this.transactions.push(options);
    const run = async () => {
      const before = this.state;
      this.state = copy(before);
      try {
        return await fn(this.unitOfWork(tenantId, options));
      } catch (e) {
        this.state = before;
        throw e;
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {}

  private unitOfWork(tenantId: string, options: TransactionOptions | undefined): UnitOfWork {
    const assumed = options?.assumedStatus;
    const now = assumed && this.view(tenantId, assumed.systemId);
    const status: StatusChanges = {
      prepare: async (t, systemId, idempotencyKey): Promise<ChangePreparation> => ({
        prior: idempotencyKey
          ? this.state.changes.find((c) => c.tenantId === t && c.idempotencyKey === idempotencyKey)
          : undefined,
        current: this.view(t, systemId),
        headRevision: this.state.heads.get(t) ?? 0,
      }),
      record: async (c) => {
        const s = this.state.systems.get(key(c.tenantId, c.systemId));
        if (!s) throw new Error(`record: no system ${c.systemId}`);
        if (this.state.changes.some((x) => x.tenantId === c.tenantId && x.revision === c.revision))
          throw new Error(`record: revision ${c.revision} exists`);
        this.state.changes.push(c);
        this.state.heads.set(c.tenantId, c.revision);
        this.state.systems.set(key(c.tenantId, c.systemId), {
          ...s,
          operationalStatus: c.newStatus,
          lifecyclePhase: c.newPhase,
          statusRevision: c.revision,
          statusReason: c.reason,
          statusOperator: c.operator,
          updatedAt: c.createdAt,
        });
      },
    };
    const reviews: ReviewStore = {
      open: async (r) => {
        this.state.reviews.set(key(r.tenantId, r.id), r);
      },
      get: async (t, id) => this.state.reviews.get(key(t, id)),
      resolve: async (t, id, status, by, notes, at) => {
        const r = this.state.reviews.get(key(t, id));
        if (!r) throw new Error(`resolve: no review ${id}`);
        const resolved = { ...r, status, resolvedBy: by, notes, resolvedAt: at };
        this.state.reviews.set(key(t, id), resolved);
        return resolved;
      },
    };
    const append = async (t: string, event: LedgerEvent) => {
      const sequence = this.state.ledger.filter((e) => e.tenantId === t).length + 1;
      this.state.ledger.push({ tenantId: t, sequence, event });
      return sequence;
    };
    const ledger: LedgerWriter = {
      append,
      appendEntry: async (t, event) => ({ sequence: await append(t, event), entryHash: `fake-${t}-${Date.now()}` }),
    };
    return {
      tenants: this.tenants,
      systems: this.systems,
      status,
      reviews,
      ledger,
      currentStatus: now && { operationalStatus: now.operationalStatus, lifecyclePhase: now.lifecyclePhase },
    };
  }

  private system(tenantId: string, id: string): AiSystem | undefined {
    const s = this.state.systems.get(key(tenantId, id));
    if (!s) return undefined;
    const { statusRevision: _r, statusReason: _s, statusOperator: _o, ...system } = s;
    return system;
  }

  private view(tenantId: string, systemId: string): SystemStatusView | undefined {
    const s = this.state.systems.get(key(tenantId, systemId));
    return (
      s && {
        systemId: s.id,
        operationalStatus: s.operationalStatus,
        lifecyclePhase: s.lifecyclePhase,
        revision: s.statusRevision,
        updatedAt: s.updatedAt,
        reason: s.statusReason,
        operator: s.statusOperator,
      }
    );
  }

  private upsertTenant(tenantId: string, input: TenantFields, now: Date) {
    const prior = this.state.tenants.get(tenantId);
    const tenant = { ...(prior ?? { id: tenantId, createdAt: now }), ...input, updatedAt: now } as Tenant;
    this.state.tenants.set(tenantId, tenant);
    return { tenant, created: !prior };
  }

  private upsertSystem(tenantId: string, spec: SystemSpec, now: Date) {
    const prior = this.state.systems.get(key(tenantId, spec.id));
    const stored = {
      ...spec,
      tenantId,
      createdAt: prior?.createdAt ?? now,
      updatedAt: now,
      // Status and phase belong to the kill switch: an update keeps them.
      operationalStatus: prior?.operationalStatus ?? spec.operationalStatus,
      lifecyclePhase: prior?.lifecyclePhase ?? spec.lifecyclePhase,
      statusRevision: prior?.statusRevision ?? 0,
      statusReason: prior?.statusReason ?? '',
      statusOperator: prior?.statusOperator ?? '',
    };
    this.state.systems.set(key(tenantId, spec.id), stored);
    return { system: this.system(tenantId, spec.id)!, created: !prior };
  }
}
