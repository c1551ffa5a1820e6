import type { Row } from './row';
import type { Knex } from 'knex';
import type { ReviewQueries, ReviewRecord, ReviewStore } from './ports';

export const toReview = (r: Row): ReviewRecord => ({
  tenantId: r.tenant_id,
  id: r.id,
  decisionId: r.decision_id,
  systemId: r.system_id,
  status: r.status,
  riskScore: Number(r.risk_score),
  reason: r.reason,
  env: r.env,
  createdAt: new Date(r.created_at),
  resolvedAt: r.resolved_at ? new Date(r.resolved_at) : null,
  resolvedBy: r.resolved_by ?? null,
  notes: r.notes ?? null,
});

export class KnexReviewStore implements ReviewStore {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  async open(r: ReviewRecord): Promise<void> {
    await this.db('reviews').insert({
      tenant_id: r.tenantId,
      id: r.id,
      decision_id: r.decisionId,
      system_id: r.systemId,
      status: r.status,
      risk_score: r.riskScore,
      reason: r.reason,
      env: r.env,
      created_at: r.createdAt,
    });
  }

  async get(tenantId: string, id: string, forUpdate = false): Promise<ReviewRecord | undefined> {
    const q = this.db('reviews').where({ tenant_id: tenantId, id }).first();
    const row = await (forUpdate ? q.forUpdate() : q);
    return row ? toReview(row) : undefined;
  }

  async resolve(
    tenantId: string,
    id: string,
    status: 'approved' | 'rejected',
    by: string,
    notes: string,
    at: Date,
  ): Promise<ReviewRecord> {
    const rows = await this.db('reviews')
      .where({ tenant_id: tenantId, id, status: 'pending' })
      .update({ status, resolved_by: by, notes, resolved_at: at })
      .returning('*');
    return toReview(rows[0]);
  }
}

export class KnexReviewQueries implements ReviewQueries {
  constructor(private readonly db: Knex) {}

  async pending(tenantId: string, limit: number, after?: { createdAt: Date; id: string }): Promise<ReviewRecord[]> {
    const q = this.db('reviews').where({ tenant_id: tenantId, status: 'pending' });
    if (after) {
      q.andWhere((w) => {
        w.where('created_at', '<', after.createdAt).orWhere((x) => {
          x.where('created_at', '=', after.createdAt).andWhere('id', '<', after.id);
        });
      });
    }
    const rows = await q
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit);
    return rows.map(toReview);
  }

  async pendingCount(tenantId: string): Promise<number> {
    const row = await this.db('reviews')
      .where({ tenant_id: tenantId, status: 'pending' })
      .count<{ n: string | number }[]>('* as n')
      .first();
    return Number(row?.n ?? 0);
  }

  async forSystem(tenantId: string, systemId: string): Promise<ReviewRecord[]> {
    return (await this.db('reviews').where({ tenant_id: tenantId, system_id: systemId })).map(toReview);
  }
}
