import type { RequestContext } from './context';
import { invalidArgument, notFound, permissionDenied } from './errors';
import type { Policy, Tenant } from './model';
import { requiredText, UUID_RE, validatePolicy } from './validation';
import type { Clock } from './clock';
import type { Storage } from '../store/ports';
import type { Promotion } from '../enforcement/rollout';
import { isPromotion, promotionImpact } from '../enforcement/rollout';

export interface TenantInput {
  id: string;
  name: string;
  policy?: Policy;
  candidatePolicy?: Policy;
}

export class TenantService {
  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    /** Told after a committed change, so caches of this tenant's policy are dropped. */
    private readonly changed: (tenantId: string) => void = () => undefined,
    /** The custom rules the global policy defines; a tenant may switch only those. */
    private readonly knownRules?: ReadonlySet<string>,
  ) {}

  async register(
    ctx: RequestContext,
    input: TenantInput,
  ): Promise<{ tenant: Tenant; created: boolean; promotion?: Promotion }> {
    if (!UUID_RE.test(input.id)) throw invalidArgument('tenant.id', 'must be a UUID');
    if (input.id.toLowerCase() !== ctx.tenantId) {
      throw permissionDenied('TENANT_MISMATCH', 'tenant.id must be the tenant of the token');
    }
    const name = requiredText('tenant.name', input.name, 200);
    const policy = validatePolicy('tenant.policy', input.policy, this.knownRules);
    const candidatePolicy = input.candidatePolicy
      ? validatePolicy('tenant.candidate_policy', input.candidatePolicy, this.knownRules)
      : null;
    const out = await this.storage.transaction(ctx.tenantId, async (uow) => {
      const before = await uow.tenants.get(ctx.tenantId);
      const result = await uow.tenants.upsert(ctx.tenantId, { name, policy, candidatePolicy }, this.clock());
      await uow.ledger.append(ctx.tenantId, {
        type: result.created ? 'tenant.registered' : 'tenant.updated',
        actor: { subject: ctx.subject, role: ctx.role },
        requestId: ctx.requestId,
        // Only when set: a tenant without a candidate is ledgered exactly as before candidates existed.
        body: {
          tenant_id: ctx.tenantId,
          name,
          policy,
          ...(candidatePolicy ? { candidate_policy: candidatePolicy } : {}),
        },
      });
      return { ...result, promoted: isPromotion(before?.candidatePolicy ?? null, policy) };
    });
    this.changed(ctx.tenantId);
    const { promoted, ...result } = out;
    if (!promoted) return result;
    return { ...result, promotion: await promotionImpact(this.storage, ctx.tenantId, this.clock()) };
  }

  async get(ctx: RequestContext): Promise<Tenant> {
    const tenant = await this.storage.tenants.get(ctx.tenantId);
    if (!tenant) throw notFound('TENANT_NOT_FOUND', 'tenant is not registered');
    return tenant;
  }
}
