import type { Knex } from 'knex';
import { guard } from './errors';
import { KnexSystemStore } from './knex-systems';
import { KnexTenantStore } from './knex-tenants';
import { LedgerWriter, Storage, SystemStore, TenantStore, UnitOfWork } from './ports';

/** Builds the ledger writer bound to a transaction; the ledger issue plugs the signed ledger in here. */
export type LedgerFactory = (trx: Knex.Transaction) => LedgerWriter;

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

  constructor(
    readonly db: Knex,
    private readonly ledgerFactory: LedgerFactory,
  ) {
    this.tenants = guarded(new KnexTenantStore(db));
    this.systems = guarded(new KnexSystemStore(db));
  }

  transaction<T>(fn: (uow: UnitOfWork) => Promise<T>): Promise<T> {
    return guard(
      this.db.transaction((trx) =>
        fn({ tenants: new KnexTenantStore(trx), systems: new KnexSystemStore(trx), ledger: this.ledgerFactory(trx) }),
      ),
    );
  }

  close(): Promise<void> {
    return this.db.destroy();
  }
}
