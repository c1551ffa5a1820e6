import type { Policy } from '../domain/model';
import type { DecisionDraft, Outcome } from './decide';
import type { RuleSet } from './rules';

/**
 * Reason codes monitor mode never softens: a status block (the kill switch first) and a
 * prohibited practice must stop the task whatever a rollout says (API.md, "Rollout"); so must
 * what the global policy blocks in every environment (a confident critical finding, a risk at the
 * critical threshold) and what the system itself must never serve (its prohibited domains). A
 * rollout tries limits and rules, not those.
 */
const ALWAYS_ENFORCED = new Set([
  'STATUS_UNVERIFIED',
  'KILL_SWITCH_ACTIVE',
  'SYSTEM_SUSPENDED',
  'SYSTEM_MAINTENANCE',
  'SYSTEM_DECOMMISSIONED',
  'PROHIBITED_SYSTEM',
  'PROHIBITED_PRACTICE',
  'PROHIBITED_DOMAIN',
  'CRITICAL_THREAT',
]);

/** Some level asks for monitor mode and none says enforce: the most restrictive setting wins, as for every limit. */
export function asksMonitor(modes: (string | undefined)[]): boolean {
  return modes.includes('monitor') && !modes.includes('enforce');
}

/** Whether env runs in monitor mode: the policies ask for it and the global policy allows it in env. */
export function monitored(rules: RuleSet, env: string, tenant: Policy | null, system: Policy | null): boolean {
  return asksMonitor([tenant?.mode, system?.mode]) && rules.policy.monitorEnvironments.includes(env);
}

export interface Answer {
  /** What the caller is told. */
  outcome: Outcome;
  enforced: boolean;
  /** The decided outcome, when monitor mode answered instead of it. */
  monitoredOutcome?: Outcome;
}

export function answerOf(rules: RuleSet, draft: DecisionDraft, monitor: boolean): Answer {
  const critical = draft.outcome === 'blocked' && draft.riskScore >= rules.policy.criticalThreshold;
  if (!monitor || critical || ALWAYS_ENFORCED.has(draft.reasonCode)) return { outcome: draft.outcome, enforced: true };
  return { outcome: 'approved', enforced: false, monitoredOutcome: draft.outcome };
}
