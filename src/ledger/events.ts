/**
 * The ledger's events: one type per event_type, each with the body its writer puts in the entry's
 * payload (as canonical JSON: keys sorted, undefined members left out, so an optional member set to
 * undefined is written exactly as one never set). Writers append a LedgerEvent; readers turn a
 * stored payload back into its body with parseLedgerPayload. docs/ledger.md describes the format.
 */
import type { LifecyclePhase, OperationalStatus, Policy, SystemSpec } from '../domain/model';
import type { Outcome } from '../engine/decide';
import type { ThreatDomain } from '../engine/threat-types';

/** Who caused the event: the verified token's subject and role. */
export interface LedgerActor {
  subject: string;
  role: string;
}

interface Envelope<T extends string, B> {
  type: T;
  actor: LedgerActor;
  requestId: string;
  body: B;
}

/** tenant.registered, tenant.updated (src/domain/tenants.ts). */
export interface TenantBody {
  tenant_id: string;
  name: string;
  policy: Policy;
  /** Only when set: a tenant without a candidate is ledgered exactly as before candidates existed. */
  candidate_policy?: Policy;
}

/** A system's spec as ledgered: its stored status and phase, and the candidate policy only when set. */
export type LedgeredSystemSpec = Omit<SystemSpec, 'candidatePolicy'> & { candidatePolicy?: Policy };

/** system.registered, system.updated (src/domain/systems.ts). */
export interface SystemBody {
  system_id: string;
  spec: LedgeredSystemSpec;
}

/**
 * status.changed, phase.changed (src/killswitch/service.ts): from and to are operational statuses
 * in the one, lifecycle phases in the other (one code path writes both, so the type admits either).
 */
export interface TransitionBody {
  system_id: string;
  revision: number;
  from: OperationalStatus | LifecyclePhase;
  to: OperationalStatus | LifecyclePhase;
  reason: string;
  operator: string;
  /** The operator_id the caller claimed, when it is not the token's subject. */
  operator_claim?: string;
  /** The request_id that makes the change idempotent, when given. */
  idempotency_key?: string;
}

/** One finding of a decision, as ledgered. */
export interface FindingBody {
  certain: boolean;
  confidence: number;
  domain: ThreatDomain;
  message_index: number;
  pattern: string;
  severity: number;
  sub_threat: string;
}

/**
 * decision (src/enforcement/service.ts). The input may hold personal data: only fingerprints and
 * sizes of it are ledgered.
 */
export interface DecisionBody {
  artifact_type: string;
  baseline_risk: number;
  /** What the candidate policies would have decided, when one is set. */
  candidate_outcome?: Outcome;
  decision_id: string;
  detected_threats: string[];
  /** Only false, and only when monitor mode answered APPROVED: outcome is then what enforcement would have answered. */
  enforced?: false;
  env: string;
  findings: FindingBody[];
  /** The number of messages, when the request had any. */
  messages?: number;
  messages_sha256?: string;
  outcome: Outcome;
  prompt_chars: number;
  prompt_sha256: string;
  /** `CODE: why`, CODE being reason_code. */
  reason: string;
  reason_code: string;
  /** When the outcome is review_required (and enforced). */
  review_id?: string;
  risk_limit: number;
  risk_score: number;
  rules_hash: string;
  sub_threat_type: string;
  system_id: string;
}

/** review.opened (src/enforcement/service.ts, with the decision that opened it). */
export interface ReviewOpenedBody {
  review_id: string;
  decision_id: string;
  system_id: string;
  risk_score: number;
}

/** review.resolved (src/audit/reviews.ts). */
export interface ReviewResolvedBody {
  review_id: string;
  decision_id: string;
  system_id: string;
  status: 'approved' | 'rejected';
  /** '' when none were given. */
  notes: string;
}

export type TenantRegisteredEvent = Envelope<'tenant.registered', TenantBody>;
export type TenantUpdatedEvent = Envelope<'tenant.updated', TenantBody>;
export type SystemRegisteredEvent = Envelope<'system.registered', SystemBody>;
export type SystemUpdatedEvent = Envelope<'system.updated', SystemBody>;
export type StatusChangedEvent = Envelope<'status.changed', TransitionBody>;
export type PhaseChangedEvent = Envelope<'phase.changed', TransitionBody>;
export type DecisionEvent = Envelope<'decision', DecisionBody>;
export type ReviewOpenedEvent = Envelope<'review.opened', ReviewOpenedBody>;
export type ReviewResolvedEvent = Envelope<'review.resolved', ReviewResolvedBody>;

/** Every event the service ledgers, keyed by type (the entry's event_type). */
export type LedgerEvent =
  | TenantRegisteredEvent
  | TenantUpdatedEvent
  | SystemRegisteredEvent
  | SystemUpdatedEvent
  | StatusChangedEvent
  | PhaseChangedEvent
  | DecisionEvent
  | ReviewOpenedEvent
  | ReviewResolvedEvent;

export type LedgerEventType = LedgerEvent['type'];

/** The body an event of this type is written with. */
export type LedgerBody<T extends LedgerEventType> = Extract<LedgerEvent, { type: T }>['body'];

/**
 * A decision's finding as stored: entries written before Enforce took messages (and a learned
 * threat model) have no certain, confidence or message_index.
 */
export type StoredFindingBody = Omit<FindingBody, 'certain' | 'confidence' | 'message_index'> &
  Partial<Pick<FindingBody, 'certain' | 'confidence' | 'message_index'>>;

/**
 * A body as a stored entry may hold it, which is less than what is written now, so every member
 * may be missing: older versions wrote fewer (no candidate_outcome or enforced before policy
 * rollout; tenants and systems without a candidate; transitions without operator_claim), and a
 * reader may be reading a tampered ledger on purpose (the compliance report does, to say that it
 * does not verify) instead of failing. Readers keep the defaults they have always had for a
 * missing member.
 */
export type StoredBody<T extends LedgerEventType> = T extends 'decision'
  ? Partial<Omit<DecisionBody, 'findings'>> & { findings?: StoredFindingBody[] }
  : Partial<LedgerBody<T>>;

/** An entry of a known type, read back: its sequence and time, and its body. */
export interface StoredEvent<T extends LedgerEventType> {
  sequence: number;
  timestamp: Date;
  payload: StoredBody<T>;
}

/**
 * The body of a stored entry of event type `type` (the caller read entries of that type). The one
 * place a payload is parsed for reading: it is not checked member by member, since readers take
 * any member as possibly missing (StoredBody) and only compare or count what they find.
 */
export function parseLedgerPayload<T extends LedgerEventType>(type: T, payload: string): StoredBody<T> {
  const body: unknown = JSON.parse(payload);
  // A payload that is not an object (only a tampered entry holds one) reads as a body with no
  // members, so a report over such a ledger still counts it and says the ledger does not verify.
  return (body !== null && typeof body === 'object' && !Array.isArray(body) ? body : {}) as StoredBody<T>;
}

/**
 * A decision's reason code. Every decision this service has written carries reason_code; readers
 * have always fallen back to the code its reason starts with (`CODE: why`) for a payload without
 * one, and still do, so such a payload (hand-made, or tampered) is counted as it always was.
 */
export function decisionReasonCode(d: StoredBody<'decision'>): string {
  return String(d.reason_code ?? String(d.reason ?? '').split(':')[0]);
}
