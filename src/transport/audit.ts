import type * as pb from '../../gen/ts/btv/v1/audit';
import * as types from '../../gen/ts/btv/v1/types';
import type { ComplianceReport, ComplianceService } from '../audit/compliance';
import type { LedgerService } from '../audit/ledger';
import type { ReviewService } from '../audit/reviews';
import type { RolloutService } from '../enforcement/rollout';
import type { ImpactCounts, ReviewRecord } from '../store/ports';
import type { ServiceHandlers } from './adapter';
import { toProto } from './enums';
import type { Checkpoint } from '../ledger/checkpoint';
import type { LedgerRecord } from '../ledger/entry';

export interface AuditDeps {
  ledger: LedgerService;
  reviews: ReviewService;
  compliance: ComplianceService;
  rollout: RolloutService;
}

type Handlers = ServiceHandlers<typeof pb.AuditServiceService>;

export function entryToProto(r: LedgerRecord): types.LedgerEntry {
  return {
    tenantId: r.tenantId,
    sequence: r.sequence,
    timestamp: new Date(r.timestamp),
    eventType: r.eventType,
    actorSubject: r.actorSubject,
    actorRole: r.actorRole,
    requestId: r.requestId,
    payloadJson: r.payload,
    prevHash: r.prevHash,
    entryHash: r.entryHash,
    keyId: r.keyId,
    signature: r.signature,
  };
}

const checkpointToProto = (c: Checkpoint): pb.LedgerCheckpoint => ({
  ...c,
  rootHash: c.rootHash ?? '',
  note: c.note ?? '',
});

const REVIEW_STATUS = {
  pending: types.ReviewStatus.REVIEW_STATUS_PENDING,
  approved: types.ReviewStatus.REVIEW_STATUS_APPROVED,
  rejected: types.ReviewStatus.REVIEW_STATUS_REJECTED,
};

export const reviewToProto = (r: ReviewRecord): types.Review => ({
  requestId: r.id,
  status: REVIEW_STATUS[r.status],
  createdAt: r.createdAt,
  systemId: r.systemId,
  riskScore: r.riskScore,
  decisionId: r.decisionId,
  resolvedAt: r.resolvedAt ?? undefined,
  resolvedBy: r.resolvedBy ?? '',
  notes: r.notes ?? '',
  reason: r.reason,
});

const countsToProto = (c: ImpactCounts) => ({
  decisions: c.decisions,
  changed: c.changed,
  wouldBlock: c.wouldBlock,
  wouldApprove: c.wouldApprove,
  wouldReview: c.wouldReview,
});

export function reportToProto(r: ComplianceReport): pb.ComplianceReport {
  return {
    systemId: r.systemId,
    generatedAt: r.generatedAt,
    nist: r.nist,
    euAiAct: { articles: r.euAiAct },
    supplyChain: {
      overallRisk: toProto(types.RiskLevel, 'RISK_LEVEL_', r.supplyChain.overallRisk),
      totalComponents: r.supplyChain.totalComponents,
      components: r.supplyChain.components.map((c) => ({
        ...c,
        riskLevel: toProto(types.RiskLevel, 'RISK_LEVEL_', c.riskLevel),
      })),
    },
    aicmCoverage: r.aicmCoverage,
    ledgerSequence: r.ledgerSequence,
    rollout: {
      monitorPeriods: r.rollout.monitorPeriods.map((p) => ({ since: p.since, until: p.until, setBy: p.setBy })),
      monitorEnvironments: r.rollout.monitorEnvironments,
      monitoredDecisions: r.rollout.monitoredDecisions,
      monitoredViolations: r.rollout.monitoredViolations,
      candidateSet: r.rollout.candidateSet,
      candidateImpact: { key: 'last_30_days', ...countsToProto(r.rollout.candidateImpact) },
    },
    checkpoint: r.checkpoint ? checkpointToProto(r.checkpoint) : undefined,
  };
}

/** Compliance reports, statistics, human reviews and the signed ledger. */
export function auditHandlers(d: AuditDeps): Handlers {
  return {
    async getComplianceReport(ctx, req: pb.GetComplianceReportRequest): Promise<pb.GetComplianceReportResponse> {
      const report = reportToProto(await d.compliance.report(ctx, req.systemId));
      const { ledgerSequence: _, checkpoint: __, ...fields } = report;
      return { ...fields, report };
    },

    async getComplianceStatistics(
      ctx,
      req: pb.GetComplianceStatisticsRequest,
    ): Promise<pb.GetComplianceStatisticsResponse> {
      const { complianceStatus, ...statistics } = await d.compliance.statistics(ctx, req.since, req.until);
      return { tenantId: ctx.tenantId, statistics, complianceStatus };
    },

    async getPolicyImpact(ctx, req: pb.GetPolicyImpactRequest): Promise<pb.GetPolicyImpactResponse> {
      const r = await d.rollout.impact(ctx, { systemId: req.systemId, since: req.since, until: req.until });
      return {
        ...countsToProto(r),
        byEnv: r.byEnv.map((g) => ({ key: g.key, ...countsToProto(g) })),
        byThreat: r.byThreat.map((g) => ({ key: g.key, ...countsToProto(g) })),
        sampleDecisionIds: r.sampleDecisionIds,
      };
    },

    async listPendingReviews(ctx, req: pb.ListPendingReviewsRequest): Promise<pb.ListPendingReviewsResponse> {
      const page = await d.reviews.pending(ctx, req.limit, req.pageToken);
      return {
        tenantId: ctx.tenantId,
        pendingCount: page.pendingCount,
        reviews: page.reviews.map(reviewToProto),
        nextPageToken: page.nextPageToken,
      };
    },

    async resolveReview(ctx, req: pb.ResolveReviewRequest): Promise<pb.ResolveReviewResponse> {
      return { review: reviewToProto(await d.reviews.resolve(ctx, req.requestId, req.approve, req.notes)) };
    },

    async listLedgerEntries(ctx, req: pb.ListLedgerEntriesRequest): Promise<pb.ListLedgerEntriesResponse> {
      const { entries, head } = await d.ledger.list(ctx, req.afterSequence, req.limit);
      return { entries: entries.map(entryToProto), headSequence: head.sequence };
    },

    async verifyLedger(ctx): Promise<pb.VerifyLedgerResponse> {
      const r = await d.ledger.verify(ctx.tenantId);
      return {
        valid: r.valid,
        entriesChecked: r.entriesChecked,
        firstInvalidSequence: r.firstInvalidSequence,
        problem: r.problem,
        detail: r.detail,
        checkpointsChecked: r.checkpointsChecked,
      };
    },

    async createLedgerCheckpoint(ctx): Promise<pb.CreateLedgerCheckpointResponse> {
      return { checkpoint: checkpointToProto(await d.ledger.checkpoint(ctx.tenantId)) };
    },

    async listLedgerCheckpoints(ctx): Promise<pb.ListLedgerCheckpointsResponse> {
      const cps = await d.ledger.checkpoints(ctx.tenantId);
      return {
        checkpoints: cps.map(checkpointToProto),
        publicKeyPem: d.ledger.publicKeyPem,
        verifierKey: d.ledger.verifierKey(ctx.tenantId),
      };
    },

    async getInclusionProof(ctx, req: pb.GetInclusionProofRequest): Promise<pb.GetInclusionProofResponse> {
      return d.ledger.inclusionProof(ctx.tenantId, req.sequence, req.treeSize);
    },

    async getConsistencyProof(ctx, req: pb.GetConsistencyProofRequest): Promise<pb.GetConsistencyProofResponse> {
      const r = await d.ledger.consistencyProof(ctx.tenantId, req.fromSize, req.toSize);
      return { proof: r.proof, toSize: r.toSize };
    },
  };
}
