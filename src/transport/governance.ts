import type * as pb from '../../gen/ts/btv/v1/governance';
import * as types from '../../gen/ts/btv/v1/types';
import type { MessageRole } from '../engine/classifier';
import type { ServiceHandlers } from './adapter';
import { fromProto } from './enums';
import type { EnforcementService } from '../enforcement/service';
import type { SystemService } from '../domain/systems';
import type { TenantService } from '../domain/tenants';
import {
  decisionToProto,
  policyFromProto,
  summaryToProto,
  systemFromProto,
  systemToProto,
  tenantToProto,
} from './mapping';

export interface GovernanceDeps {
  tenants: TenantService;
  systems: SystemService;
  enforcement: EnforcementService;
}

type Handlers = ServiceHandlers<typeof pb.GovernanceServiceService>;

/** Thin handlers: proto in, domain call, proto out. */
export function governanceHandlers(d: GovernanceDeps): Handlers {
  return {
    async registerTenant(ctx, req: pb.RegisterTenantRequest): Promise<pb.RegisterTenantResponse> {
      const t = req.tenant;
      const { tenant, created, promotion } = await d.tenants.register(ctx, {
        id: t?.id ?? '',
        name: t?.name ?? '',
        policy: policyFromProto(t?.policy, 'tenant.policy'),
        candidatePolicy: policyFromProto(t?.candidatePolicy, 'tenant.candidate_policy'),
      });
      const status = created ? 'registered' : 'updated';
      return {
        status,
        tenantId: tenant.id,
        message: `Tenant '${tenant.name}' ${status} successfully${promotion ? `; candidate policy promoted (it changed ${promotion.changedLast24h} decision(s) in the last 24 h)` : ''}`,
        promotedCandidate: Boolean(promotion),
        promotedCandidateChanged24h: promotion?.changedLast24h ?? 0,
      };
    },

    async getTenant(ctx): Promise<pb.GetTenantResponse> {
      return { tenant: tenantToProto(await d.tenants.get(ctx)) };
    },

    async registerSystem(ctx, req: pb.RegisterSystemRequest): Promise<pb.RegisterSystemResponse> {
      const r = await d.systems.register(ctx, systemFromProto(req.system));
      const status = r.created ? 'registered' : 'updated';
      let message = `System '${r.system.name}' ${status} successfully`;
      if (r.statusIgnored) {
        message += '; operational_status and lifecycle_phase were kept: change them through OperationsService';
      }
      if (r.promotion)
        message += `; candidate policy promoted (it changed ${r.promotion.changedLast24h} decision(s) in the last 24 h)`;
      return {
        status,
        systemId: r.system.id,
        tenantId: r.system.tenantId,
        message,
        complianceSummary: summaryToProto(r.summary),
        promotedCandidate: Boolean(r.promotion),
        promotedCandidateChanged24h: r.promotion?.changedLast24h ?? 0,
      };
    },

    async getSystem(ctx, req: pb.GetSystemRequest): Promise<pb.GetSystemResponse> {
      return { system: systemToProto(await d.systems.get(ctx, req.systemId)) };
    },

    async enforce(ctx, req: pb.EnforceRequest): Promise<pb.EnforceResponse> {
      const messages = req.messages.map((m, i) => ({
        role: fromProto<MessageRole>(types.MessageRole, 'MESSAGE_ROLE_', m.role, `messages[${i}].role`),
        content: m.content,
      }));
      const decision = await d.enforcement.enforce(ctx, {
        systemId: req.systemId,
        prompt: req.prompt,
        messages,
        env: req.env,
        artifactType: req.artifactType,
      });
      return { decision: decisionToProto(decision) };
    },

    async listSystems(ctx, req: pb.ListSystemsRequest): Promise<pb.ListSystemsResponse> {
      const page = await d.systems.list(ctx, req.pageSize, req.pageToken);
      return {
        tenantId: ctx.tenantId,
        count: page.systems.length,
        systems: page.systems.map(systemToProto),
        nextPageToken: page.nextPageToken,
        totalCount: page.total,
      };
    },
  };
}
