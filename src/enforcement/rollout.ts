import { canonicalJson } from '../ledger/canonical';
import type { ImpactReport, Storage } from '../store/ports';
import type { RequestContext } from '../domain/context';
import { invalidArgument, systemNotFound } from '../domain/errors';
import type { Policy } from '../domain/model';
import type { Clock } from '../domain/clock';
import { SYSTEM_ID_RE, validateWindow } from '../domain/validation';

const DAY_MS = 86_400_000;
/** Changed decisions named in an impact, for a person to open. */
export const IMPACT_SAMPLES = 20;

export interface Promotion {
  /** Decisions of the last 24 hours the promoted candidate decided otherwise than the policy it replaced. */
  changedLast24h: number;
}

/** A registration promotes the candidate when the policy it sets is exactly the stored candidate. */
export function isPromotion(candidate: Policy | null, policy: Policy | null): boolean {
  return candidate !== null && policy !== null && canonicalJson(candidate) === canonicalJson(policy);
}

export async function promotionImpact(
  storage: Storage,
  tenantId: string,
  now: Date,
  systemId?: string,
): Promise<Promotion> {
  const r = await storage.impact.impact(tenantId, { systemId, since: new Date(now.getTime() - DAY_MS), until: now }, 0);
  return { changedLast24h: r.changed };
}

/** GetPolicyImpact: candidate policies measured on the tenant's live decisions. */
export class RolloutService {
  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
  ) {}

  async impact(ctx: RequestContext, q: { systemId: string; since?: Date; until?: Date }): Promise<ImpactReport> {
    validateWindow(q.since, q.until);
    const until = q.until ?? this.clock();
    const since = q.since ?? new Date(until.getTime() - DAY_MS);
    // A given since after the default until (now) is caught here.
    if (since >= until) throw invalidArgument('until', 'must be after since');
    if (q.systemId) {
      // Another tenant's system is as missing as one that never existed.
      const system = SYSTEM_ID_RE.test(q.systemId)
        ? await this.storage.systems.get(ctx.tenantId, q.systemId)
        : undefined;
      if (!system) throw systemNotFound(q.systemId);
    }
    return this.storage.impact.impact(
      ctx.tenantId,
      { systemId: q.systemId || undefined, since, until },
      IMPACT_SAMPLES,
    );
  }
}
