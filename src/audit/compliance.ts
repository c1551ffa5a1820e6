import { asksMonitor } from '../engine/rollout';
import type { RuleSet } from '../engine/rules';
import type { ImpactCounts, ImpactReader, LedgerReader, ReviewQueries, SystemStore } from '../store/ports';
import type { RequestContext } from '../domain/context';
import { DomainError, systemNotFound } from '../domain/errors';
import type { LedgerService } from './ledger';
import type { Checkpoint } from '../ledger/checkpoint';
import type { AiSystem, Policy, RiskLevel, ThirdPartyComponent } from '../domain/model';
import type { Clock } from '../domain/clock';
import { SYSTEM_ID_RE, validateWindow } from '../domain/validation';
import type { StoredBody } from '../ledger/events';
import { decisionReasonCode } from '../ledger/events';

export interface Statistics {
  totalDecisions: number;
  totalViolations: number;
  avgRiskScore: number;
  mostCommonReason: string;
  byThreat: Record<string, number>;
  /** Answered APPROVED in monitor mode; counted in totalDecisions, their would-be blocks not in totalViolations. */
  monitoredDecisions: number;
  monitoredViolations: number;
  complianceStatus: 'healthy' | 'attention' | 'critical';
}

export interface ArticleStatus {
  article: string;
  title: string;
  status: 'compliant' | 'non_compliant' | 'not_applicable' | 'attention';
  evidence: string;
}

export interface ComplianceReport {
  systemId: string;
  generatedAt: Date;
  nist: { compliancePercentage: number; implemented: string[]; roadmap: string[] };
  euAiAct: ArticleStatus[];
  supplyChain: { overallRisk: RiskLevel; totalComponents: number; components: ThirdPartyComponent[] };
  aicmCoverage: number;
  ledgerSequence: number;
  ledgerValid: boolean;
  /** The signed checkpoint (size = ledgerSequence) the report was computed at: the proof it names. */
  checkpoint?: Checkpoint;
  /** The signed-note verifier key that checks the checkpoint's note. */
  checkpointVerifierKey?: string;
  rollout: RolloutSummary;
}

export interface MonitorPeriod {
  since: Date;
  /** Undefined: still in monitor mode. */
  until?: Date;
  /** Whose policy asked for it. */
  setBy: 'system' | 'tenant';
}

/** How the system's policies were tried before (or instead of) being enforced. */
export interface RolloutSummary {
  monitorPeriods: MonitorPeriod[];
  /** Where monitor mode takes effect (config/policy.yaml); elsewhere a monitor policy is enforced. */
  monitorEnvironments: string[];
  monitoredDecisions: number;
  /** Monitored decisions enforcement would have blocked or sent to review. */
  monitoredViolations: number;
  /** A candidate policy is set on the system or its tenant now. */
  candidateSet: boolean;
  /** The candidates' measured impact on this system's decisions of the last 30 days. */
  candidateImpact: ImpactCounts;
}

const RISK_ORDER: RiskLevel[] = ['low', 'medium', 'high', 'critical'];
const HIGH = new Set(['high', 'systemic_gpai']);
const round2 = (n: number) => Math.round(n * 100) / 100;
type StoredDecision = StoredBody<'decision'>;
// A monitored decision's outcome is what enforcement would have answered: it did not stop the task.
const isMonitored = (p: StoredDecision) => p.enforced === false;
const isViolation = (p: StoredDecision) => p.outcome !== 'approved' && !isMonitored(p);

/** Statistics and compliance reports, computed from the tenant's own ledger, systems and reviews. */
export class ComplianceService {
  constructor(
    private readonly ledger: LedgerReader,
    private readonly ledgerService: LedgerService,
    private readonly systems: SystemStore,
    private readonly reviews: ReviewQueries,
    private readonly rules: RuleSet,
    private readonly clock: Clock,
    private readonly impact: ImpactReader,
  ) {}

  async statistics(ctx: RequestContext, since?: Date, until?: Date): Promise<Statistics> {
    validateWindow(since, until);
    const decisions = await this.ledger.events(ctx.tenantId, 'decision', { since, until });
    const violations = decisions.filter((d) => isViolation(d.payload));
    const monitored = decisions.filter((d) => isMonitored(d.payload));
    const byThreat: Record<string, number> = {};
    for (const d of decisions) for (const t of d.payload.detected_threats ?? []) byThreat[t] = (byThreat[t] ?? 0) + 1;
    const reasons = new Map<string, number>();
    for (const v of violations)
      reasons.set(decisionReasonCode(v.payload), (reasons.get(decisionReasonCode(v.payload)) ?? 0) + 1);
    const most = [...reasons].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? '';
    const avg = decisions.length
      ? decisions.reduce((s, d) => s + Number(d.payload.risk_score ?? 0), 0) / decisions.length
      : 0;
    const rate = decisions.length ? violations.length / decisions.length : 0;
    const t = this.rules.policy.complianceStatus;
    const prohibited = violations.some((v) => decisionReasonCode(v.payload) === 'PROHIBITED_PRACTICE');
    const complianceStatus =
      prohibited || rate >= t.criticalViolationRate
        ? 'critical'
        : rate >= t.attentionViolationRate
          ? 'attention'
          : 'healthy';
    return {
      totalDecisions: decisions.length,
      totalViolations: violations.length,
      avgRiskScore: round2(avg),
      mostCommonReason: most,
      byThreat,
      monitoredDecisions: monitored.length,
      monitoredViolations: monitored.filter((d) => d.payload.outcome !== 'approved').length,
      complianceStatus,
    };
  }

  async report(ctx: RequestContext, systemId: string): Promise<ComplianceReport> {
    const system = SYSTEM_ID_RE.test(systemId) ? await this.systems.get(ctx.tenantId, systemId) : undefined;
    if (!system) throw systemNotFound(systemId);
    // Signed first, read after: every entry the checkpoint covers is committed, so the report is
    // computed from exactly the first `size` entries, which anyone can check against its note.
    // A ledger whose tree does not match its entries gets no signature: the report then says so
    // (Art. 12 non-compliant) over every entry, instead of failing.
    const checkpoint = await this.ledgerService.checkpoint(ctx.tenantId).catch((e: unknown) => {
      if (e instanceof DomainError && e.reason === 'STORAGE_DAMAGED') return undefined;
      throw e;
    });
    const covered = <T extends { sequence: number }>(rows: T[]) =>
      checkpoint ? rows.filter((r) => r.sequence <= checkpoint.size) : rows;
    const now = this.clock();
    const [decisions, stops, reviews, verify, policies, impact] = await Promise.all([
      this.ledger.events(ctx.tenantId, 'decision', { systemId }).then(covered),
      this.ledger.events(ctx.tenantId, 'status.changed', { systemId }).then(covered),
      this.reviews.forSystem(ctx.tenantId, systemId),
      this.ledgerService.verify(ctx.tenantId),
      this.policyHistory(ctx.tenantId, systemId),
      this.impact.impact(ctx.tenantId, { systemId, since: new Date(now.getTime() - 30 * 86_400_000), until: now }, 0),
    ]);
    // The tenant's candidate as its last registration left it (the system's is on its record).
    const candidateSet =
      system.candidatePolicy !== null || Boolean(policies.filter((p) => p.level === 'tenant').pop()?.candidate);
    const report = buildReport(system, {
      decisions: decisions.map((d) => d.payload),
      stops: stops.map((s) => ({ at: s.timestamp, ...s.payload })),
      reviews,
      ledgerValid: verify.valid && checkpoint !== undefined,
      ledgerSequence: checkpoint?.size ?? verify.entriesChecked,
      now,
      policies,
      monitorEnvironments: this.rules.policy.monitorEnvironments,
      candidateSet,
      candidateImpact: impact,
    });
    return checkpoint
      ? { ...report, checkpoint, checkpointVerifierKey: this.ledgerService.verifierKey(ctx.tenantId) }
      : report;
  }

  /** Every policy change of the system and its tenant, in ledger order. */
  private async policyHistory(tenantId: string, systemId: string): Promise<PolicyChange[]> {
    const [reg, upd, treg, tupd] = await Promise.all([
      this.ledger.events(tenantId, 'system.registered', { systemId }),
      this.ledger.events(tenantId, 'system.updated', { systemId }),
      this.ledger.events(tenantId, 'tenant.registered'),
      this.ledger.events(tenantId, 'tenant.updated'),
    ]);
    // Checked for an object although typed as a policy: a tampered entry may hold anything there.
    const mode = (p: Policy | null | undefined): string => (p && typeof p === 'object' ? (p.mode ?? '') : '');
    return [
      ...[...reg, ...upd].map((e) => ({
        sequence: e.sequence,
        at: e.timestamp,
        level: 'system' as const,
        mode: mode(e.payload.spec?.policy),
        candidate: Boolean(e.payload.spec?.candidatePolicy),
      })),
      ...[...treg, ...tupd].map((e) => ({
        sequence: e.sequence,
        at: e.timestamp,
        level: 'tenant' as const,
        mode: mode(e.payload.policy),
        candidate: Boolean(e.payload.candidate_policy),
      })),
    ].sort((a, b) => a.sequence - b.sequence);
  }
}

interface PolicyChange {
  sequence: number;
  at: Date;
  level: 'system' | 'tenant';
  mode: string;
  candidate: boolean;
}

/** The periods in which the system's effective mode was monitor: some level asked, none said enforce. */
export function monitorPeriods(changes: PolicyChange[]): MonitorPeriod[] {
  const periods: MonitorPeriod[] = [];
  const mode = { system: '', tenant: '' };
  let open: MonitorPeriod | undefined;
  for (const c of changes) {
    mode[c.level] = c.mode;
    const on = asksMonitor([mode.tenant, mode.system]);
    if (on && !open) {
      open = { since: c.at, setBy: mode.system === 'monitor' ? 'system' : 'tenant' };
      periods.push(open);
    } else if (!on && open) {
      open.until = c.at;
      open = undefined;
    }
  }
  return periods;
}

interface History {
  policies: PolicyChange[];
  monitorEnvironments: string[];
  candidateSet: boolean;
  candidateImpact: ImpactCounts;
  decisions: StoredDecision[];
  stops: (StoredBody<'status.changed'> & { at: Date })[];
  reviews: { status: string; createdAt: Date }[];
  ledgerValid: boolean;
  ledgerSequence: number;
  now: Date;
}

/** The report as a pure function of the system record and its history, so every line has evidence behind it. */
export function buildReport(s: AiSystem, h: History): ComplianceReport {
  const implemented: string[] = [];
  const roadmap: string[] = [];
  const nist = (id: string, ok: boolean, yes: string, no: string) =>
    (ok ? implemented : roadmap).push(`${id}: ${ok ? yes : no}`);
  const emergencyStops = h.stops.filter((x) => x.to === 'emergency_stop');
  const monitored = h.decisions.filter(isMonitored);
  const violations = h.decisions.filter(isViolation);
  const prohibitedBlocks = h.decisions.filter((d) => decisionReasonCode(d) === 'PROHIBITED_PRACTICE').length;
  const pending = h.reviews.filter((r) => r.status === 'pending');
  const stalePending = pending.filter((r) => h.now.getTime() - r.createdAt.getTime() > 7 * 86_400_000);

  nist('GOVERN-1.6', true, `in the AI system inventory since ${s.createdAt.toISOString()}`, '');
  nist(
    'GOVERN-6.1',
    s.externalDependencies.length > 0,
    `${s.externalDependencies.length} third-party components registered`,
    'no third-party components registered',
  );
  nist('MAP-1.1', s.intendedPurpose !== '', 'intended purpose documented', 'intended purpose not documented');
  nist('MAP-2.1', true, `classified as ${s.risk} risk in sector ${s.sector}`, '');
  nist(
    'MAP-3.5',
    s.lifecyclePhase !== undefined,
    `lifecycle phase tracked (${s.lifecyclePhase})`,
    'lifecycle phase not set',
  );
  nist(
    'MEASURE-2.7',
    h.decisions.length > 0,
    `${h.decisions.length} requests assessed for security and misuse`,
    'no request assessed yet',
  );
  nist(
    'MEASURE-3.1',
    violations.length > 0 || h.decisions.length > 0,
    `${violations.length} risky requests tracked over ${h.decisions.length} decisions`,
    'no decision history yet',
  );
  nist(
    'MANAGE-2.4',
    true,
    emergencyStops.length
      ? `kill switch available and exercised ${emergencyStops.length} time(s), last at ${emergencyStops[emergencyStops.length - 1].at.toISOString()}`
      : 'kill switch available (never exercised)',
    '',
  );
  nist('MANAGE-4.1', s.loggingEnabled, 'logging enabled for post-deployment monitoring', 'logging disabled');

  const high = HIGH.has(s.risk);
  const annex = s.sector !== 'general' && s.sector !== 'general_commercial' && s.sector !== 'marketing';
  const art = (article: string, title: string, status: ArticleStatus['status'], evidence: string): ArticleStatus => ({
    article,
    title,
    status,
    evidence,
  });
  const articles: ArticleStatus[] = [
    s.risk === 'prohibited'
      ? art('Art. 5', 'Prohibited AI practices', 'non_compliant', 'the system is classified as a prohibited practice')
      : art(
          'Art. 5',
          'Prohibited AI practices',
          'compliant',
          `${prohibitedBlocks} prohibited-practice request(s) blocked`,
        ),
    art(
      'Art. 6',
      'Classification of high-risk AI systems',
      'compliant',
      `classified as ${s.risk}${annex ? ` (Annex III area: ${s.sector})` : ''}`,
    ),
    h.decisions.length
      ? art(
          'Art. 9',
          'Risk management system',
          'compliant',
          `${h.decisions.length} decisions risk-assessed before execution`,
        )
      : art('Art. 9', 'Risk management system', 'attention', 'no decision has been risk-assessed yet'),
    s.loggingEnabled && h.ledgerValid
      ? art(
          'Art. 12',
          'Record-keeping',
          'compliant',
          `logging enabled; signed ledger verified (${h.ledgerSequence} entries)`,
        )
      : art(
          'Art. 12',
          'Record-keeping',
          'non_compliant',
          !s.loggingEnabled ? 'logging is disabled' : 'the signed ledger does not verify',
        ),
    !high
      ? art('Art. 14', 'Human oversight', 'not_applicable', `${s.risk} risk: human oversight obligations do not apply`)
      : stalePending.length
        ? art(
            'Art. 14',
            'Human oversight',
            'attention',
            `${stalePending.length} review(s) pending for more than 7 days`,
          )
        : art(
            'Art. 14',
            'Human oversight',
            'compliant',
            `kill switch available; ${h.reviews.length - pending.length} review(s) resolved, ${pending.length} pending`,
          ),
    s.trainingFlops >= 1e25
      ? s.risk === 'systemic_gpai'
        ? art(
            'Art. 51',
            'GPAI models with systemic risk',
            'compliant',
            `training compute ${s.trainingFlops.toExponential(2)} FLOPs >= 1e25, classified systemic GPAI`,
          )
        : art(
            'Art. 51',
            'GPAI models with systemic risk',
            'attention',
            `training compute ${s.trainingFlops.toExponential(2)} FLOPs >= 1e25 but not classified systemic GPAI`,
          )
      : art(
          'Art. 51',
          'GPAI models with systemic risk',
          'not_applicable',
          `training compute ${s.trainingFlops.toExponential(2)} FLOPs < 1e25`,
        ),
    !high
      ? art('Art. 71', 'EU database registration', 'not_applicable', `${s.risk} risk: registration not required`)
      : s.euDatabaseId
        ? art('Art. 71', 'EU database registration', 'compliant', `registered as ${s.euDatabaseId}`)
        : art('Art. 71', 'EU database registration', 'non_compliant', 'high-risk system without an EU database id'),
  ];
  const applicable = articles.filter((a) => a.status !== 'not_applicable');
  const components = s.externalDependencies;
  const overall = components.reduce<RiskLevel>(
    (worst, c) => (RISK_ORDER.indexOf(c.riskLevel) > RISK_ORDER.indexOf(worst) ? c.riskLevel : worst),
    'low',
  );
  return {
    systemId: s.id,
    generatedAt: h.now,
    nist: {
      compliancePercentage: round2((implemented.length / (implemented.length + roadmap.length)) * 100),
      implemented,
      roadmap,
    },
    euAiAct: articles,
    supplyChain: { overallRisk: overall, totalComponents: components.length, components },
    aicmCoverage: round2(applicable.filter((a) => a.status === 'compliant').length / Math.max(1, applicable.length)),
    ledgerSequence: h.ledgerSequence,
    ledgerValid: h.ledgerValid,
    rollout: {
      monitorPeriods: monitorPeriods(h.policies),
      monitorEnvironments: h.monitorEnvironments,
      monitoredDecisions: monitored.length,
      monitoredViolations: monitored.filter((d) => d.outcome !== 'approved').length,
      candidateSet: h.candidateSet,
      candidateImpact: h.candidateImpact,
    },
  };
}
