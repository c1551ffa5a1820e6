import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import {
  AiSystem,
  LifecyclePhase as LP,
  OperationalStatus as OS,
  RiskClassification,
  StatusEventType as ET,
} from '../../gen/ts/btv/v1/types';
import { Watch } from '../helpers/watch';
import type { Clients } from '../helpers/grpc';
import { bearer, call, connect, decodeError, expectError } from '../helpers/grpc';
import type { TestServer } from '../helpers/server';
import { startTestServer } from '../helpers/server';

describe('OperationsService', function () {
  let srv: TestServer;
  let c: Clients;
  let admin: grpc.Metadata;
  let dev: grpc.Metadata;
  let app: grpc.Metadata;
  const sys = () => `sys-${randomUUID().slice(0, 8)}`;

  before(async () => {
    srv = await startTestServer({ env: { BTV_WATCH_HEARTBEAT_MS: '200', BTV_RATE_LIMIT_OPERATIONS: '0' } });
    c = connect(srv.address);
    admin = bearer(srv.mint('admin'));
    dev = bearer(srv.mint('dev'));
    app = bearer(srv.mint('app'));
  });
  after(async () => {
    c?.close();
    await srv?.stop();
  });

  const register = async (id: string) => {
    await call(
      c.governance,
      c.governance.registerSystem,
      {
        system: AiSystem.fromPartial({
          id,
          name: id,
          risk: RiskClassification.RISK_CLASSIFICATION_HIGH,
          loggingEnabled: true,
        }),
      },
      dev,
    );
    return id;
  };
  const stop = (systemId: string, md = admin, extra = {}) =>
    call(
      c.operations,
      c.operations.emergencyStop,
      { systemId, reason: 'incident 42', operatorId: 'oncall-7', requestId: '', ...extra },
      md,
    );
  const setStatus = (systemId: string, operationalStatus: OS, md = admin, requestId = '') =>
    call(
      c.operations,
      c.operations.setOperationalStatus,
      { systemId, operationalStatus, reason: 'test', operatorId: '', requestId },
      md,
    );
  const setPhase = (systemId: string, lifecyclePhase: LP, md = admin) =>
    call(
      c.operations,
      c.operations.setLifecyclePhase,
      { systemId, lifecyclePhase, reason: 'test', operatorId: '', requestId: '' },
      md,
    );
  const getStatus = (systemId: string, md = app) =>
    call(c.operations, c.operations.getOperationalStatus, { systemId }, md);

  it('stops a system: persisted, ledgered, revisioned, visible to every role', async () => {
    const id = await register(sys());
    const { statusChange } = await stop(id);
    expect(statusChange).to.deep.include({
      systemId: id,
      previousStatus: OS.OPERATIONAL_STATUS_ACTIVE,
      newStatus: OS.OPERATIONAL_STATUS_EMERGENCY_STOP,
      acknowledged: true,
      // The operator is who the token says; the body's operator_id is only a claim.
      operator: 'test-admin',
      operatorClaim: 'oncall-7',
    });
    expect(statusChange!.revision).to.be.greaterThan(0);
    const { status } = await getStatus(id);
    expect(status).to.deep.include({
      systemId: id,
      operationalStatus: OS.OPERATIONAL_STATUS_EMERGENCY_STOP,
      revision: statusChange!.revision,
      reason: 'incident 42',
      operator: 'test-admin',
    });
    const { entries } = await call(c.audit, c.audit.listLedgerEntries, { afterSequence: 0, limit: 1000 }, admin);
    const entry = entries.find((e) => e.eventType === 'status.changed' && JSON.parse(e.payloadJson).system_id === id);
    expect(JSON.parse(entry!.payloadJson)).to.include({
      from: 'active',
      to: 'emergency_stop',
      reason: 'incident 42',
      revision: statusChange!.revision,
      operator: 'test-admin',
      operator_claim: 'oncall-7',
    });
    expect(entry!.actorSubject).to.equal('test-admin');
  });

  it('requires a reason for an emergency stop and an admin to call it', async () => {
    const id = await register(sys());
    const e = await expectError(
      stop(id, admin, { reason: ' ' }),
      grpc.status.INVALID_ARGUMENT,
      'ERROR_REASON_INVALID_ARGUMENT',
    );
    expect(e.fieldViolations[0].field).to.equal('reason');
    await expectError(stop(id, dev), grpc.status.PERMISSION_DENIED, 'ERROR_REASON_ROLE_NOT_ALLOWED');
    expect((await getStatus(id)).status!.operationalStatus).to.equal(OS.OPERATIONAL_STATUS_ACTIVE);
  });

  it('lets only an admin engage the kill switch through SetOperationalStatus too, with a reason', async () => {
    const id = await register(sys());
    await expectError(
      setStatus(id, OS.OPERATIONAL_STATUS_EMERGENCY_STOP, dev),
      grpc.status.PERMISSION_DENIED,
      'ERROR_REASON_EMERGENCY_STOP_REQUIRES_ADMIN',
    );
    const noReason = call(
      c.operations,
      c.operations.setOperationalStatus,
      {
        systemId: id,
        operationalStatus: OS.OPERATIONAL_STATUS_EMERGENCY_STOP,
        reason: '',
        operatorId: '',
        requestId: '',
      },
      admin,
    );
    const e = await expectError(noReason, grpc.status.INVALID_ARGUMENT, 'ERROR_REASON_INVALID_ARGUMENT');
    expect(e.fieldViolations[0].field).to.equal('reason');
    expect((await getStatus(id)).status!.operationalStatus).to.equal(OS.OPERATIONAL_STATUS_ACTIVE);
    const r = await setStatus(id, OS.OPERATIONAL_STATUS_EMERGENCY_STOP, admin);
    expect(r.statusChange).to.deep.include({
      previousStatus: OS.OPERATIONAL_STATUS_ACTIVE,
      newStatus: OS.OPERATIONAL_STATUS_EMERGENCY_STOP,
    });
  });

  it('lets only an admin release an emergency stop', async () => {
    const id = await register(sys());
    await stop(id);
    await expectError(
      setStatus(id, OS.OPERATIONAL_STATUS_ACTIVE, dev),
      grpc.status.PERMISSION_DENIED,
      'ERROR_REASON_EMERGENCY_STOP_REQUIRES_ADMIN',
    );
    const r = await setStatus(id, OS.OPERATIONAL_STATUS_MAINTENANCE, admin);
    expect(r.statusChange).to.deep.include({
      previousStatus: OS.OPERATIONAL_STATUS_EMERGENCY_STOP,
      newStatus: OS.OPERATIONAL_STATUS_MAINTENANCE,
    });
    await setStatus(id, OS.OPERATIONAL_STATUS_ACTIVE, dev);
  });

  it('answers impossible transitions FAILED_PRECONDITION with the allowed ones', async () => {
    const id = await register(sys());
    await setPhase(id, LP.LIFECYCLE_PHASE_DECOMMISSIONING);
    const e = await expectError(
      setPhase(id, LP.LIFECYCLE_PHASE_OPERATION),
      grpc.status.FAILED_PRECONDITION,
      'ERROR_REASON_TRANSITION_NOT_ALLOWED',
    );
    expect(e.metadata).to.include({ from: 'decommissioning', to: 'operation', allowed: '' });
    // Skipping ahead is impossible; any earlier phase is open for rework.
    const id2 = await register(sys());
    const e2 = await expectError(
      setPhase(id2, LP.LIFECYCLE_PHASE_MONITORING),
      grpc.status.FAILED_PRECONDITION,
      'ERROR_REASON_TRANSITION_NOT_ALLOWED',
    );
    expect(e2.metadata).to.include({
      from: 'deployment',
      to: 'monitoring',
      allowed: 'operation,validation,development,design,decommissioning',
    });
    for (const phase of [
      LP.LIFECYCLE_PHASE_DESIGN,
      LP.LIFECYCLE_PHASE_DEVELOPMENT,
      LP.LIFECYCLE_PHASE_VALIDATION,
      LP.LIFECYCLE_PHASE_DEPLOYMENT,
      LP.LIFECYCLE_PHASE_OPERATION,
      LP.LIFECYCLE_PHASE_MONITORING,
    ]) {
      await setPhase(id2, phase);
    }
    expect((await getStatus(id2)).status!.lifecyclePhase).to.equal(LP.LIFECYCLE_PHASE_MONITORING);
  });

  it('changes the lifecycle phase with its own revision', async () => {
    const id = await register(sys());
    const { phaseChange } = await setPhase(id, LP.LIFECYCLE_PHASE_OPERATION);
    expect(phaseChange).to.deep.include({
      previousPhase: LP.LIFECYCLE_PHASE_DEPLOYMENT,
      newPhase: LP.LIFECYCLE_PHASE_OPERATION,
      acknowledged: true,
    });
    expect((await getStatus(id)).status!.lifecyclePhase).to.equal(LP.LIFECYCLE_PHASE_OPERATION);
  });

  it('is idempotent under a repeated request_id', async () => {
    const id = await register(sys());
    const key = randomUUID();
    const a = await setStatus(id, OS.OPERATIONAL_STATUS_DEGRADED, admin, key);
    const b = await setStatus(id, OS.OPERATIONAL_STATUS_DEGRADED, admin, key);
    expect(b.statusChange!.revision).to.equal(a.statusChange!.revision);
    expect(b.statusChange!.replayed).to.equal(true);
    expect(a.statusChange!.replayed).to.equal(false);
    expect(b.statusChange!.message).to.contain('replay');
    await expectError(
      setStatus(id, OS.OPERATIONAL_STATUS_SUSPENDED, admin, key),
      grpc.status.FAILED_PRECONDITION,
      'ERROR_REASON_REQUEST_ID_REUSED',
    );
  });

  it('binds the operator to the token: operator_id in the body is only a labelled claim', async () => {
    const id = await register(sys());
    const claimed = call(
      c.operations,
      c.operations.setOperationalStatus,
      {
        systemId: id,
        operationalStatus: OS.OPERATIONAL_STATUS_DEGRADED,
        reason: 'load',
        operatorId: 'root',
        requestId: '',
      },
      dev,
    );
    const { statusChange } = await claimed;
    expect(statusChange).to.deep.include({ operator: 'test-dev', operatorClaim: 'root' });
    expect(statusChange!.message).to.contain('"root"');
    const { status } = await getStatus(id);
    expect(status).to.deep.include({ operator: 'test-dev', reason: 'load' });
    const { phaseChange } = await call(
      c.operations,
      c.operations.setLifecyclePhase,
      {
        systemId: id,
        lifecyclePhase: LP.LIFECYCLE_PHASE_OPERATION,
        reason: 'go-live',
        operatorId: 'root',
        requestId: '',
      },
      dev,
    );
    expect(phaseChange).to.deep.include({ operator: 'test-dev', operatorClaim: 'root' });
    expect((await getStatus(id)).status!.operator).to.equal('test-dev');
    const { entries } = await call(c.audit, c.audit.listLedgerEntries, { afterSequence: 0, limit: 1000 }, admin);
    const mine = entries.filter(
      (e) => ['status.changed', 'phase.changed'].includes(e.eventType) && JSON.parse(e.payloadJson).system_id === id,
    );
    expect(
      mine.map((e) => [e.actorSubject, JSON.parse(e.payloadJson).operator, JSON.parse(e.payloadJson).operator_claim]),
    ).to.deep.equal([
      ['test-dev', 'test-dev', 'root'],
      ['test-dev', 'test-dev', 'root'],
    ]);
    // Naming oneself, or nobody, is no claim.
    const own = await call(
      c.operations,
      c.operations.setOperationalStatus,
      {
        systemId: id,
        operationalStatus: OS.OPERATIONAL_STATUS_ACTIVE,
        reason: '',
        operatorId: 'test-dev',
        requestId: '',
      },
      dev,
    );
    expect(own.statusChange).to.deep.include({ operator: 'test-dev', operatorClaim: '' });
    const w = new Watch(c, { systemIds: [id] }, app);
    await w.until(() => w.events.length >= 1);
    expect(w.events[0].operator).to.equal('test-dev');
    w.cancel();
  });

  it("never replays another caller's request_id, nor one used for another change", async () => {
    const id = await register(sys());
    const [alice, bob] = [bearer(srv.mint('admin', { sub: 'alice' })), bearer(srv.mint('admin', { sub: 'bob' }))];
    await stop(id, alice);
    const key = randomUUID();
    const release = await setStatus(id, OS.OPERATIONAL_STATUS_ACTIVE, bob, key);
    expect(release.statusChange).to.deep.include({ newStatus: OS.OPERATIONAL_STATUS_ACTIVE });
    const restop = await stop(id, alice);
    const other = await register(sys());
    const ledgerLength = async () =>
      (await call(c.audit, c.audit.listLedgerEntries, { afterSequence: 0, limit: 1000 }, admin)).entries.length;
    const entries = await ledgerLength();

    // Another operator's release request_id must not answer "released" for a system that is stopped.
    const e = await expectError(
      setStatus(id, OS.OPERATIONAL_STATUS_ACTIVE, alice, key),
      grpc.status.FAILED_PRECONDITION,
      'ERROR_REASON_REQUEST_ID_REUSED',
    );
    expect(e.message).not.to.contain('bob');
    // The same caller, but another target, another system or another kind of change.
    await expectError(
      setStatus(id, OS.OPERATIONAL_STATUS_MAINTENANCE, bob, key),
      grpc.status.FAILED_PRECONDITION,
      'ERROR_REASON_REQUEST_ID_REUSED',
    );
    await expectError(
      setStatus(other, OS.OPERATIONAL_STATUS_DEGRADED, bob, key),
      grpc.status.FAILED_PRECONDITION,
      'ERROR_REASON_REQUEST_ID_REUSED',
    );
    await expectError(
      call(
        c.operations,
        c.operations.setLifecyclePhase,
        { systemId: id, lifecyclePhase: LP.LIFECYCLE_PHASE_OPERATION, reason: '', operatorId: '', requestId: key },
        bob,
      ),
      grpc.status.FAILED_PRECONDITION,
      'ERROR_REASON_REQUEST_ID_REUSED',
    );
    await expectError(
      stop(other, alice, { requestId: key }),
      grpc.status.FAILED_PRECONDITION,
      'ERROR_REASON_REQUEST_ID_REUSED',
    );
    expect((await getStatus(id)).status).to.deep.include({
      operationalStatus: OS.OPERATIONAL_STATUS_EMERGENCY_STOP,
      revision: restop.statusChange!.revision,
      operator: 'alice',
    });
    expect((await getStatus(other)).status!.operationalStatus).to.equal(OS.OPERATIONAL_STATUS_ACTIVE);
    expect(await ledgerLength(), 'nothing ledgered').to.equal(entries);

    // A true replay answers the original change, marked as one, with the state as it is now.
    expect(release.statusChange).to.deep.include({ operator: 'bob', replayed: false });
    const again = await setStatus(id, OS.OPERATIONAL_STATUS_ACTIVE, bob, key);
    expect(again.statusChange).to.deep.include({
      newStatus: OS.OPERATIONAL_STATUS_ACTIVE,
      revision: release.statusChange!.revision,
      acknowledged: true,
      replayed: true,
      operator: 'bob',
    });
    expect(again.statusChange!.message)
      .to.match(/replay/i)
      .and.to.contain('emergency_stop')
      .and.to.contain(`revision ${restop.statusChange!.revision}`);
    expect((await getStatus(id)).status!.operationalStatus).to.equal(OS.OPERATIONAL_STATUS_EMERGENCY_STOP);
    expect(await ledgerLength()).to.equal(entries);
  });

  it('never builds a change on a status the database no longer holds', async () => {
    const id = await register(sys());
    await setStatus(id, OS.OPERATIONAL_STATUS_DEGRADED); // from here on the server knows the tenant's revision head
    const { statusChange: back } = await setStatus(id, OS.OPERATIONAL_STATUS_ACTIVE); // and its status cache says active
    // Behind the server's back (no change log entry, no notification): only the commit's check can notice.
    await srv.app.storage.db('ai_systems').where({ id }).update({ operational_status: 'emergency_stop' });
    // A dev may not leave an emergency stop, even one the cache has not heard of.
    await expectError(
      setStatus(id, OS.OPERATIONAL_STATUS_DEGRADED, dev),
      grpc.status.PERMISSION_DENIED,
      'ERROR_REASON_EMERGENCY_STOP_REQUIRES_ADMIN',
    );
    await srv.app.storage.db('ai_systems').where({ id }).update({ operational_status: 'maintenance' });
    const { statusChange } = await setStatus(id, OS.OPERATIONAL_STATUS_SUSPENDED);
    expect(statusChange).to.deep.include({
      previousStatus: OS.OPERATIONAL_STATUS_MAINTENANCE,
      newStatus: OS.OPERATIONAL_STATUS_SUSPENDED,
      revision: back!.revision + 1,
    });
  });

  it('never refuses a change on a status the database no longer holds', async () => {
    const id = await register(sys());
    const { statusChange: stopped } = await stop(id); // the status cache now says emergency_stop
    // Released behind the server's back (as another process would, a moment before its notification).
    await srv.app.storage.db('ai_systems').where({ id }).update({ operational_status: 'maintenance' });
    // On the cached state a dev would be refused (only an admin leaves an emergency stop); on the real one
    // maintenance -> active is theirs to make.
    const { statusChange } = await setStatus(id, OS.OPERATIONAL_STATUS_ACTIVE, dev);
    expect(statusChange).to.deep.include({
      previousStatus: OS.OPERATIONAL_STATUS_MAINTENANCE,
      newStatus: OS.OPERATIONAL_STATUS_ACTIVE,
      revision: stopped!.revision + 1,
    });
  });

  it('validates enums and answers NOT_FOUND across tenants', async () => {
    const id = await register(sys());
    const e = await expectError(
      setStatus(id, OS.OPERATIONAL_STATUS_UNSPECIFIED),
      grpc.status.INVALID_ARGUMENT,
      'ERROR_REASON_INVALID_ARGUMENT',
    );
    expect(e.fieldViolations[0].field).to.equal('operational_status');
    const other = bearer(srv.mint('admin', { tenantId: randomUUID() }));
    await expectError(stop(id, other), grpc.status.NOT_FOUND, 'ERROR_REASON_SYSTEM_NOT_FOUND');
    await expectError(getStatus(id, other), grpc.status.NOT_FOUND, 'ERROR_REASON_SYSTEM_NOT_FOUND');
    expect((await getStatus(id)).status!.operationalStatus).to.equal(OS.OPERATIONAL_STATUS_ACTIVE);
  });

  describe('WatchSystemStatus', () => {
    it('sends a snapshot, then changes in revision order, then heartbeats', async () => {
      const [a, b] = [await register(sys()), await register(sys())];
      const w = new Watch(c, { systemIds: [a, b] }, app);
      await w.until(() => w.events.length >= 2);
      expect(
        w.events
          .slice(0, 2)
          .map((e) => [e.type, e.systemId, e.newStatus])
          .sort(),
      ).to.deep.equal(
        [
          [ET.STATUS_EVENT_TYPE_SNAPSHOT, a, OS.OPERATIONAL_STATUS_ACTIVE],
          [ET.STATUS_EVENT_TYPE_SNAPSHOT, b, OS.OPERATIONAL_STATUS_ACTIVE],
        ].sort(),
      );
      const s1 = await stop(a);
      const s2 = await setStatus(b, OS.OPERATIONAL_STATUS_MAINTENANCE);
      await w.until(() => w.changes().length >= 2);
      expect(w.changes().map((e) => [e.systemId, e.previousStatus, e.newStatus, e.revision])).to.deep.equal([
        [a, OS.OPERATIONAL_STATUS_ACTIVE, OS.OPERATIONAL_STATUS_EMERGENCY_STOP, s1.statusChange!.revision],
        [b, OS.OPERATIONAL_STATUS_ACTIVE, OS.OPERATIONAL_STATUS_MAINTENANCE, s2.statusChange!.revision],
      ]);
      await w.until(() => w.events.some((e) => e.type === ET.STATUS_EVENT_TYPE_HEARTBEAT));
      const hb = w.events.find((e) => e.type === ET.STATUS_EVENT_TYPE_HEARTBEAT)!;
      expect(hb.revision).to.equal(s2.statusChange!.revision);
      w.cancel();
    });

    it('resumes with since_revision: exactly the missed changes, no gap, no duplicate', async () => {
      const id = await register(sys());
      const first = new Watch(c, { systemIds: [id] }, app);
      await first.until(() => first.events.length >= 1);
      const r1 = await setStatus(id, OS.OPERATIONAL_STATUS_DEGRADED);
      await first.until(() => first.changes().length >= 1);
      first.cancel();
      const r2 = await setStatus(id, OS.OPERATIONAL_STATUS_ACTIVE);
      const r3 = await stop(id);
      const resumed = new Watch(c, { systemIds: [id], sinceRevision: r1.statusChange!.revision }, app);
      await resumed.until(() => resumed.changes().length >= 2);
      const r4 = await setStatus(id, OS.OPERATIONAL_STATUS_MAINTENANCE);
      await resumed.until(() => resumed.changes().length >= 3);
      expect(resumed.events.filter((e) => e.type === ET.STATUS_EVENT_TYPE_SNAPSHOT)).to.have.length(0);
      expect(resumed.changes().map((e) => e.revision)).to.deep.equal([r2, r3, r4].map((r) => r.statusChange!.revision));
      resumed.cancel();
    });

    it('answers OUT_OF_RANGE for a revision beyond the head, NOT_FOUND for an unknown system', async () => {
      const w = new Watch(c, { sinceRevision: 1_000_000 }, app);
      await w.until(() => Boolean(w.error)).catch(() => undefined);
      expect(decodeError(w.error!)).to.include({
        code: grpc.status.OUT_OF_RANGE,
        reason: 'ERROR_REASON_REVISION_OUT_OF_RANGE',
      });
      const w2 = new Watch(c, { systemIds: ['no-such-system'] }, app);
      await w2.until(() => Boolean(w2.error)).catch(() => undefined);
      expect(decodeError(w2.error!)).to.include({
        code: grpc.status.NOT_FOUND,
        reason: 'ERROR_REASON_SYSTEM_NOT_FOUND',
      });
      // An id no system can have (a NUL cannot even be stored) is unknown too, not a storage failure.
      const w3 = new Watch(c, { systemIds: ['bad\u0000id'] }, app);
      await w3.until(() => Boolean(w3.error)).catch(() => undefined);
      expect(decodeError(w3.error!)).to.include({
        code: grpc.status.NOT_FOUND,
        reason: 'ERROR_REASON_SYSTEM_NOT_FOUND',
      });
    });

    it('ends with UNAUTHENTICATED when the token expires', async () => {
      const w = new Watch(c, {}, bearer(srv.mint('auditor', { ttlSeconds: 1 })));
      await w.until(() => Boolean(w.error), 5000).catch(() => undefined);
      expect(decodeError(w.error!)).to.include({
        code: grpc.status.UNAUTHENTICATED,
        reason: 'ERROR_REASON_TOKEN_EXPIRED',
      });
    });

    it('unsubscribes on cancel', async () => {
      const before = srv.app.hub.subscriberCount;
      const w = new Watch(c, {}, app);
      await w.until(() => srv.app.hub.subscriberCount === before + 1);
      w.cancel();
      const deadline = Date.now() + 3000;
      while (srv.app.hub.subscriberCount !== before && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      expect(srv.app.hub.subscriberCount).to.equal(before);
    });
  });
});
