import type { Row } from './row';
import type { Knex } from 'knex';
import type { AiSystem, SystemSpec } from '../domain/model';
import type { SystemStore } from './ports';

const toSystem = (r: Row): AiSystem => ({
  tenantId: r.tenant_id,
  id: r.id,
  name: r.name,
  version: r.version,
  sector: r.sector,
  role: r.role,
  risk: r.risk,
  sandbox: r.sandbox,
  euDatabaseId: r.eu_database_id,
  trainingFlops: Number(r.training_flops),
  loggingEnabled: r.logging_enabled,
  jurisdiction: r.jurisdiction,
  intendedPurpose: r.intended_purpose,
  prohibitedDomains: r.prohibited_domains,
  lifecyclePhase: r.lifecycle_phase,
  operationalStatus: r.operational_status,
  externalDependencies: r.external_dependencies,
  policy: r.policy ?? null,
  candidatePolicy: r.candidate_policy ?? null,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
});

const toRow = (tenantId: string, s: SystemSpec, now: Date): Row => ({
  tenant_id: tenantId,
  id: s.id,
  name: s.name,
  version: s.version,
  sector: s.sector,
  role: s.role,
  risk: s.risk,
  sandbox: s.sandbox,
  eu_database_id: s.euDatabaseId,
  training_flops: s.trainingFlops,
  logging_enabled: s.loggingEnabled,
  jurisdiction: s.jurisdiction,
  intended_purpose: s.intendedPurpose,
  // jsonb values go in as JSON text: pg would turn a JS array into a PostgreSQL array.
  prohibited_domains: JSON.stringify(s.prohibitedDomains),
  lifecycle_phase: s.lifecyclePhase,
  operational_status: s.operationalStatus,
  external_dependencies: JSON.stringify(s.externalDependencies),
  policy: s.policy ? JSON.stringify(s.policy) : null,
  candidate_policy: s.candidatePolicy ? JSON.stringify(s.candidatePolicy) : null,
  created_at: now,
  updated_at: now,
});

/** Columns a re-registration may change: status and phase belong to OperationsService. */
const UPDATABLE = [
  'name',
  'version',
  'sector',
  'role',
  'risk',
  'sandbox',
  'eu_database_id',
  'training_flops',
  'logging_enabled',
  'jurisdiction',
  'intended_purpose',
  'prohibited_domains',
  'external_dependencies',
  'policy',
  'candidate_policy',
  'updated_at',
];

export class KnexSystemStore implements SystemStore {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  async get(tenantId: string, systemId: string): Promise<AiSystem | undefined> {
    const row = await this.db('ai_systems').where({ tenant_id: tenantId, id: systemId }).first();
    return row ? toSystem(row) : undefined;
  }

  async upsert(tenantId: string, spec: SystemSpec, now: Date) {
    const rows: Row[] = await this.db('ai_systems')
      .insert(toRow(tenantId, spec, now))
      .onConflict(['tenant_id', 'id'])
      .merge(UPDATABLE)
      .returning(['*', this.db.raw('(xmax = 0) as inserted')]);
    return { system: toSystem(rows[0]), created: Boolean(rows[0].inserted) };
  }

  async upsertChecked(tenantId: string, spec: SystemSpec, now: Date, check: (stored: AiSystem | undefined) => void) {
    const key = { tenant_id: tenantId, id: spec.id };
    const row = toRow(tenantId, spec, now);
    for (;;) {
      const stored: Row | undefined = await this.db('ai_systems').where(key).forUpdate().first();
      check(stored ? toSystem(stored) : undefined);
      if (stored) {
        const update = Object.fromEntries(UPDATABLE.map((c) => [c, row[c]]));
        const rows: Row[] = await this.db('ai_systems').where(key).update(update).returning('*');
        return { system: toSystem(rows[0]), created: false };
      }
      // No row to lock: a concurrent registration may create it first. Then nothing is inserted,
      // and the loop checks against that one instead of writing over it unchecked.
      const rows: Row[] = await this.db('ai_systems')
        .insert(row)
        .onConflict(['tenant_id', 'id'])
        .ignore()
        .returning('*');
      if (rows.length) return { system: toSystem(rows[0]), created: true };
    }
  }

  async list(tenantId: string, afterId: string, limit: number): Promise<AiSystem[]> {
    const rows = await this.db('ai_systems')
      .where({ tenant_id: tenantId })
      .andWhere('id', '>', afterId)
      .orderBy('id', 'asc')
      .limit(limit);
    return rows.map(toSystem);
  }

  async count(tenantId: string): Promise<number> {
    const row = await this.db('ai_systems')
      .where({ tenant_id: tenantId })
      .count<{ count: string | number }[]>('* as count')
      .first();
    return Number(row?.count ?? 0);
  }
}
