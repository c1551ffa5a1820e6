/**
 * Safe rollout (API.md, "Rollout"): monitor mode answers APPROVED while the ledger keeps what
 * enforcement would have answered, and candidate policies are measured on live decisions.
 * Decisions here carry no threat: their risk is the system's baseline, so which limit each one
 * falls under is known from the system's fields alone.
 */
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import {
  AiSystem,
  DecisionOutcome as DO,
  EnforcementMode as EM,
  Policy,
  RiskClassification as RC,
  Sector,
} from '../../gen/ts/btv/v1/types';
import type { Clients } from '../helpers/grpc';
import { bearer, call, connect, expectError } from '../helpers/grpc';
import type { TestServer } from '../helpers/server';
import { startTestServer } from '../helpers/server';

const BENIGN = 'Summarise the attached quarterly service report in three bullet points.';
const limits = (production: number, staging = 5, mode?: EM): Policy =>
  Policy.fromPartial({
    autonomyMatrix: { production: { maxRiskLevel: production }, staging: { maxRiskLevel: staging } },
    customRules: {},
    mode,
  });

describe('safe rollout: monitor mode and candidate policies', function () {
  let srv: TestServer;
  let c: Clients;
  before(async () => {
    srv = await startTestServer();
    c = connect(srv.address);
  });
  after(async () => {
    c?.close();
    await srv?.stop();
  });

  /** A fresh tenant per test: every count below is this test's own. */
  const tenant = () => {
    const tenantId = randomUUID();
    const md = (role: 'admin' | 'dev' | 'auditor' | 'app') => bearer(srv.mint(role, { tenantId }));
    return { tenantId, admin: md('admin'), dev: md('dev'), auditor: md('auditor'), app: md('app') };
  };
  type T = ReturnType<typeof tenant>;
  const registerTenant = (t: T, policy?: Policy, candidatePolicy?: Policy) =>
    call(
      c.governance,
      c.governance.registerTenant,
      {
        tenant: {
          id: t.tenantId,
          name: 'Rollout',
          policy,
          candidatePolicy,
          createdAt: undefined,
          updatedAt: undefined,
        },
      },
      t.admin,
    );
  /** Baselines: minimal 0.5, limited 1.0; banking +0.3; logging off +2.0. */
  const register = (t: T, patch: Partial<AiSystem>, md = t.admin) =>
    call(
      c.governance,
      c.governance.registerSystem,
      {
        system: AiSystem.fromPartial({
          name: 'Rollout',
          risk: RC.RISK_CLASSIFICATION_MINIMAL,
          loggingEnabled: true,
          sector: Sector.SECTOR_GENERAL,
          ...patch,
        }),
      },
      md,
    );
  const enforce = async (t: T, systemId: string, env = 'production', prompt = BENIGN) =>
    (await call(c.governance, c.governance.enforce, { systemId, prompt, env, artifactType: '', messages: [] }, t.app))
      .decision!;
  const impact = (t: T, systemId = '', md = t.auditor, window: { since?: Date; until?: Date } = {}) =>
    call(c.audit, c.audit.getPolicyImpact, { systemId, since: window.since, until: window.until }, md);
  const entry = async (t: T, sequence: number) => {
    const { entries } = await call(
      c.audit,
      c.audit.listLedgerEntries,
      { afterSequence: sequence - 1, limit: 1 },
      t.auditor,
    );
    return JSON.parse(entries[0].payloadJson) as Record<string, unknown>;
  };

  describe('monitor mode', () => {
    it('answers APPROVED with enforced=false and the blocked outcome beside it, while the ledger keeps BLOCKED', async () => {
      const t = tenant();
      await register(t, { id: 'mon', policy: limits(3, 0.2, EM.ENFORCEMENT_MODE_MONITOR) });
      const d = await enforce(t, 'mon', 'staging');
      expect({ outcome: d.outcome, enforced: d.enforced, monitored: d.monitoredOutcome }).to.deep.equal({
        outcome: DO.DECISION_OUTCOME_APPROVED,
        enforced: false,
        monitored: DO.DECISION_OUTCOME_BLOCKED,
      });
      expect(d.reason).to.match(/^RISK_ABOVE_LIMIT/);
      expect(await entry(t, d.ledgerSequence)).to.deep.include({
        outcome: 'blocked',
        enforced: false,
        decision_id: d.decisionId,
      });
      // The statistics keep it apart: a monitored block did not stop anybody.
      const { statistics } = await call(
        c.audit,
        c.audit.getComplianceStatistics,
        { since: undefined, until: undefined },
        t.auditor,
      );
      expect(statistics).to.deep.include({
        totalDecisions: 1,
        totalViolations: 0,
        monitoredDecisions: 1,
        monitoredViolations: 1,
      });
      // An ordinary decision is enforced and says so.
      await register(t, { id: 'plain', policy: limits(3, 0.2) });
      const e = await enforce(t, 'plain', 'staging');
      expect({ outcome: e.outcome, enforced: e.enforced, monitored: e.monitoredOutcome }).to.deep.equal({
        outcome: DO.DECISION_OUTCOME_BLOCKED,
        enforced: true,
        monitored: DO.DECISION_OUTCOME_UNSPECIFIED,
      });
    });

    it('is enforced in production: the global policy forbids monitor mode there by default', async () => {
      const t = tenant();
      await register(t, { id: 'mon-prod', policy: limits(0.2, 0.2, EM.ENFORCEMENT_MODE_MONITOR) });
      const d = await enforce(t, 'mon-prod', 'production');
      expect({ outcome: d.outcome, enforced: d.enforced }).to.deep.equal({
        outcome: DO.DECISION_OUTCOME_BLOCKED,
        enforced: true,
      });
      expect(await entry(t, d.ledgerSequence)).to.not.have.property('enforced');
    });

    it('never softens the kill switch, a suspension or an Art. 5 prohibited practice', async () => {
      const t = tenant();
      await register(t, { id: 'mon-stop', policy: limits(3, 5, EM.ENFORCEMENT_MODE_MONITOR) });
      await call(
        c.operations,
        c.operations.emergencyStop,
        { systemId: 'mon-stop', reason: 'incident', operatorId: '', requestId: '' },
        t.admin,
      );
      const stopped = await enforce(t, 'mon-stop', 'staging');
      expect({ outcome: stopped.outcome, enforced: stopped.enforced }).to.deep.equal({
        outcome: DO.DECISION_OUTCOME_BLOCKED,
        enforced: true,
      });
      expect(stopped.reason).to.match(/^KILL_SWITCH_ACTIVE/);

      await register(t, { id: 'mon-susp', policy: limits(3, 5, EM.ENFORCEMENT_MODE_MONITOR) });
      await call(
        c.operations,
        c.operations.setOperationalStatus,
        { systemId: 'mon-susp', operationalStatus: 4, reason: 'audit', operatorId: '', requestId: '' },
        t.admin,
      );
      const suspended = await enforce(t, 'mon-susp', 'staging');
      expect({ outcome: suspended.outcome, enforced: suspended.enforced }).to.deep.equal({
        outcome: DO.DECISION_OUTCOME_BLOCKED,
        enforced: true,
      });
      expect(suspended.reason).to.match(/^SYSTEM_(SUSPENDED|MAINTENANCE)/);

      await register(t, {
        id: 'mon-art5',
        sector: Sector.SECTOR_ESSENTIAL_SERVICES,
        policy: limits(3, 10, EM.ENFORCEMENT_MODE_MONITOR),
      });
      const art5 = await enforce(
        t,
        'mon-art5',
        'staging',
        'Rank citizens by a social credit score built from their online behaviour and deny low scorers access to public housing.',
      );
      expect({ outcome: art5.outcome, enforced: art5.enforced }).to.deep.equal({
        outcome: DO.DECISION_OUTCOME_BLOCKED,
        enforced: true,
      });
      expect(art5.reason).to.match(/^PROHIBITED_PRACTICE/);

      await register(t, {
        id: 'mon-prohibited',
        risk: RC.RISK_CLASSIFICATION_PROHIBITED,
        policy: limits(3, 10, EM.ENFORCEMENT_MODE_MONITOR),
      });
      const prohibited = await enforce(t, 'mon-prohibited', 'staging');
      expect({ outcome: prohibited.outcome, enforced: prohibited.enforced }).to.deep.equal({
        outcome: DO.DECISION_OUTCOME_BLOCKED,
        enforced: true,
      });
    });

    it('lets an explicit ENFORCE anywhere win: a tenant that enforces overrides a system in monitor mode', async () => {
      const t = tenant();
      await registerTenant(t, Policy.fromPartial({ mode: EM.ENFORCEMENT_MODE_ENFORCE }));
      await register(t, { id: 'mon-overridden', policy: limits(3, 0.2, EM.ENFORCEMENT_MODE_MONITOR) });
      const d = await enforce(t, 'mon-overridden', 'staging');
      expect({ outcome: d.outcome, enforced: d.enforced }).to.deep.equal({
        outcome: DO.DECISION_OUTCOME_BLOCKED,
        enforced: true,
      });
      // A tenant in monitor mode covers its systems that do not say otherwise.
      const u = tenant();
      await registerTenant(
        u,
        Policy.fromPartial({ autonomyMatrix: { staging: { maxRiskLevel: 0.2 } }, mode: EM.ENFORCEMENT_MODE_MONITOR }),
      );
      await register(u, { id: 'inherits' });
      const m = await enforce(u, 'inherits', 'staging');
      expect({ outcome: m.outcome, enforced: m.enforced, monitored: m.monitoredOutcome }).to.deep.equal({
        outcome: DO.DECISION_OUTCOME_APPROVED,
        enforced: false,
        monitored: DO.DECISION_OUTCOME_BLOCKED,
      });
    });

    it('takes an admin to switch a system to monitor mode; a dev is refused naming the field, and nothing changes', async () => {
      const t = tenant();
      await register(t, { id: 'guarded', policy: limits(3, 0.2) });
      const e = await expectError(
        register(t, { id: 'guarded', policy: limits(3, 0.2, EM.ENFORCEMENT_MODE_MONITOR) }, t.dev),
        grpc.status.PERMISSION_DENIED,
        'ERROR_REASON_POLICY_CHANGE_REQUIRES_ADMIN',
      );
      expect(e.metadata.field).to.equal('system.policy.mode');
      await expectError(
        register(t, { id: 'guarded-new', policy: limits(3, 0.2, EM.ENFORCEMENT_MODE_MONITOR) }, t.dev),
        grpc.status.PERMISSION_DENIED,
        'ERROR_REASON_POLICY_CHANGE_REQUIRES_ADMIN',
      );
      const d = await enforce(t, 'guarded', 'staging');
      expect({ outcome: d.outcome, enforced: d.enforced }).to.deep.equal({
        outcome: DO.DECISION_OUTCOME_BLOCKED,
        enforced: true,
      });
      const { system } = await call(c.governance, c.governance.getSystem, { systemId: 'guarded' }, t.admin);
      expect(system!.policy!.mode).to.equal(undefined);
    });

    it("takes an admin to drop a system's ENFORCE under a tenant in monitor mode, by leaving the mode out or removing the policy", async () => {
      const t = tenant();
      await registerTenant(t, Policy.fromPartial({ mode: EM.ENFORCEMENT_MODE_MONITOR }));
      await register(t, { id: 'pinned', policy: limits(3, 0.2, EM.ENFORCEMENT_MODE_ENFORCE) });
      for (const patch of [{ policy: limits(3, 0.2) }, { policy: undefined }]) {
        const e = await expectError(
          register(t, { id: 'pinned', ...patch }, t.dev),
          grpc.status.PERMISSION_DENIED,
          'ERROR_REASON_POLICY_CHANGE_REQUIRES_ADMIN',
        );
        expect(e.metadata.field).to.equal('system.policy.mode');
      }
      const d = await enforce(t, 'pinned', 'staging');
      expect({ outcome: d.outcome, enforced: d.enforced }).to.deep.equal({
        outcome: DO.DECISION_OUTCOME_BLOCKED,
        enforced: true,
      });
      // Tightening stays open to a dev: from monitor to enforce.
      await register(t, { id: 'loose-mode', policy: limits(3, 0.2, EM.ENFORCEMENT_MODE_MONITOR) });
      await register(t, { id: 'loose-mode', policy: limits(3, 0.2, EM.ENFORCEMENT_MODE_ENFORCE) }, t.dev);
    });

    it("never softens what blocks in every environment: a confident critical finding, or a system's own prohibited domain", async () => {
      const t = tenant();
      // A key in the shape AWS issues, made up here (assembled so that no scanner mistakes this file for a leak).
      const secret =
        'Debug this config: aws_access_key_id = ' +
        'AKIA' +
        'Q3EGRT5XLMN7PWZB aws_secret_access_key = h8Kd93jfL0qPz7vXn2Rb5TcYw1sMa6UeGi4Ho9Zk';
      await register(t, { id: 'mon-critical', policy: limits(3, 10, EM.ENFORCEMENT_MODE_MONITOR) });
      const critical = await enforce(t, 'mon-critical', 'staging', secret);
      expect(critical.reason).to.match(/^CRITICAL_THREAT/);
      expect({ outcome: critical.outcome, enforced: critical.enforced }, critical.reason).to.deep.equal({
        outcome: DO.DECISION_OUTCOME_BLOCKED,
        enforced: true,
      });
      await register(t, {
        id: 'mon-domain',
        prohibitedDomains: ['credential_exposure'],
        policy: limits(3, 10, EM.ENFORCEMENT_MODE_MONITOR),
      });
      const domain = await enforce(t, 'mon-domain', 'staging', secret);
      expect({ outcome: domain.outcome, enforced: domain.enforced }, domain.reason).to.deep.equal({
        outcome: DO.DECISION_OUTCOME_BLOCKED,
        enforced: true,
      });
    });

    it('refuses a mode the enum does not define with INVALID_ARGUMENT naming the field', async () => {
      const t = tenant();
      const e = await expectError(
        register(t, { id: 'bad-mode', policy: limits(3, 5, 7 as EM) }),
        grpc.status.INVALID_ARGUMENT,
        'ERROR_REASON_INVALID_ARGUMENT',
      );
      expect(e.fieldViolations.map((v) => v.field)).to.deep.equal(['system.policy.mode']);
    });
  });

  it("shows in the compliance report: monitor periods, monitored decisions apart, and the candidate's measured impact", async () => {
    const t = tenant();
    await register(t, { id: 'reported', policy: limits(3, 0.2, EM.ENFORCEMENT_MODE_MONITOR) });
    await enforce(t, 'reported', 'staging');
    await enforce(t, 'reported', 'staging');
    await register(t, { id: 'reported', policy: limits(3, 0.2), candidatePolicy: limits(3, 1) });
    const enforced = await enforce(t, 'reported', 'staging');
    expect({ outcome: enforced.outcome, candidate: enforced.candidateOutcome }).to.deep.equal({
      outcome: DO.DECISION_OUTCOME_BLOCKED,
      candidate: DO.DECISION_OUTCOME_APPROVED,
    });
    const { report } = await call(c.audit, c.audit.getComplianceReport, { systemId: 'reported' }, t.auditor);
    const r = report!.rollout!;
    expect(r.monitorPeriods).to.have.length(1);
    expect(r.monitorPeriods[0].setBy).to.equal('system');
    expect(r.monitorPeriods[0].until!.getTime()).to.be.greaterThan(r.monitorPeriods[0].since!.getTime());
    expect({
      monitored: r.monitoredDecisions,
      wouldHave: r.monitoredViolations,
      envs: r.monitorEnvironments,
      set: r.candidateSet,
    }).to.deep.equal({
      monitored: 2,
      wouldHave: 2,
      envs: ['development', 'staging'],
      set: true,
    });
    expect(r.candidateImpact).to.deep.include({ key: 'last_30_days', decisions: 1, changed: 1, wouldApprove: 1 });
    // Monitored would-be blocks are not violations the system committed.
    const art9 = report!.euAiAct!.articles.find((a) => a.article === 'Art. 9')!;
    expect(art9.evidence).to.contain('3 decisions');
  });

  describe('candidate policies', () => {
    /** Five systems whose baselines straddle 2.0 and 3.0, the candidate's and the policy's production limits. */
    const straddling = async (t: T) => {
      const systems: [string, Partial<AiSystem>, number][] = [
        ['r05', {}, 0.5],
        ['r13', { risk: RC.RISK_CLASSIFICATION_LIMITED, sector: Sector.SECTOR_BANKING }, 1.3],
        ['r25', { loggingEnabled: false }, 2.5],
        ['r28', { loggingEnabled: false, sector: Sector.SECTOR_BANKING }, 2.8],
        ['r33', { risk: RC.RISK_CLASSIFICATION_LIMITED, loggingEnabled: false, sector: Sector.SECTOR_BANKING }, 3.3],
      ];
      for (const [id, patch] of systems) await register(t, { id, ...patch });
      return systems;
    };

    it('counts a tighter candidate as "would block" exactly for the decisions between the two limits', async () => {
      const t = tenant();
      await registerTenant(t, limits(3), limits(2));
      const systems = await straddling(t);
      const between: string[] = [];
      for (let round = 0; round < 3; round++) {
        for (const [id, , baseline] of systems) {
          const d = await enforce(t, id);
          expect(d.riskScore, id).to.equal(baseline);
          const policy = baseline > 3 ? DO.DECISION_OUTCOME_BLOCKED : DO.DECISION_OUTCOME_APPROVED;
          const candidate = baseline > 2 ? DO.DECISION_OUTCOME_BLOCKED : DO.DECISION_OUTCOME_APPROVED;
          expect({ outcome: d.outcome, candidate: d.candidateOutcome, enforced: d.enforced }, id).to.deep.equal({
            outcome: policy,
            candidate,
            enforced: true,
          });
          expect(await entry(t, d.ledgerSequence)).to.deep.include({
            candidate_outcome: candidate === DO.DECISION_OUTCOME_BLOCKED ? 'blocked' : 'approved',
          });
          if (policy !== candidate) between.push(d.decisionId);
        }
      }
      const r = await impact(t);
      expect({
        decisions: r.decisions,
        changed: r.changed,
        wouldBlock: r.wouldBlock,
        wouldApprove: r.wouldApprove,
        wouldReview: r.wouldReview,
      }).to.deep.equal({
        decisions: 15,
        changed: 6,
        wouldBlock: 6,
        wouldApprove: 0,
        wouldReview: 0,
      });
      expect(r.byEnv).to.deep.equal([
        { key: 'production', decisions: 15, changed: 6, wouldBlock: 6, wouldApprove: 0, wouldReview: 0 },
      ]);
      expect(r.byThreat).to.deep.equal([
        { key: 'none', decisions: 15, changed: 6, wouldBlock: 6, wouldApprove: 0, wouldReview: 0 },
      ]);
      expect(r.sampleDecisionIds).to.deep.equal([...between].reverse());
      // The same counts whether the decisions' hour is summed from the hourly counters (a window
      // reaching past the next hour boundary), or counted row by row (a window inside one hour).
      const counted = (x: typeof r) => ({
        decisions: x.decisions,
        changed: x.changed,
        wouldBlock: x.wouldBlock,
        byEnv: x.byEnv,
        byThreat: x.byThreat,
      });
      const viaHours = await impact(t, '', t.auditor, {
        since: new Date(Date.now() - 5 * 3_600_000),
        until: new Date(Date.now() + 2 * 3_600_000),
      });
      const viaRows = await impact(t, '', t.auditor, {
        since: new Date(Date.now() - 120_000),
        until: new Date(Date.now() + 1000),
      });
      expect(counted(viaHours)).to.deep.equal(counted(r));
      expect(counted(viaRows)).to.deep.equal(counted(r));
      // One system, and a window that ends before the decisions.
      const one = await impact(t, 'r25');
      expect({ decisions: one.decisions, wouldBlock: one.wouldBlock }).to.deep.equal({ decisions: 3, wouldBlock: 3 });
      const before = await impact(t, '', t.auditor, {
        since: new Date(Date.now() - 3_600_000),
        until: new Date(Date.now() - 1_800_000),
      });
      expect(before.decisions).to.equal(0);
    });

    it('counts a looser system candidate as "would approve", and never changes an answer', async () => {
      const t = tenant();
      // Baseline 2.5: above the policy's 2.0, within the candidate's 3.0 (never above the global limit: that still binds).
      await register(t, { id: 'loose', loggingEnabled: false, policy: limits(2), candidatePolicy: limits(3) });
      const d = await enforce(t, 'loose');
      expect({ outcome: d.outcome, candidate: d.candidateOutcome }).to.deep.equal({
        outcome: DO.DECISION_OUTCOME_BLOCKED,
        candidate: DO.DECISION_OUTCOME_APPROVED,
      });
      const r = await impact(t, 'loose');
      expect({
        decisions: r.decisions,
        changed: r.changed,
        wouldApprove: r.wouldApprove,
        wouldBlock: r.wouldBlock,
      }).to.deep.equal({ decisions: 1, changed: 1, wouldApprove: 1, wouldBlock: 0 });
      expect(r.sampleDecisionIds).to.deep.equal([d.decisionId]);
    });

    it('measures nothing without a candidate: no candidate_outcome in the answer or the ledger', async () => {
      const t = tenant();
      await register(t, { id: 'no-candidate' });
      const d = await enforce(t, 'no-candidate');
      expect(d.candidateOutcome).to.equal(DO.DECISION_OUTCOME_UNSPECIFIED);
      expect(await entry(t, d.ledgerSequence)).to.not.have.property('candidate_outcome');
      expect((await impact(t)).decisions).to.equal(0);
    });

    it('promotes a candidate by registering it as the policy, saying how many decisions of the last 24 h it changes', async () => {
      const t = tenant();
      await register(t, { id: 'promote', loggingEnabled: false, candidatePolicy: limits(2) });
      for (let i = 0; i < 2; i++) await enforce(t, 'promote');
      const r = await register(t, { id: 'promote', loggingEnabled: false, policy: limits(2) });
      expect({ promoted: r.promotedCandidate, changed: r.promotedCandidateChanged24h }).to.deep.equal({
        promoted: true,
        changed: 2,
      });
      expect(r.message).to.contain('candidate policy promoted');
      const d = await enforce(t, 'promote');
      expect({ outcome: d.outcome, candidate: d.candidateOutcome }).to.deep.equal({
        outcome: DO.DECISION_OUTCOME_BLOCKED,
        candidate: DO.DECISION_OUTCOME_UNSPECIFIED,
      });
      // Registering a policy that is not the candidate promotes nothing.
      const other = await register(t, { id: 'promote', loggingEnabled: false, policy: limits(1.5) });
      expect(other.promotedCandidate).to.equal(false);
    });

    it('is tenant-scoped: another tenant sees none of it, and its system ids are NOT_FOUND', async () => {
      const t = tenant();
      await registerTenant(t, limits(3), limits(2));
      await register(t, { id: 'mine', loggingEnabled: false });
      await enforce(t, 'mine');
      expect((await impact(t)).wouldBlock).to.equal(1);
      const u = tenant();
      const theirs = await impact(u);
      expect({ decisions: theirs.decisions, samples: theirs.sampleDecisionIds }).to.deep.equal({
        decisions: 0,
        samples: [],
      });
      await expectError(impact(u, 'mine'), grpc.status.NOT_FOUND, 'ERROR_REASON_SYSTEM_NOT_FOUND');
      await expectError(impact(t, 'mine', t.dev), grpc.status.PERMISSION_DENIED, 'ERROR_REASON_ROLE_NOT_ALLOWED');
      await expectError(
        impact(t, '', t.auditor, { since: new Date(), until: new Date(Date.now() - 1000) }),
        grpc.status.INVALID_ARGUMENT,
        'ERROR_REASON_INVALID_ARGUMENT',
      );
    });
  });
});
