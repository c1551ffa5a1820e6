import { Decision, DecisionOutcome, LifecyclePhase, OperationalStatus } from './gen/btv/v1/types';

export type Outcome = 'APPROVED' | 'BLOCKED' | 'REVIEW_REQUIRED';

/** EnforceResult is the answer to one `enforce`: run the task only when `allowed`. */
export interface EnforceResult {
  outcome: Outcome;
  /** True only for APPROVED. */
  allowed: boolean;
  /** The server's reason (`KILL_SWITCH_ACTIVE: …`), or `CLIENT_FAIL_CLOSED: …` when it could not be asked. */
  reason: string;
  /** The full decision: the server's, or one built here for a cached or fail-closed block (no decision_id). */
  decision: Decision;
  /** Where the answer came from: the server, the local status cache (no call made), or fail-closed. */
  source: 'server' | 'cache' | 'fail_closed';
}

/** SystemStatus is what the watch cache knows about one system. */
export interface SystemStatus {
  systemId: string;
  /** e.g. `ACTIVE`, `EMERGENCY_STOP`. */
  operationalStatus: string;
  /** e.g. `OPERATION`, `DECOMMISSIONING`. */
  lifecyclePhase: string;
  revision: number;
  reason: string;
  operator: string;
  updatedAt?: Date;
}

const statusName = (s: OperationalStatus) => String(OperationalStatus[s] ?? 'OPERATIONAL_STATUS_UNSPECIFIED').replace(/^OPERATIONAL_STATUS_/, '');
const phaseName = (p: LifecyclePhase) => String(LifecyclePhase[p] ?? 'LIFECYCLE_PHASE_UNSPECIFIED').replace(/^LIFECYCLE_PHASE_/, '');

export function toSystemStatus(systemId: string, s: OperationalStatus, p: LifecyclePhase, revision: number, reason: string, operator: string, at?: Date): SystemStatus {
  return { systemId, operationalStatus: statusName(s), lifecyclePhase: phaseName(p), revision, reason, operator, updatedAt: at };
}

// The server's status gates, in its order (kill switch first): the same codes, so callers match one prefix.
const GATES: Record<string, [code: string, what: string, threat: string, subThreat: string, control: string]> = {
  EMERGENCY_STOP: ['KILL_SWITCH_ACTIVE', 'under emergency stop', 'EMERGENCY_STOP', 'emergency_stop_active', 'Emergency Stop Protocol'],
  SUSPENDED: ['SYSTEM_SUSPENDED', 'suspended', 'SYSTEM_SUSPENDED', 'system_suspended', 'Operational Status Gate'],
  MAINTENANCE: ['SYSTEM_MAINTENANCE', 'in maintenance', 'SYSTEM_MAINTENANCE', 'system_maintenance', 'Operational Status Gate'],
};
const DECOMMISSIONED: [string, string, string, string, string] = ['SYSTEM_DECOMMISSIONED', 'being decommissioned', 'SYSTEM_DECOMMISSIONED', 'system_decommissioned', 'Lifecycle Gate'];

/** The BLOCKED answer a cached status gives without a call, or undefined when only the server can decide. */
export function cachedBlock(s: SystemStatus): EnforceResult | undefined {
  const gate = GATES[s.operationalStatus] ?? (s.lifecyclePhase === 'DECOMMISSIONING' ? DECOMMISSIONED : undefined);
  if (!gate) return undefined;
  const [code, what, threat, subThreat, control] = gate;
  const reason = `${code}: ${s.systemId} is ${what} (watched status, revision ${s.revision})`;
  return blocked(s.systemId, reason, [threat], subThreat, [control], 'cache');
}

export function failClosed(systemId: string, why: string): EnforceResult {
  return blocked(systemId, `CLIENT_FAIL_CLOSED: ${why}`, ['CLIENT_FAIL_CLOSED'], 'client_fail_closed', ['Client Fail-Closed'], 'fail_closed');
}

function blocked(systemId: string, reason: string, threats: string[], subThreat: string, controls: string[], source: EnforceResult['source']): EnforceResult {
  const decision = Decision.fromPartial({
    systemId,
    outcome: DecisionOutcome.DECISION_OUTCOME_BLOCKED,
    riskScore: 10,
    confidence: 1,
    reason,
    detectedThreats: threats,
    subThreatType: subThreat,
    controlsApplied: controls,
  });
  // Cached answers are handed to every caller: frozen, so one caller cannot change another's.
  return Object.freeze({ outcome: 'BLOCKED', allowed: false, reason, decision: Object.freeze(decision), source });
}

const OUTCOMES: Partial<Record<DecisionOutcome, Outcome>> = {
  [DecisionOutcome.DECISION_OUTCOME_APPROVED]: 'APPROVED',
  [DecisionOutcome.DECISION_OUTCOME_BLOCKED]: 'BLOCKED',
  [DecisionOutcome.DECISION_OUTCOME_REVIEW_REQUIRED]: 'REVIEW_REQUIRED',
};

/** The server's decision as a result; an outcome this client does not know is never taken as approval. */
export function fromDecision(d: Decision): EnforceResult {
  const outcome = OUTCOMES[d.outcome] ?? 'BLOCKED';
  return { outcome, allowed: outcome === 'APPROVED', reason: d.reason, decision: d, source: 'server' };
}
