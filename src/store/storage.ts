import type { Knex } from 'knex';
import { guard, StorageHealth } from './errors';
import type { GroupCommitOptions } from './group-commit';
import { GroupCommitWriter } from './group-commit';
import { KnexImpactStore } from './knex-impact';
import { KnexLedgerStore } from './knex-ledger';
import { KnexReviewQueries, KnexReviewStore } from './knex-reviews';
import { KnexStatusStore } from './knex-status';
import { KnexSystemStore } from './knex-systems';
import { KnexTenantStore } from './knex-tenants';
import type { ImpactReader, Storage, SystemStore, TenantStore, TransactionOptions, UnitOfWork } from './ports';

/** Wraps every store method so connection failures surface as UNAVAILABLE. */
function guarded<T extends object>(target: T, health: StorageHealth): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const v = Reflect.get(obj, prop, receiver);
      return typeof v === 'function' ? (...args: unknown[]) => guard(v.apply(obj, args), health) : v;
    },
  });
}

export class KnexStorage implements Storage {
  readonly tenants: TenantStore;
  readonly systems: SystemStore;
  readonly ledger: KnexLedgerStore;
  readonly impact: ImpactReader;
  readonly status: KnexStatusStore;
  readonly reviews: KnexReviewStore;
  readonly reviewQueries: KnexReviewQueries;
  readonly writer: GroupCommitWriter;
  readonly health = new StorageHealth();

  constructor(
    readonly db: Knex,
    options: GroupCommitOptions,
  ) {
    this.tenants = guarded(new KnexTenantStore(db), this.health);
    this.systems = guarded(new KnexSystemStore(db), this.health);
    this.ledger = guarded(new KnexLedgerStore(db), this.health);
    this.impact = guarded(new KnexImpactStore(db), this.health);
    this.status = guarded(new KnexStatusStore(db), this.health);
    this.reviews = guarded(new KnexReviewStore(db), this.health);
    this.reviewQueries = guarded(new KnexReviewQueries(db), this.health);
    this.writer = new GroupCommitWriter(db, { ...options, health: this.health });
  }

  transaction<T>(tenantId: string, fn: (uow: UnitOfWork) => Promise<T>, options?: TransactionOptions): Promise<T> {
    return this.writer.submit(tenantId, fn, options);
  }

  /** The database answers and takes writes (not a standby, not read-only); a fault is reported to health. */
  async probe(): Promise<void> {
    const { rows } = await this.db.raw(
      "SELECT pg_is_in_recovery() AS recovery, current_setting('transaction_read_only') AS read_only",
    );
    if (rows[0].recovery || rows[0].read_only === 'on') this.health.noteFault({ code: '25006' });
  }

  /** One real write, committed. */
  async probeWrite(): Promise<void> {
    await this.db.raw(
      'INSERT INTO write_probe (id, written_at) VALUES (1, now()) ON CONFLICT (id) DO UPDATE SET written_at = EXCLUDED.written_at',
    );
  }

  async close(): Promise<void> {
    await this.writer.drain();
    await this.db.destroy();
  }
}
