import { AiSystem, Policy, SystemSpec, Tenant } from '../domain/model';

/** Every store method takes the tenant id first: no query can forget the tenant. */
export interface TenantStore {
  get(tenantId: string): Promise<Tenant | undefined>;
  upsert(tenantId: string, input: { name: string; policy: Policy }, now: Date): Promise<{ tenant: Tenant; created: boolean }>;
}

export interface SystemStore {
  get(tenantId: string, systemId: string): Promise<AiSystem | undefined>;
  /** Creates or updates; on update the operational status and phase are kept (OperationsService owns them). */
  upsert(tenantId: string, spec: SystemSpec, now: Date): Promise<{ system: AiSystem; created: boolean }>;
  /** Systems ordered by id, strictly after `afterId`. */
  list(tenantId: string, afterId: string, limit: number): Promise<AiSystem[]>;
  count(tenantId: string): Promise<number>;
}

export interface LedgerEvent {
  type: string;
  actor: { subject: string; role: string };
  requestId: string;
  body: Record<string, unknown>;
}

/** The ledger port: appends run inside the caller's transaction, so no change commits without its entry. */
export interface LedgerWriter {
  append(tenantId: string, event: LedgerEvent): Promise<void>;
}

export interface UnitOfWork {
  tenants: TenantStore;
  systems: SystemStore;
  ledger: LedgerWriter;
}

export interface Storage {
  tenants: TenantStore;
  systems: SystemStore;
  /** Runs fn in one database transaction; it commits only if fn resolves. */
  transaction<T>(fn: (uow: UnitOfWork) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
