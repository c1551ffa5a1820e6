import type { AiSystem, LifecyclePhase, OperationalStatus, Policy } from '../domain/model';
import type { Penalty, RuleSet } from './rules';
import type { Classification, Finding } from './threat-types';

export type Outcome = 'approved' | 'blocked' | 'review_required';

export type StatusInput = { verified: true; status: OperationalStatus; phase: LifecyclePhase } | { verified: false };

export interface DecisionInput {
  system: AiSystem;
  tenantPolicy: Policy | null;
  status: StatusInput;
  env: string;
  artifactType: string;
  classification: Classification;
}

export interface DecisionDraft {
  outcome: Outcome;
  riskScore: number;
  /** Machine-readable reason prefix, e.g. KILL_SWITCH_ACTIVE. */
  reasonCode: string;
  reason: string;
  detectedThreats: string[];
  confidence: number;
  recommendations: string[];
  controlsApplied: string[];
  baselineRisk: number;
  subThreatType: string;
  riskLimit: number;
  regulatoryImpact: { executiveSummary: string; penalties: Penalty[] };
  findings: Finding[];
}

const round = (n: number) => Math.round(n * 100) / 100;
const HIGH_RISK = new Set(['high', 'systemic_gpai']);

/** Effective limit for env: global, then tenant, then system; the lowest wins. */
export function effectiveLimit(rules: RuleSet, env: string, tenant: Policy | null, system: Policy | null): number {
  let limit = rules.policy.autonomyMatrix[env];
  for (const p of [tenant, system]) {
    const v = p?.autonomyMatrix[env]?.maxRiskLevel;
    if (v !== undefined && v < limit) limit = v;
  }
  return limit;
}

/** Technical and regulatory assessors: the risk a system carries before any threat finding. */
export type BaselineFields = Pick<
  AiSystem,
  'risk' | 'sector' | 'loggingEnabled' | 'trainingFlops' | 'sandbox' | 'role'
>;

export function baselineRisk(rules: RuleSet, s: BaselineFields): number {
  const b = rules.policy.baseline;
  let risk = b.riskClass[s.risk];
  if (b.annexIiiSectors.includes(s.sector)) risk += b.annexIiiSector;
  if (!s.loggingEnabled) risk += b.loggingDisabled;
  if (s.trainingFlops >= b.gpaiSystemicFlops) risk += b.gpaiSystemic;
  if (s.sandbox) risk += b.sandbox;
  if (s.role === 'provider') risk += b.providerRole;
  return round(Math.min(10, Math.max(0, risk)));
}

/** What a finding weighs: its severity, capped when it is uncertain. */
export const weight = (rules: RuleSet, f: Finding): number =>
  f.certain ? f.severity : Math.min(f.severity, rules.policy.ethical.uncertainSeverity);

/** Ethical assessor: the worst finding, plus a little for every other threat domain involved. */
export function ethicalRisk(rules: RuleSet, findings: Finding[]): number {
  if (findings.length === 0) return 0;
  const worst = Math.max(...findings.map((f) => weight(rules, f)));
  const domains = new Set(findings.map((f) => f.domain)).size;
  return round(Math.min(10, worst + rules.policy.ethical.extraDomain * (domains - 1)));
}

function applies(p: Penalty, jurisdiction: string): boolean {
  return jurisdiction === p.jurisdiction || jurisdiction.startsWith(p.jurisdiction + '-');
}

function money(p: Penalty): string {
  const amount = `${p.currency} ${p.maxPenalty.toLocaleString('en-US')}`;
  return p.turnoverPercent ? `${amount} or ${p.turnoverPercent}% of worldwide turnover` : amount;
}

/**
 * The decision, as a pure function of the system, the policies, the status
 * and the classification: status gate first, then policy merge, assessors,
 * the environment limit and the outcome. Nothing here does I/O.
 */
export function decide(rules: RuleSet, i: DecisionInput): DecisionDraft {
  const v = verdict(rules, i);
  return 'gate' in v ? gated(rules, i, v) : explained(rules, i, v);
}

/** What the decision answers, without the explanation: all a candidate policy's measure needs. */
export function outcomeOf(rules: RuleSet, i: DecisionInput): Outcome {
  return verdict(rules, i).outcome;
}

interface Gate {
  gate: true;
  outcome: 'blocked';
  code: string;
  why: string;
  threat: string;
  subThreat: string;
  control: string;
  base: number;
  limit: number;
}

interface Verdict {
  outcome: Outcome;
  code: string;
  why: string;
  risk: number;
  base: number;
  limit: number;
  controls: string[];
  findings: Finding[];
}

const gate = (
  code: string,
  why: string,
  threat: string,
  subThreat: string,
  control: string,
  base: number,
  limit: number,
): Gate => ({
  gate: true,
  outcome: 'blocked',
  code,
  why,
  threat,
  subThreat,
  control,
  base,
  limit,
});

function gated(rules: RuleSet, i: DecisionInput, g: Gate): DecisionDraft {
  return {
    outcome: 'blocked',
    riskScore: 10,
    reasonCode: g.code,
    reason: `${g.code}: ${g.why}`,
    detectedThreats: [g.threat],
    confidence: 1,
    recommendations: [rules.policy.recommendations[g.code]].filter(Boolean),
    controlsApplied: [g.control],
    baselineRisk: g.base,
    subThreatType: g.subThreat,
    riskLimit: g.limit,
    regulatoryImpact: {
      executiveSummary: `${i.system.id} is not running tasks (${g.code}); no task was evaluated.`,
      penalties: [],
    },
    findings: [],
  };
}

/** Steps 1-4 and the outcome: the status gate, the policy merge, the assessors and the limits. */
function verdict(rules: RuleSet, i: DecisionInput): Gate | Verdict {
  const { policy } = rules;
  const s = i.system;
  const controls: string[] = [];
  const base = baselineRisk(rules, s);
  let limit = effectiveLimit(rules, i.env, i.tenantPolicy, s.policy);

  // 1. Status gate: the kill switch first, before any other work.
  if (!i.status.verified) {
    return gate(
      'STATUS_UNVERIFIED',
      'the system status cannot be verified right now, failing closed',
      'STATUS_UNVERIFIED',
      'status_unverified',
      'Fail-Closed Status Gate',
      base,
      limit,
    );
  }
  switch (i.status.status) {
    case 'emergency_stop':
      return gate(
        'KILL_SWITCH_ACTIVE',
        `emergency stop is active for ${s.id}`,
        'EMERGENCY_STOP',
        'emergency_stop_active',
        'Emergency Stop Protocol',
        base,
        limit,
      );
    case 'suspended':
      return gate(
        'SYSTEM_SUSPENDED',
        `${s.id} is suspended`,
        'SYSTEM_SUSPENDED',
        'system_suspended',
        'Operational Status Gate',
        base,
        limit,
      );
    case 'maintenance':
      return gate(
        'SYSTEM_MAINTENANCE',
        `${s.id} is in maintenance`,
        'SYSTEM_MAINTENANCE',
        'system_maintenance',
        'Operational Status Gate',
        base,
        limit,
      );
  }
  if (i.status.phase === 'decommissioning') {
    return gate(
      'SYSTEM_DECOMMISSIONED',
      `${s.id} is being decommissioned`,
      'SYSTEM_DECOMMISSIONED',
      'system_decommissioned',
      'Lifecycle Gate',
      base,
      limit,
    );
  }
  controls.push('Operational Status Gate');

  // 2. Policy merge (global -> tenant -> system, most restrictive wins).
  controls.push('Policy Merge (global, tenant, system)');
  if (i.status.status === 'degraded') {
    limit = round(limit * policy.degradedLimitFactor);
    controls.push('Degraded Mode Limit');
  }

  // 3. Threat classification.
  const findings = [...i.classification.findings].sort(
    (a, b) => b.severity - a.severity || b.confidence - a.confidence,
  );
  controls.push('Nine-Domain Threat Classification');
  const domains = [...new Set(findings.map((f) => f.domain))];
  const subThreats = [...new Set(findings.map((f) => f.subThreat))];
  const prohibited = findings.filter((f) => f.prohibitedPractice && f.certain);
  const critical = findings.find((f) => f.certain && f.severity >= policy.ethical.criticalSeverity);
  const uncertain = findings.filter((f) => !f.certain);

  // 4. Assessors.
  controls.push('Technical, Regulatory and Ethical Assessors');
  const ethical = ethicalRisk(rules, findings);
  let risk = round(Math.min(10, Math.max(base, ethical)));

  let outcome: Outcome;
  let code: string;
  let why: string;
  const enabledRules = Object.entries(policy.customRules).filter(
    ([name, r]) => (i.tenantPolicy?.customRules[name] || s.policy?.customRules[name]) && r.environments.includes(i.env),
  );
  const ruleHit = enabledRules.find(([, r]) =>
    r.patterns.some((p) => p.test(i.classification.normalized) || p.test(i.classification.clean)),
  );
  const prohibitedDomain = s.prohibitedDomains.find((d) => {
    const key = d.toLowerCase().replace(/[\s-]+/g, '_');
    return (
      subThreats.includes(key) ||
      domains.some((x) => x.toLowerCase() === key) ||
      prohibited.some((f) => f.prohibitedPractice === key)
    );
  });

  if (s.risk === 'prohibited') {
    [outcome, code, why, risk] = [
      'blocked',
      'PROHIBITED_SYSTEM',
      `${s.id} is classified as a prohibited AI practice (EU AI Act Art. 5)`,
      10,
    ];
    controls.push('Prohibited Practice Screen (EU AI Act Art. 5)');
  } else if (prohibited.length > 0) {
    const names = [...new Set(prohibited.map((f) => f.prohibitedPractice))].join(', ');
    [outcome, code, why, risk] = [
      'blocked',
      'PROHIBITED_PRACTICE',
      `EU AI Act Art. 5 prohibited practice detected: ${names}`,
      10,
    ];
    controls.push('Prohibited Practice Screen (EU AI Act Art. 5)');
  } else if (prohibitedDomain) {
    [outcome, code, why] = [
      'blocked',
      'PROHIBITED_DOMAIN',
      `the task falls in "${prohibitedDomain}", which ${s.id} must never serve`,
    ];
    risk = Math.max(risk, Math.min(10, limit + 1));
    controls.push('System Prohibited Domains');
  } else if (ruleHit) {
    [outcome, code, why] = [
      'blocked',
      'CUSTOM_RULE',
      `rule ${ruleHit[0]} forbids this task in ${i.env}: ${ruleHit[1].description}`,
    ];
    controls.push(`Custom Rule ${ruleHit[0]}`);
  } else if (critical) {
    [outcome, code, why, risk] = [
      'blocked',
      'CRITICAL_THREAT',
      `a confident finding of ${critical.subThreat} (${critical.domain}) is critical in every environment`,
      10,
    ];
  } else if (HIGH_RISK.has(s.risk) && uncertain.length > 0) {
    // An uncertain finding is a question for a person, not a verdict: a high-risk system asks one.
    [outcome, code, why] = [
      'review_required',
      'HUMAN_REVIEW_REQUIRED',
      `an uncertain finding on a high-risk system needs a human review`,
    ];
    controls.push('Human Oversight Review (EU AI Act Art. 14)');
  } else if (risk >= policy.criticalThreshold) {
    [outcome, code, why] = [
      'blocked',
      'RISK_ABOVE_LIMIT',
      `risk ${risk} reaches the critical threshold ${policy.criticalThreshold}`,
    ];
  } else if (risk > limit) {
    [outcome, code, why] = ['blocked', 'RISK_ABOVE_LIMIT', `risk ${risk} is above the ${i.env} limit ${limit}`];
  } else if (HIGH_RISK.has(s.risk) && risk > limit - policy.greyBand) {
    [outcome, code, why] = [
      'review_required',
      'HUMAN_REVIEW_REQUIRED',
      `risk ${risk} is within ${policy.greyBand} of the ${i.env} limit ${limit} for a high-risk system`,
    ];
    controls.push('Human Oversight Review (EU AI Act Art. 14)');
  } else {
    [outcome, code, why] = ['approved', 'WITHIN_LIMIT', `risk ${risk} is within the ${i.env} limit ${limit}`];
  }
  controls.push('Environment Risk Limit');
  return { outcome, code, why, risk, base, limit, controls, findings };
}

/** The decision with its explanation: reason, recommendations and regulatory exposure. */
function explained(rules: RuleSet, i: DecisionInput, v: Verdict): DecisionDraft {
  const { policy } = rules;
  const s = i.system;
  const { outcome, code, risk, base, limit, controls, findings } = v;
  let why = v.why;
  const worst = findings[0];
  const domains = [...new Set(findings.map((f) => f.domain))];
  const subThreats = [...new Set(findings.map((f) => f.subThreat))];
  const prohibited = findings.filter((f) => f.prohibitedPractice && f.certain);
  if (worst && code !== 'PROHIBITED_PRACTICE' && code !== 'CRITICAL_THREAT')
    why += `; ${worst.subThreat} (${worst.domain}) detected by ${worst.pattern}`;

  const recommendations = [
    ...(code !== 'WITHIN_LIMIT' ? [policy.recommendations[code]] : []),
    ...domains.map((d) => policy.recommendations[d]),
    ...(!s.loggingEnabled ? [policy.recommendations.LOGGING_DISABLED] : []),
    ...(HIGH_RISK.has(s.risk) ? [policy.recommendations.HIGH_RISK] : []),
  ].filter((r): r is string => Boolean(r));

  const keys = new Set<string>([...domains, ...subThreats, ...prohibited.map((f) => f.prohibitedPractice!)]);
  if (prohibited.length || s.risk === 'prohibited') keys.add('prohibited_practice');
  const penalties = rules.penalties.filter((p) => applies(p, s.jurisdiction) && p.appliesTo.some((a) => keys.has(a)));
  const exposure = penalties.length
    ? ` Exposure: ${penalties.map((p) => `up to ${money(p)} under ${p.regulation} ${p.article}`).join('; ')}.`
    : ' No penalty in the table applies in this jurisdiction.';
  const summary = findings.length
    ? `${outcome.toUpperCase()}: ${subThreats.join(', ')} (${domains.join(', ')}) in a ${i.env} task for ${s.id} (${s.jurisdiction}).${exposure}`
    : `${outcome.toUpperCase()}: no threat detected in a ${i.env} task for ${s.id} (${s.jurisdiction}); risk ${risk} against limit ${limit}.`;

  return {
    outcome,
    riskScore: risk,
    reasonCode: code,
    reason: `${code}: ${why}`,
    detectedThreats: domains,
    confidence: worst ? round(worst.confidence) : round(Math.max(0.5, 1 - base / 20)),
    recommendations: [...new Set(recommendations)],
    controlsApplied: controls,
    baselineRisk: base,
    subThreatType: worst?.subThreat ?? '',
    riskLimit: limit,
    regulatoryImpact: { executiveSummary: summary, penalties },
    findings,
  };
}
