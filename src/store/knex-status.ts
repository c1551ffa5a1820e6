import type { Row } from './row';
import type { Knex } from 'knex';
import type { ChangePreparation, StatusChangeRecord, StatusChanges, SystemStatusView } from './ports';
import { encodeNotification, STATUS_CHANNEL } from './status-notify';

/** A change under the column names of status_changes. */
export const changeColumns = (c: StatusChangeRecord) => ({
  tenant_id: c.tenantId,
  revision: c.revision,
  system_id: c.systemId,
  kind: c.kind,
  previous_status: c.previousStatus,
  new_status: c.newStatus,
  previous_phase: c.previousPhase,
  new_phase: c.newPhase,
  reason: c.reason,
  operator: c.operator,
  actor_subject: c.actorSubject,
  idempotency_key: c.idempotencyKey,
  ledger_sequence: c.ledgerSequence,
  created_at: c.createdAt,
});

const toChange = (r: Row): StatusChangeRecord => ({
  tenantId: r.tenant_id,
  revision: Number(r.revision),
  systemId: r.system_id,
  kind: r.kind,
  previousStatus: r.previous_status,
  newStatus: r.new_status,
  previousPhase: r.previous_phase,
  newPhase: r.new_phase,
  reason: r.reason,
  operator: r.operator,
  actorSubject: r.actor_subject,
  idempotencyKey: r.idempotency_key ?? null,
  ledgerSequence: Number(r.ledger_sequence),
  createdAt: new Date(r.created_at),
});

const toView = (r: Row): SystemStatusView => ({
  systemId: r.id,
  operationalStatus: r.operational_status,
  lifecyclePhase: r.lifecycle_phase,
  revision: Number(r.status_revision),
  updatedAt: new Date(r.updated_at),
  reason: r.status_reason,
  operator: r.status_operator,
});

const VIEW_COLUMNS = [
  'id',
  'operational_status',
  'lifecycle_phase',
  'status_revision',
  'updated_at',
  'status_reason',
  'status_operator',
];

export class KnexStatusStore implements StatusChanges {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  /**
   * Systems in emergency stop across every tenant (in total, or per tenant): for the operator's
   * btv_systems_stopped gauge, the one read that is not a tenant's own.
   */
  async countStopped(byTenant: boolean): Promise<{ tenantId: string | null; count: number }[]> {
    const q = this.db('ai_systems').where({ operational_status: 'emergency_stop' });
    const rows: { tenant_id?: string; n: string | number }[] = byTenant
      ? await q.select('tenant_id').count('* as n').groupBy('tenant_id')
      : await q.count('* as n');
    return rows.map((r) => ({ tenantId: r.tenant_id ?? null, count: Number(r.n) }));
  }

  async current(tenantId: string, systemId: string): Promise<SystemStatusView | undefined> {
    const row = await this.db('ai_systems').where({ tenant_id: tenantId, id: systemId }).first(VIEW_COLUMNS);
    return row ? toView(row) : undefined;
  }

  /** Current state of the given systems, or of every system of the tenant when none are named. */
  async currentAll(tenantId: string, systemIds: string[] = []): Promise<SystemStatusView[]> {
    const q = this.db('ai_systems').where({ tenant_id: tenantId }).select(VIEW_COLUMNS).orderBy('id');
    if (systemIds.length) q.whereIn('id', systemIds);
    return (await q).map(toView);
  }

  /** Current state of several (tenant, system) pairs in one query, keyed "tenant/system". */
  async currentMany(keys: { tenantId: string; systemId: string }[]): Promise<Map<string, SystemStatusView>> {
    const rows: Row[] = await this.db('ai_systems')
      .whereIn(
        ['tenant_id', 'id'],
        keys.map((k) => [k.tenantId, k.systemId]),
      )
      .select(['tenant_id', ...VIEW_COLUMNS]);
    return new Map(rows.map((r) => [`${r.tenant_id}/${r.id}`, toView(r)]));
  }

  /**
   * What a status change needs to know, in one round trip: the change already
   * made under this idempotency key (if any), the system's current state and
   * the tenant's head revision. Read after the tenant's ledger head is locked
   * (every status change takes that lock first), it cannot go stale before commit.
   */
  async prepare(tenantId: string, systemId: string, idempotencyKey: string | null): Promise<ChangePreparation> {
    const { rows }: { rows: Row[] } = await this.db.raw(
      `SELECT
         (SELECT row_to_json(c) FROM status_changes c WHERE c.tenant_id = ? AND c.idempotency_key = ?) AS prior,
         (SELECT row_to_json(s) FROM (SELECT ${VIEW_COLUMNS.join(', ')} FROM ai_systems WHERE tenant_id = ? AND id = ?) s) AS current,
         (SELECT revision FROM status_heads WHERE tenant_id = ?) AS revision`,
      [tenantId, idempotencyKey ?? '', tenantId, systemId, tenantId],
    );
    const r = rows[0];
    const json = (v: unknown): Row | null => (typeof v === 'string' ? JSON.parse(v) : (v as Row | null));
    const prior = json(r.prior);
    const current = json(r.current);
    return {
      prior: idempotencyKey && prior ? toChange(prior) : undefined,
      current: current ? toView(current) : undefined,
      headRevision: r.revision === null || r.revision === undefined ? 0 : Number(r.revision),
    };
  }

  /** Writes the change, the system's new state and the head, and notifies other processes on commit. */
  async record(c: StatusChangeRecord): Promise<void> {
    const insert = this.db('status_changes').insert(changeColumns(c)).toSQL();
    const update = this.db('ai_systems')
      .where({ tenant_id: c.tenantId, id: c.systemId })
      .update({
        operational_status: c.newStatus,
        lifecycle_phase: c.newPhase,
        status_revision: c.revision,
        status_reason: c.reason,
        status_operator: c.operator,
        updated_at: c.createdAt,
      })
      .toSQL();
    // One round trip for the change, the system row, the head revision and the notification.
    // PostgreSQL delivers the NOTIFY, carrying the whole change, only if and when the transaction commits.
    await this.db.raw(
      `WITH ch AS (${insert.sql} RETURNING 1), sys AS (${update.sql} RETURNING 1),
       head AS (INSERT INTO status_heads (tenant_id, revision) VALUES (?, ?)
                ON CONFLICT (tenant_id) DO UPDATE SET revision = EXCLUDED.revision RETURNING 1)
       SELECT pg_notify(?, ?)`,
      [...insert.bindings, ...update.bindings, c.tenantId, c.revision, STATUS_CHANNEL, encodeNotification(c)],
    );
  }

  async change(tenantId: string, revision: number): Promise<StatusChangeRecord | undefined> {
    const row = await this.db('status_changes').where({ tenant_id: tenantId, revision }).first();
    return row ? toChange(row) : undefined;
  }

  /** The watched systems and the tenant's head revision, read from one consistent snapshot. */
  async snapshot(tenantId: string, systemIds: string[]): Promise<{ head: number; views: SystemStatusView[] }> {
    const run = async (trx: Knex | Knex.Transaction) => {
      const s = new KnexStatusStore(trx);
      return { head: await s.head(tenantId), views: await s.currentAll(tenantId, systemIds) };
    };
    if ('commit' in this.db) return run(this.db);
    return this.db.transaction((trx) => run(trx), { isolationLevel: 'repeatable read' });
  }

  async changesAfter(tenantId: string, afterRevision: number, limit: number): Promise<StatusChangeRecord[]> {
    const rows = await this.db('status_changes')
      .where({ tenant_id: tenantId })
      .andWhere('revision', '>', afterRevision)
      .orderBy('revision')
      .limit(limit);
    return rows.map(toChange);
  }

  async head(tenantId: string): Promise<number> {
    const row = await this.db('status_heads').where({ tenant_id: tenantId }).first();
    return row ? Number(row.revision) : 0;
  }

  async oldestRetained(tenantId: string): Promise<number | undefined> {
    const row = await this.db('status_changes').where({ tenant_id: tenantId }).min('revision as r').first();
    return row?.r === null || row?.r === undefined ? undefined : Number(row.r);
  }

  /** Revision heads of the given tenants (0 before a tenant's first change). */
  async heads(tenantIds: string[]): Promise<Map<string, number>> {
    const rows: Row[] = await this.db('status_heads').select('tenant_id', 'revision').whereIn('tenant_id', tenantIds);
    const out = new Map<string, number>(tenantIds.map((t) => [t, 0]));
    for (const r of rows) out.set(r.tenant_id, Number(r.revision));
    return out;
  }

  async prune(before: Date): Promise<number> {
    return this.db('status_changes').where('created_at', '<', before).del();
  }
}
