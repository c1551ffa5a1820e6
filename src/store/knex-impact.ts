import type { Knex } from 'knex';
import { ImpactCounts, ImpactQuery, ImpactReader, ImpactReport } from './ports';

type Row = Record<string, string | number>;

// Counted in the database over the narrow rows: one pass, grouped by env and threat, so a day of a
// busy tenant's decisions is summed where it lies instead of shipped to the process.
const COUNTS = `
  count(*) AS decisions,
  count(*) FILTER (WHERE candidate_outcome <> outcome) AS changed,
  count(*) FILTER (WHERE candidate_outcome <> outcome AND candidate_outcome = 'blocked') AS would_block,
  count(*) FILTER (WHERE candidate_outcome <> outcome AND candidate_outcome = 'approved') AS would_approve,
  count(*) FILTER (WHERE candidate_outcome <> outcome AND candidate_outcome = 'review_required') AS would_review`;

const counts = (r: Row | undefined): ImpactCounts => ({
  decisions: Number(r?.decisions ?? 0),
  changed: Number(r?.changed ?? 0),
  wouldBlock: Number(r?.would_block ?? 0),
  wouldApprove: Number(r?.would_approve ?? 0),
  wouldReview: Number(r?.would_review ?? 0),
});

export class KnexImpactStore implements ImpactReader {
  constructor(private readonly db: Knex) {}

  async impact(tenantId: string, q: ImpactQuery, samples: number): Promise<ImpactReport> {
    const where = (b: Knex.QueryBuilder) => {
      b.where('tenant_id', tenantId).where('created_at', '>=', q.since).where('created_at', '<', q.until);
      if (q.systemId !== undefined) b.where('system_id', q.systemId);
      return b;
    };
    // GROUPING SETS: the env and threat breakdowns in the same single scan.
    const [grouped, changed] = await Promise.all([
      where(this.db('decision_impact').select(this.db.raw(`env, threat, GROUPING(env) AS genv, GROUPING(threat) AS gthreat, ${COUNTS}`)))
        .groupByRaw('GROUPING SETS ((env), (threat), ())'),
      where(this.db('decision_impact').select('decision_id').where(this.db.raw('candidate_outcome <> outcome')))
        .orderBy('created_at', 'desc')
        .orderBy('sequence', 'desc')
        .limit(samples),
    ]);
    const rows = grouped as Row[];
    const total = rows.find((r) => Number(r.genv) === 1 && Number(r.gthreat) === 1);
    const byKey = (keyCol: 'env' | 'threat', other: 'genv' | 'gthreat') =>
      rows
        .filter((r) => Number(r[other]) === 1 && Number(r[keyCol === 'env' ? 'genv' : 'gthreat']) === 0)
        .map((r) => ({ key: String(r[keyCol]), ...counts(r) }))
        .sort((a, b) => b.changed - a.changed || b.decisions - a.decisions || (a.key < b.key ? -1 : 1));
    return {
      ...counts(total),
      byEnv: byKey('env', 'gthreat'),
      byThreat: byKey('threat', 'genv'),
      sampleDecisionIds: (changed as Row[]).map((r) => String(r.decision_id)),
    };
  }
}
