import type { AiSystem, Policy } from '../domain/model';
import type { SystemStore, TenantStore } from '../store/ports';

export interface Spec {
  system?: AiSystem;
  tenantPolicy: Policy | null;
  tenantCandidate: Policy | null;
}

/** A system's record and its tenant's policies, as enforcement reads them. */
export interface SpecSource {
  get(tenantId: string, systemId: string): Promise<Spec>;
}

interface Entry {
  at: number;
  value: Promise<Spec>;
}

const MAX_ENTRIES = 50_000;

/**
 * System records and tenant policies for the enforcement hot path, kept for
 * a short time. Registrations through this process invalidate at once;
 * registrations through another replica are seen after at most `ttlMs`.
 * Status is never taken from here (it comes from the status cache and the
 * database under the ledger lock).
 */
export class SpecCache implements SpecSource {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly systems: SystemStore,
    private readonly tenants: TenantStore,
    private readonly ttlMs: number,
  ) {}

  get(tenantId: string, systemId: string): Promise<Spec> {
    const key = `${tenantId}/${systemId}`;
    const hit = this.entries.get(key);
    const now = Date.now();
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    const value = Promise.all([this.systems.get(tenantId, systemId), this.tenants.get(tenantId)]).then(
      ([system, tenant]) => ({
        system,
        tenantPolicy: tenant?.policy ?? null,
        tenantCandidate: tenant?.candidatePolicy ?? null,
      }),
    );
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, { at: now, value });
    // A failed read is not remembered.
    value.catch(() => this.entries.get(key)?.value === value && this.entries.delete(key));
    return value;
  }

  /** Drops one system, or every system of the tenant (its policy changed). */
  invalidate(tenantId: string, systemId?: string): void {
    if (systemId) {
      this.entries.delete(`${tenantId}/${systemId}`);
      return;
    }
    for (const key of this.entries.keys()) if (key.startsWith(`${tenantId}/`)) this.entries.delete(key);
  }
}
