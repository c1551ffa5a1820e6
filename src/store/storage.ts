import type { Knex } from 'knex';
import { guard } from './errors';
import { GroupCommitOptions, GroupCommitWriter, JobOptions } from './group-commit';
import { KnexLedgerStore } from './knex-ledger';
import { KnexReviewQueries, KnexReviewStore } from './knex-reviews';
import { KnexStatusStore } from './knex-status';
import { KnexSystemStore } from './knex-systems';
import { KnexTenantStore } from './knex-tenants';
import { Storage, SystemStore, TenantStore, UnitOfWork } from './ports';

/** Wraps every store method so connection failures surface as UNAVAILABLE. */
function guarded<T extends object>(target: T): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const v = Reflect.get(obj, prop, receiver);
      return typeof v === 'function' ? (...args: unknown[]) => guard(v.apply(obj, args)) : v;
    },
  });
}

export class KnexStorage implements Storage {
  readonly tenants: TenantStore;
  readonly systems: SystemStore;
  readonly ledger: KnexLedgerStore;
  readonly status: KnexStatusStore;
  readonly reviews: KnexReviewStore;
  readonly reviewQueries: KnexReviewQueries;
  readonly writer: GroupCommitWriter;

  constructor(
    readonly db: Knex,
    options: GroupCommitOptions,
  ) {
    this.tenants = guarded(new KnexTenantStore(db));
    this.systems = guarded(new KnexSystemStore(db));
    this.ledger = guarded(new KnexLedgerStore(db));
    this.status = guarded(new KnexStatusStore(db));
    this.reviews = guarded(new KnexReviewStore(db));
    this.reviewQueries = guarded(new KnexReviewQueries(db));
    this.writer = new GroupCommitWriter(db, options);
  }

  transaction<T>(tenantId: string, fn: (uow: UnitOfWork) => Promise<T>, options?: JobOptions): Promise<T> {
    return this.writer.submit(tenantId, fn, options);
  }

  async close(): Promise<void> {
    await this.writer.drain();
    await this.db.destroy();
  }
}
