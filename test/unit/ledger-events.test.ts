// Stored ledger payloads read back through src/ledger/events.ts: today's, those older versions
// wrote (fewer members), and tampered ones, which the compliance report reads on purpose.
import { expect } from 'chai';
import { buildReport } from '../../src/audit/compliance';
import type { AiSystem } from '../../src/domain/model';
import { canonicalJson } from '../../src/ledger/canonical';
import type { DecisionBody, LedgerBody } from '../../src/ledger/events';
import { decisionReasonCode, parseLedgerPayload } from '../../src/ledger/events';
import { systemSpec } from '../fakes/specs';

const system: AiSystem = {
  ...systemSpec('sys', {
    name: 'S',
    version: '1',
    sector: 'general',
    intendedPurpose: '',
    lifecyclePhase: 'operation',
  }),
  tenantId: '00000000-0000-0000-0000-000000000001',
  createdAt: new Date(0),
  updatedAt: new Date(0),
};

const decision = (patch: Partial<DecisionBody> = {}): DecisionBody => ({
  artifact_type: 'text',
  baseline_risk: 2,
  candidate_outcome: undefined,
  decision_id: '00000000-0000-4000-8000-000000000001',
  detected_threats: [],
  enforced: undefined,
  env: 'production',
  findings: [],
  messages: undefined,
  messages_sha256: undefined,
  outcome: 'approved',
  prompt_chars: 5,
  prompt_sha256: 'ab',
  reason: 'WITHIN_LIMITS: fine',
  reason_code: 'WITHIN_LIMITS',
  review_id: undefined,
  risk_limit: 7,
  risk_score: 2,
  rules_hash: 'h',
  sub_threat_type: '',
  system_id: 'sys',
  ...patch,
});

const report = (decisions: string[]) =>
  buildReport(system, {
    policies: [],
    monitorEnvironments: [],
    candidateSet: false,
    candidateImpact: { decisions: 0, changed: 0, wouldBlock: 0, wouldApprove: 0, wouldReview: 0 },
    decisions: decisions.map((p) => parseLedgerPayload('decision', p)),
    stops: [],
    reviews: [],
    ledgerValid: true,
    ledgerSequence: decisions.length,
    now: new Date(0),
  });

describe('ledger events', () => {
  it('an optional member left undefined is written exactly as one never set', () => {
    const {
      candidate_outcome: _c,
      enforced: _e,
      messages: _m,
      messages_sha256: _s,
      review_id: _r,
      ...rest
    } = decision();
    expect(canonicalJson(decision())).to.equal(canonicalJson(rest));
    expect(canonicalJson(decision())).to.not.include('enforced');
  });

  it('parses a stored payload into its body, members as written', () => {
    const body = decision({ enforced: false, outcome: 'blocked', detected_threats: ['prompt_injection'] });
    const stored = parseLedgerPayload('decision', canonicalJson(body));
    expect(stored).to.deep.equal(JSON.parse(canonicalJson(body)));
    expect(stored.enforced).to.equal(false);
    const tenant: LedgerBody<'tenant.updated'> = {
      tenant_id: system.tenantId,
      name: 'T',
      policy: { autonomyMatrix: {}, customRules: {}, mode: 'monitor' },
    };
    expect(parseLedgerPayload('tenant.updated', canonicalJson(tenant)).policy?.mode).to.equal('monitor');
  });

  it('a reason code is reason_code, else the code the reason starts with (payloads without one)', () => {
    expect(decisionReasonCode(parseLedgerPayload('decision', canonicalJson(decision())))).to.equal('WITHIN_LIMITS');
    expect(
      decisionReasonCode(parseLedgerPayload('decision', '{"reason":"PROHIBITED_PRACTICE: social scoring"}')),
    ).to.equal('PROHIBITED_PRACTICE');
    expect(decisionReasonCode(parseLedgerPayload('decision', '{}'))).to.equal('');
  });

  it('decisions older versions wrote (no enforced, no candidate, findings without certainty) are read as enforced', () => {
    const old = JSON.stringify({
      ...decision({ outcome: 'blocked', reason: 'PROHIBITED_PRACTICE: x', reason_code: 'PROHIBITED_PRACTICE' }),
      findings: [{ domain: 'prohibited_practice', pattern: 'p', severity: 10, sub_threat: 'social_scoring' }],
    });
    const r = report([old, canonicalJson(decision())]);
    expect(r.rollout.monitoredDecisions).to.equal(0);
    expect(r.euAiAct.find((a) => a.article === 'Art. 5')!.evidence).to.equal(
      '1 prohibited-practice request(s) blocked',
    );
    expect(r.nist.implemented).to.include('MEASURE-3.1: 1 risky requests tracked over 2 decisions');
  });

  it('a tampered decision missing every member is counted, not a failure', () => {
    const r = report(['{}', '{"system_id":"evil"}']);
    expect(r.nist.implemented).to.include('MEASURE-3.1: 2 risky requests tracked over 2 decisions');
  });

  it('a tampered payload that is not an object reads as an empty body, and is counted', () => {
    for (const p of ['null', '[1,2]', '"x"', '7']) expect(parseLedgerPayload('decision', p)).to.deep.equal({});
    const r = report(['null', '[]']);
    expect(r.nist.implemented).to.include('MEASURE-3.1: 2 risky requests tracked over 2 decisions');
  });
});
