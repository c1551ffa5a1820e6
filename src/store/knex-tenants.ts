import type { Knex } from 'knex';
import type { Policy, Tenant } from '../domain/model';
import type { TenantFields, TenantStore } from './ports';

interface TenantRow {
  tenant_id: string;
  name: string;
  policy: Policy;
  candidate_policy: Policy | null;
  created_at: Date;
  updated_at: Date;
  inserted?: boolean;
}

const toTenant = (r: TenantRow): Tenant => ({
  id: r.tenant_id,
  name: r.name,
  policy: r.policy,
  candidatePolicy: r.candidate_policy ?? null,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
});

export class KnexTenantStore implements TenantStore {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  async get(tenantId: string): Promise<Tenant | undefined> {
    const row = await this.db<TenantRow>('tenants').where({ tenant_id: tenantId }).first();
    return row ? toTenant(row) : undefined;
  }

  async upsert(tenantId: string, input: TenantFields, now: Date) {
    const rows: TenantRow[] = await this.db('tenants')
      .insert({
        tenant_id: tenantId,
        name: input.name,
        policy: JSON.stringify(input.policy),
        candidate_policy: input.candidatePolicy ? JSON.stringify(input.candidatePolicy) : null,
        created_at: now,
        updated_at: now,
      })
      .onConflict('tenant_id')
      .merge(['name', 'policy', 'candidate_policy', 'updated_at'])
      // xmax = 0 only for a freshly inserted row: tells "registered" from "updated" in one round trip.
      .returning(['*', this.db.raw('(xmax = 0) as inserted')]);
    return { tenant: toTenant(rows[0]), created: Boolean(rows[0].inserted) };
  }
}
