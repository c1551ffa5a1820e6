import type { Knex } from 'knex';
import type { ImpactCounts, ImpactQuery, ImpactReader, ImpactReport } from './ports';

type Row = Record<string, string | number>;

const HOUR_MS = 3_600_000;

const counts = (r: Row | undefined): ImpactCounts => ({
  decisions: Number(r?.decisions ?? 0),
  changed: Number(r?.changed ?? 0),
  wouldBlock: Number(r?.would_block ?? 0),
  wouldApprove: Number(r?.would_approve ?? 0),
  wouldReview: Number(r?.would_review ?? 0),
});

/**
 * GetPolicyImpact's counts: the hourly counters for the whole UTC hours inside the window, and the
 * rows of the partial hours at its two edges, summed in one statement with both breakdowns
 * (GROUPING SETS), so the work is bounded by hours and edges, not by the decisions of the window.
 */
export class KnexImpactStore implements ImpactReader {
  constructor(private readonly db: Knex) {}

  async impact(tenantId: string, q: ImpactQuery, samples: number): Promise<ImpactReport> {
    const firstHour = new Date(Math.ceil(q.since.getTime() / HOUR_MS) * HOUR_MS);
    const lastHour = new Date(Math.floor(q.until.getTime() / HOUR_MS) * HOUR_MS);
    const whole = firstHour < lastHour;
    const system = q.systemId !== undefined ? ' AND system_id = ?' : '';
    const sys = q.systemId !== undefined ? [q.systemId] : [];
    const parts: string[] = [];
    const bindings: (string | Date)[] = [];
    if (whole) {
      parts.push(
        `SELECT env, threat, outcome, candidate_outcome, decisions AS n FROM decision_impact_hourly WHERE tenant_id = ? AND hour >= ? AND hour < ?${system}`,
      );
      bindings.push(tenantId, firstHour, lastHour, ...sys);
    }
    // Rows: the edges when whole hours lie between them, else the whole (short) window.
    const edges: [Date, Date][] = whole
      ? [
          [q.since, firstHour],
          [lastHour, q.until],
        ]
      : [[q.since, q.until]];
    for (const [from, to] of edges) {
      if (from >= to) continue;
      parts.push(
        `SELECT env, threat, outcome, candidate_outcome, 1 AS n FROM decision_impact WHERE tenant_id = ? AND created_at >= ? AND created_at < ?${system}`,
      );
      bindings.push(tenantId, from, to, ...sys);
    }
    const changedWhere = 'candidate_outcome <> outcome';
    const grouped: Row[] = parts.length
      ? (
          await this.db.raw(
            `SELECT env, threat, GROUPING(env) AS genv, GROUPING(threat) AS gthreat,
                    sum(n) AS decisions,
                    sum(n) FILTER (WHERE ${changedWhere}) AS changed,
                    sum(n) FILTER (WHERE ${changedWhere} AND candidate_outcome = 'blocked') AS would_block,
                    sum(n) FILTER (WHERE ${changedWhere} AND candidate_outcome = 'approved') AS would_approve,
                    sum(n) FILTER (WHERE ${changedWhere} AND candidate_outcome = 'review_required') AS would_review
             FROM (${parts.join(' UNION ALL ')}) measured
             GROUP BY GROUPING SETS ((env), (threat), ())`,
            bindings,
          )
        ).rows
      : [];
    const sampleRows: Row[] =
      samples > 0
        ? await (() => {
            const b = this.db('decision_impact')
              .select('decision_id')
              .where('tenant_id', tenantId)
              .where('created_at', '>=', q.since)
              .where('created_at', '<', q.until)
              .whereRaw(changedWhere);
            if (q.systemId !== undefined) b.where('system_id', q.systemId);
            return b.orderBy('created_at', 'desc').orderBy('sequence', 'desc').limit(samples);
          })()
        : [];
    const total = grouped.find((r) => Number(r.genv) === 1 && Number(r.gthreat) === 1);
    const byKey = (key: 'env' | 'threat') =>
      grouped
        .filter((r) =>
          key === 'env'
            ? Number(r.genv) === 0 && Number(r.gthreat) === 1
            : Number(r.genv) === 1 && Number(r.gthreat) === 0,
        )
        .map((r) => ({ key: String(r[key]), ...counts(r) }))
        .sort((a, b) => b.changed - a.changed || b.decisions - a.decisions || (a.key < b.key ? -1 : 1));
    return {
      ...counts(total),
      byEnv: byKey('env'),
      byThreat: byKey('threat'),
      sampleDecisionIds: sampleRows.map((r) => String(r.decision_id)),
    };
  }
}
