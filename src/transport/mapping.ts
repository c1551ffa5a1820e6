import * as pb from '../../gen/ts/btv/v1/types';
import type { DecisionResult } from '../enforcement/service';
import type { ComplianceSummary, SystemInput } from '../domain/systems';
import type { AiSystem, EnforcementMode, Policy, Tenant } from '../domain/model';
import { fromProto, toProto } from './enums';

export function policyFromProto(p: pb.Policy | undefined, field: string): Policy | undefined {
  if (!p) return undefined;
  const autonomyMatrix: Policy['autonomyMatrix'] = {};
  for (const [env, limit] of Object.entries(p.autonomyMatrix))
    autonomyMatrix[env] = { maxRiskLevel: limit?.maxRiskLevel ?? 0 };
  const mode = fromProto<EnforcementMode>(pb.EnforcementMode, 'ENFORCEMENT_MODE_', p.mode ?? 0, `${field}.mode`);
  return { autonomyMatrix, customRules: { ...p.customRules }, ...(mode ? { mode } : {}) };
}

export function policyToProto(p: Policy | null): pb.Policy | undefined {
  if (!p) return undefined;
  const autonomyMatrix: pb.Policy['autonomyMatrix'] = {};
  for (const [env, limit] of Object.entries(p.autonomyMatrix))
    autonomyMatrix[env] = { maxRiskLevel: limit.maxRiskLevel };
  return {
    autonomyMatrix,
    customRules: { ...p.customRules },
    mode: p.mode ? toProto(pb.EnforcementMode, 'ENFORCEMENT_MODE_', p.mode) : undefined,
  };
}

export function tenantToProto(t: Tenant): pb.Tenant {
  return {
    id: t.id,
    name: t.name,
    policy: policyToProto(t.policy),
    candidatePolicy: policyToProto(t.candidatePolicy),
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
}

/** Output-only fields (tenant_id, created_at, updated_at) are dropped here: no mass assignment. */
export function systemFromProto(s: pb.AiSystem | undefined): SystemInput {
  const x = s ?? pb.AiSystem.fromPartial({});
  return {
    id: x.id,
    name: x.name,
    version: x.version,
    sector: fromProto(pb.Sector, 'SECTOR_', x.sector, 'system.sector'),
    role: fromProto(pb.AiRole, 'AI_ROLE_', x.role, 'system.role'),
    risk: fromProto(pb.RiskClassification, 'RISK_CLASSIFICATION_', x.risk, 'system.risk'),
    sandbox: x.sandbox,
    euDatabaseId: x.euDatabaseId,
    trainingFlops: x.trainingFlops,
    loggingEnabled: x.loggingEnabled,
    jurisdiction: x.jurisdiction,
    intendedPurpose: x.intendedPurpose,
    prohibitedDomains: x.prohibitedDomains,
    lifecyclePhase: fromProto(pb.LifecyclePhase, 'LIFECYCLE_PHASE_', x.lifecyclePhase, 'system.lifecycle_phase'),
    operationalStatus: fromProto(
      pb.OperationalStatus,
      'OPERATIONAL_STATUS_',
      x.operationalStatus,
      'system.operational_status',
    ),
    externalDependencies: x.externalDependencies.map((c, i) => ({
      name: c.name,
      version: c.version,
      vendor: c.vendor,
      licenseType: c.licenseType,
      riskLevel: fromProto(pb.RiskLevel, 'RISK_LEVEL_', c.riskLevel, `system.external_dependencies[${i}].risk_level`),
      vulnerabilities: c.vulnerabilities,
    })),
    policy: policyFromProto(x.policy, 'system.policy'),
    candidatePolicy: policyFromProto(x.candidatePolicy, 'system.candidate_policy'),
  };
}

export function systemToProto(s: AiSystem): pb.AiSystem {
  return {
    id: s.id,
    name: s.name,
    version: s.version,
    sector: toProto(pb.Sector, 'SECTOR_', s.sector),
    role: toProto(pb.AiRole, 'AI_ROLE_', s.role),
    risk: toProto(pb.RiskClassification, 'RISK_CLASSIFICATION_', s.risk),
    sandbox: s.sandbox,
    euDatabaseId: s.euDatabaseId,
    trainingFlops: s.trainingFlops,
    loggingEnabled: s.loggingEnabled,
    jurisdiction: s.jurisdiction,
    intendedPurpose: s.intendedPurpose,
    prohibitedDomains: s.prohibitedDomains,
    lifecyclePhase: toProto(pb.LifecyclePhase, 'LIFECYCLE_PHASE_', s.lifecyclePhase),
    operationalStatus: toProto(pb.OperationalStatus, 'OPERATIONAL_STATUS_', s.operationalStatus),
    externalDependencies: s.externalDependencies.map((c) => ({
      name: c.name,
      version: c.version,
      vendor: c.vendor,
      licenseType: c.licenseType,
      riskLevel: toProto(pb.RiskLevel, 'RISK_LEVEL_', c.riskLevel),
      vulnerabilities: c.vulnerabilities,
    })),
    policy: policyToProto(s.policy),
    candidatePolicy: policyToProto(s.candidatePolicy),
    tenantId: s.tenantId,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

export function summaryToProto(c: ComplianceSummary): pb.ComplianceSummary {
  return {
    lifecyclePhase: toProto(pb.LifecyclePhase, 'LIFECYCLE_PHASE_', c.lifecyclePhase),
    operationalStatus: toProto(pb.OperationalStatus, 'OPERATIONAL_STATUS_', c.operationalStatus),
    requiresHumanOversight: c.requiresHumanOversight,
    nistAlignment: c.nistAlignment,
  };
}

const OUTCOMES = {
  approved: pb.DecisionOutcome.DECISION_OUTCOME_APPROVED,
  blocked: pb.DecisionOutcome.DECISION_OUTCOME_BLOCKED,
  review_required: pb.DecisionOutcome.DECISION_OUTCOME_REVIEW_REQUIRED,
};

export function decisionToProto(d: DecisionResult): pb.Decision {
  return {
    decisionId: d.decisionId,
    systemId: d.systemId,
    outcome: OUTCOMES[d.outcome],
    riskScore: d.riskScore,
    reason: d.reason,
    detectedThreats: d.detectedThreats,
    confidence: d.confidence,
    recommendations: d.recommendations,
    controlsApplied: d.controlsApplied,
    baselineRisk: d.baselineRisk,
    subThreatType: d.subThreatType,
    regulatoryImpact: {
      executiveSummary: d.regulatoryImpact.executiveSummary,
      applicableRegulations: d.regulatoryImpact.penalties.map((p) => ({
        penaltyId: p.id,
        regulation: p.regulation,
        article: p.article,
        jurisdiction: p.jurisdiction,
        currency: p.currency,
        minPenalty: p.minPenalty,
        maxPenalty: p.maxPenalty,
        severity: p.severity,
      })),
    },
    ledgerSequence: d.ledgerSequence,
    receipt: { ledgerSequence: d.ledgerSequence, entryHash: d.entryHash },
    reviewId: d.reviewId,
    env: d.env,
    riskLimit: d.riskLimit,
    rulesHash: d.rulesHash,
    createdAt: d.createdAt,
    findings: d.findings.map((f) => ({
      domain: f.domain,
      subThreat: f.subThreat,
      pattern: f.pattern,
      severity: f.severity,
      confidence: f.confidence,
      messageIndex: f.messageIndex,
    })),
    enforced: d.enforced,
    monitoredOutcome: d.monitoredOutcome ? OUTCOMES[d.monitoredOutcome] : 0,
    candidateOutcome: d.candidateOutcome ? OUTCOMES[d.candidateOutcome] : 0,
  };
}
