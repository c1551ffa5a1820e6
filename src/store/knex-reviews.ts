import type { Knex } from 'knex';

export type ReviewStatus = 'pending' | 'approved' | 'rejected';

export interface ReviewRecord {
  tenantId: string;
  id: string;
  decisionId: string;
  systemId: string;
  status: ReviewStatus;
  riskScore: number;
  reason: string;
  env: string;
  createdAt: Date;
  resolvedAt: Date | null;
  resolvedBy: string | null;
  notes: string | null;
}

type Row = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

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

export class KnexReviewStore {
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

  async get(tenantId: string, id: string): Promise<ReviewRecord | undefined> {
    const row = await this.db('reviews').where({ tenant_id: tenantId, id }).first();
    return row ? toReview(row) : undefined;
  }
}
