import { RequestContext } from './context';
import { invalidArgument, notFound, permissionDenied } from './errors';
import { Policy, Tenant } from './model';
import { requiredText, UUID_RE, validatePolicy } from './validation';
import { Storage } from '../store/ports';

export interface TenantInput {
  id: string;
  name: string;
  policy?: Policy;
}

export type Clock = () => Date;

export class TenantService {
  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    /** Told after a committed change, so caches of this tenant's policy are dropped. */
    private readonly changed: (tenantId: string) => void = () => undefined,
    /** The custom rules the global policy defines; a tenant may switch only those. */
    private readonly knownRules?: ReadonlySet<string>,
  ) {}

  async register(ctx: RequestContext, input: TenantInput): Promise<{ tenant: Tenant; created: boolean }> {
    if (!UUID_RE.test(input.id)) throw invalidArgument('tenant.id', 'must be a UUID');
    if (input.id.toLowerCase() !== ctx.tenantId) {
      throw permissionDenied('TENANT_MISMATCH', 'tenant.id must be the tenant of the token');
    }
    const name = requiredText('tenant.name', input.name, 200);
    const policy = validatePolicy('tenant.policy', input.policy, this.knownRules);
    const out = await this.storage.transaction(ctx.tenantId, async (uow) => {
      const result = await uow.tenants.upsert(ctx.tenantId, { name, policy }, this.clock());
      await uow.ledger.append(ctx.tenantId, {
        type: result.created ? 'tenant.registered' : 'tenant.updated',
        actor: { subject: ctx.subject, role: ctx.role },
        requestId: ctx.requestId,
        body: { tenant_id: ctx.tenantId, name, policy },
      });
      return result;
    });
    this.changed(ctx.tenantId);
    return out;
  }

  async get(ctx: RequestContext): Promise<Tenant> {
    const tenant = await this.storage.tenants.get(ctx.tenantId);
    if (!tenant) throw notFound('TENANT_NOT_FOUND', 'tenant is not registered');
    return tenant;
  }
}
