import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import {
  AiSystem,
  LifecyclePhase,
  OperationalStatus,
  RiskClassification,
  StatusEventType,
} from '../../gen/ts/btv/v1/types';
import { RetryInfo } from '../../gen/ts/google/rpc/error_details';
import { Status } from '../../gen/ts/google/rpc/status';
import type { Clients } from '../helpers/grpc';
import { bearer, call, connect, decodeError, expectError } from '../helpers/grpc';
import { Watch } from '../helpers/watch';
import type { TestServer } from '../helpers/server';
import { startTestServer, TEST_DATABASE_URL } from '../helpers/server';

/** A unary call's response and the x-ratelimit-* values of its trailers (or of its error). */
function callWithQuota<Req, Res>(
  client: grpc.Client,
  method: unknown,
  req: Req,
  md: grpc.Metadata,
): Promise<{ res?: Res; err?: grpc.ServiceError; quota: Record<string, string> }> {
  return new Promise((resolve) => {
    let res: Res | undefined;
    let err: grpc.ServiceError | undefined;
    const c = (method as (...a: unknown[]) => grpc.ClientUnaryCall).call(
      client,
      req,
      md,
      {},
      (e: grpc.ServiceError | null, r: Res) => {
        res = r;
        err = e ?? undefined;
      },
    );
    c.on('status', (s: grpc.StatusObject) =>
      setImmediate(() => {
        const quota: Record<string, string> = {};
        for (const k of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']) {
          const v = s.metadata.get(k)[0];
          if (v !== undefined) quota[k] = String(v);
        }
        resolve({ res, err, quota });
      }),
    );
  });
}

const retryDelayMs = (err: grpc.ServiceError): number => {
  const status = Status.decode(err.metadata.get('grpc-status-details-bin')[0] as Buffer);
  const d = status.details.find((x) => x.typeUrl === 'type.googleapis.com/google.rpc.RetryInfo');
  expect(d, 'RetryInfo detail').to.exist;
  const { retryDelay } = RetryInfo.decode(d!.value);
  return Number(retryDelay!.seconds) * 1000 + retryDelay!.nanos / 1e6;
};

/** A server with this environment for the enclosing describe, and a client of it (set once it runs). */
function serve(env: Record<string, string>): { srv: TestServer; c: Clients } {
  const s = {} as { srv: TestServer; c: Clients };
  before(async () => {
    s.srv = await startTestServer({ env });
    s.c = connect(s.srv.address);
  });
  after(async () => {
    s.c?.close();
    await s.srv?.stop();
  });
  return s;
}

describe('rate limits per tenant and RPC group', function () {
  describe('with the reference defaults', () => {
    // An empty value means the default: tenants 10, systems 50, enforce 100, audit 20 a minute.
    const s = serve({
      BTV_RATE_LIMIT_TENANTS: '',
      BTV_RATE_LIMIT_SYSTEMS: '',
      BTV_RATE_LIMIT_ENFORCE: '',
      BTV_RATE_LIMIT_AUDIT: '',
    });

    it('counts 20 audit calls a minute down in x-ratelimit-* trailers, then answers RESOURCE_EXHAUSTED with when to retry', async () => {
      const auditor = bearer(s.srv.mint('auditor'));
      for (let i = 1; i <= 20; i++) {
        const { err, quota } = await callWithQuota(s.c.audit, s.c.audit.verifyLedger, {}, auditor);
        expect(err).to.equal(undefined);
        expect(quota['x-ratelimit-limit']).to.equal('20');
        expect(quota['x-ratelimit-remaining']).to.equal(String(20 - i));
        expect(Number(quota['x-ratelimit-reset'])).to.be.within(1, 60);
      }
      const { err, quota } = await callWithQuota(s.c.audit, s.c.audit.verifyLedger, {}, auditor);
      expect(err?.code).to.equal(grpc.status.RESOURCE_EXHAUSTED);
      await expectError(Promise.reject(err), grpc.status.RESOURCE_EXHAUSTED, 'ERROR_REASON_RATE_LIMITED');
      expect(quota).to.include({ 'x-ratelimit-limit': '20', 'x-ratelimit-remaining': '0' });
      expect(retryDelayMs(err!)).to.be.within(1, 60_000);

      // Another group of the same tenant, and the same group of another tenant, are untouched.
      await call(s.c.governance, s.c.governance.listSystems, { pageSize: 10, pageToken: '' }, auditor);
      await call(s.c.audit, s.c.audit.verifyLedger, {}, bearer(s.srv.mint('auditor', { tenantId: randomUUID() })));
    });

    it('limits Enforce to 100 a minute per tenant', async () => {
      const tenantId = randomUUID();
      const dev = bearer(s.srv.mint('dev', { tenantId }));
      await call(
        s.c.governance,
        s.c.governance.registerSystem,
        {
          system: AiSystem.fromPartial({ id: 'rl', name: 'RL', risk: RiskClassification.RISK_CLASSIFICATION_MINIMAL }),
        },
        dev,
      );
      const req = {
        systemId: 'rl',
        prompt: 'Summarise the meeting notes.',
        env: 'development',
        artifactType: 'prompt',
        messages: [],
      };
      const results = await Promise.all(
        Array.from({ length: 101 }, () => callWithQuota(s.c.governance, s.c.governance.enforce, req, dev)),
      );
      expect(results.filter((r) => !r.err)).to.have.length(100);
      const refused = results.filter((r) => r.err);
      expect(refused.map((r) => r.err!.code)).to.deep.equal([grpc.status.RESOURCE_EXHAUSTED]);
    });
  });

  describe('the operations quota', () => {
    // Empty: the default, 50 status and phase changes a minute per tenant.
    const s = serve({ BTV_RATE_LIMIT_OPERATIONS: '' });
    const OS = OperationalStatus;

    it('limits SetOperationalStatus and SetLifecyclePhase to 50 a minute, with the trailers of every group; a stop always gets through', async () => {
      const tenantId = randomUUID();
      const dev = bearer(s.srv.mint('dev', { tenantId }));
      const admin = bearer(s.srv.mint('admin', { tenantId }));
      for (const id of ['ops', 'ops2']) {
        await call(
          s.c.governance,
          s.c.governance.registerSystem,
          { system: AiSystem.fromPartial({ id, name: id, risk: RiskClassification.RISK_CLASSIFICATION_MINIMAL }) },
          dev,
        );
      }
      const status = (systemId: string, operationalStatus: OperationalStatus, md = dev) =>
        callWithQuota<object, { statusChange?: { newStatus: OperationalStatus } }>(
          s.c.operations,
          s.c.operations.setOperationalStatus,
          { systemId, operationalStatus, reason: 'load', operatorId: '', requestId: '' },
          md,
        );
      const phase = (lifecyclePhase: LifecyclePhase) =>
        callWithQuota(
          s.c.operations,
          s.c.operations.setLifecyclePhase,
          { systemId: 'ops', lifecyclePhase, reason: 'rollout', operatorId: '', requestId: '' },
          dev,
        );
      const current = async () =>
        (await call(s.c.operations, s.c.operations.getOperationalStatus, { systemId: 'ops' }, dev)).status!;

      for (let i = 1; i <= 50; i++) {
        const { err, quota } =
          i % 5 === 0
            ? await phase(
                i % 10 === 0 ? LifecyclePhase.LIFECYCLE_PHASE_DEPLOYMENT : LifecyclePhase.LIFECYCLE_PHASE_OPERATION,
              )
            : await status('ops', i % 2 ? OS.OPERATIONAL_STATUS_DEGRADED : OS.OPERATIONAL_STATUS_ACTIVE);
        expect(err, `call ${i}`).to.equal(undefined);
        expect(quota, `call ${i}`).to.include({ 'x-ratelimit-limit': '50', 'x-ratelimit-remaining': String(50 - i) });
        expect(Number(quota['x-ratelimit-reset'])).to.be.within(1, 60);
      }
      const before = await current();
      for (const over of [
        () => status('ops', OS.OPERATIONAL_STATUS_MAINTENANCE),
        () => phase(LifecyclePhase.LIFECYCLE_PHASE_OPERATION),
      ]) {
        const { err, quota } = await over();
        await expectError(Promise.reject(err), grpc.status.RESOURCE_EXHAUSTED, 'ERROR_REASON_RATE_LIMITED');
        expect(decodeError(err!).metadata).to.include({ group: 'operations', limit: '50' });
        expect(quota).to.include({ 'x-ratelimit-limit': '50', 'x-ratelimit-remaining': '0' });
        expect(retryDelayMs(err!)).to.be.within(1, 60_000);
      }
      expect(await current(), 'a refused change changes nothing').to.deep.equal(before);

      // The kill switch, either way it is pulled, is never limited and counts nothing.
      const stop = await callWithQuota(
        s.c.operations,
        s.c.operations.emergencyStop,
        { systemId: 'ops', reason: 'incident', operatorId: '', requestId: '' },
        admin,
      );
      expect(stop.err).to.equal(undefined);
      expect(stop.quota).to.deep.equal({});
      const viaStatus = await status('ops2', OS.OPERATIONAL_STATUS_EMERGENCY_STOP, admin);
      expect(viaStatus.err).to.equal(undefined);
      expect(viaStatus.res!.statusChange!.newStatus).to.equal(OS.OPERATIONAL_STATUS_EMERGENCY_STOP);
      expect(viaStatus.quota).to.deep.equal({});
      // A release is an ordinary change.
      const release = await status('ops', OS.OPERATIONAL_STATUS_ACTIVE, admin);
      await expectError(Promise.reject(release.err), grpc.status.RESOURCE_EXHAUSTED, 'ERROR_REASON_RATE_LIMITED');
      expect((await current()).operationalStatus).to.equal(OS.OPERATIONAL_STATUS_EMERGENCY_STOP);

      // Another tenant has its own quota.
      const theirs = bearer(s.srv.mint('dev', { tenantId: randomUUID() }));
      await call(
        s.c.governance,
        s.c.governance.registerSystem,
        {
          system: AiSystem.fromPartial({
            id: 'ops',
            name: 'ops',
            risk: RiskClassification.RISK_CLASSIFICATION_MINIMAL,
          }),
        },
        theirs,
      );
      expect((await status('ops', OS.OPERATIONAL_STATUS_DEGRADED, theirs)).quota).to.include({
        'x-ratelimit-remaining': '49',
      });
    });

    it('gives each of many concurrent calls its own count in its trailers', async () => {
      const tenantId = randomUUID();
      const dev = bearer(s.srv.mint('dev', { tenantId }));
      const admin = bearer(s.srv.mint('admin', { tenantId }));
      const ids = Array.from({ length: 30 }, (_, i) => `c${i}`);
      for (const id of ids) {
        await call(
          s.c.governance,
          s.c.governance.registerSystem,
          { system: AiSystem.fromPartial({ id, name: id, risk: RiskClassification.RISK_CLASSIFICATION_MINIMAL }) },
          dev,
        );
      }
      // Ordinary changes and stops interleaved: 60 changes for 50 places, 30 stops outside the quota.
      const results = await Promise.all(
        ids.flatMap((systemId) => [
          ...[OS.OPERATIONAL_STATUS_DEGRADED, OS.OPERATIONAL_STATUS_MAINTENANCE].map((operationalStatus) =>
            callWithQuota(
              s.c.operations,
              s.c.operations.setOperationalStatus,
              { systemId, operationalStatus, reason: '', operatorId: '', requestId: '' },
              dev,
            ).then((r) => ({ ...r, stop: false })),
          ),
          callWithQuota(
            s.c.operations,
            s.c.operations.setOperationalStatus,
            {
              systemId,
              operationalStatus: OS.OPERATIONAL_STATUS_EMERGENCY_STOP,
              reason: 'drill',
              operatorId: '',
              requestId: '',
            },
            admin,
          ).then((r) => ({ ...r, stop: true })),
        ]),
      );
      const stops = results.filter((r) => r.stop);
      expect(stops.map((r) => [r.err?.code, r.quota])).to.deep.equal(stops.map(() => [undefined, {}]));
      const changes = results.filter((r) => !r.stop);
      const limited = changes.filter((r) => r.err?.code === grpc.status.RESOURCE_EXHAUSTED);
      expect(limited).to.have.length(10);
      expect(limited.map((r) => r.quota['x-ratelimit-remaining'])).to.deep.equal(Array(10).fill('0'));
      // Admitted changes may still fail (a system already stopped refuses a dev), but each was counted once.
      const admitted = changes.filter((r) => r.err?.code !== grpc.status.RESOURCE_EXHAUSTED);
      expect(admitted.map((r) => Number(r.quota['x-ratelimit-remaining'])).sort((a, b) => a - b)).to.deep.equal(
        Array.from({ length: 50 }, (_, i) => i),
      );
    });
  });

  describe('with small quotas', () => {
    const s = serve({
      BTV_RATE_LIMIT_ENFORCE: '2',
      BTV_RATE_LIMIT_SYSTEMS: '1',
      BTV_RATE_LIMIT_AUDIT: '0',
      BTV_RATE_LIMIT_OPERATIONS: '0',
    });

    it('a refused call changes nothing: no decision is ledgered for it', async () => {
      const dev = bearer(s.srv.mint('dev'));
      const auditor = bearer(s.srv.mint('auditor'));
      await call(
        s.c.governance,
        s.c.governance.registerSystem,
        {
          system: AiSystem.fromPartial({ id: 'rl', name: 'RL', risk: RiskClassification.RISK_CLASSIFICATION_MINIMAL }),
        },
        dev,
      );
      const req = {
        systemId: 'rl',
        prompt: 'Summarise the meeting notes.',
        env: 'development',
        artifactType: 'prompt',
        messages: [],
      };
      await call(s.c.governance, s.c.governance.enforce, req, dev);
      await call(s.c.governance, s.c.governance.enforce, req, dev);
      await expectError(
        call(s.c.governance, s.c.governance.enforce, req, dev),
        grpc.status.RESOURCE_EXHAUSTED,
        'ERROR_REASON_RATE_LIMITED',
      );
      await expectError(
        call(s.c.governance, s.c.governance.getSystem, { systemId: 'rl' }, dev),
        grpc.status.RESOURCE_EXHAUSTED,
        'ERROR_REASON_RATE_LIMITED',
      );
      // Audit has its limit turned off (0): no quota, no x-ratelimit-* trailers.
      const { res, quota } = await callWithQuota<object, { entries: { eventType: string }[] }>(
        s.c.audit,
        s.c.audit.listLedgerEntries,
        { afterSequence: 0, limit: 100 },
        auditor,
      );
      expect(quota).to.deep.equal({});
      expect(res!.entries.filter((e) => e.eventType === 'decision')).to.have.length(2);
      // Operations too (0): status and phase changes carry no quota.
      const admin = bearer(s.srv.mint('admin'));
      const changed = await callWithQuota(
        s.c.operations,
        s.c.operations.setOperationalStatus,
        {
          systemId: 'rl',
          operationalStatus: OperationalStatus.OPERATIONAL_STATUS_DEGRADED,
          reason: '',
          operatorId: '',
          requestId: '',
        },
        admin,
      );
      expect([changed.err, changed.quota]).to.deep.equal([undefined, {}]);
      const phased = await callWithQuota(
        s.c.operations,
        s.c.operations.setLifecyclePhase,
        {
          systemId: 'rl',
          lifecyclePhase: LifecyclePhase.LIFECYCLE_PHASE_OPERATION,
          reason: '',
          operatorId: '',
          requestId: '',
        },
        admin,
      );
      expect([phased.err, phased.quota]).to.deep.equal([undefined, {}]);
    });

    it('never limits the kill switch', async () => {
      const admin = bearer(s.srv.mint('admin', { tenantId: randomUUID() }));
      await call(
        s.c.governance,
        s.c.governance.registerSystem,
        {
          system: AiSystem.fromPartial({ id: 'ks', name: 'KS', risk: RiskClassification.RISK_CLASSIFICATION_MINIMAL }),
        },
        admin,
      );
      for (let i = 0; i < 5; i++) {
        await call(
          s.c.operations,
          s.c.operations.emergencyStop,
          { systemId: 'ks', reason: 'drill', operatorId: '', requestId: '' },
          admin,
        );
        await call(
          s.c.operations,
          s.c.operations.setOperationalStatus,
          {
            systemId: 'ks',
            operationalStatus: OperationalStatus.OPERATIONAL_STATUS_ACTIVE,
            reason: 'drill over',
            operatorId: '',
            requestId: '',
          },
          admin,
        );
        await call(s.c.operations, s.c.operations.getOperationalStatus, { systemId: 'ks' }, admin);
      }
    });
  });

  describe('watch streams per tenant', () => {
    const s = serve({ BTV_WATCH_MAX_PER_TENANT: '2', BTV_WATCH_HEARTBEAT_MS: '50' });

    it('lets one tenant hold only so many open watches; a closed one frees its place', async () => {
      const mine = bearer(s.srv.mint('app'));
      const open = async (md: grpc.Metadata) => {
        const w = new Watch(s.c, {}, md);
        await w.until(() => w.events.some((e) => e.type === StatusEventType.STATUS_EVENT_TYPE_HEARTBEAT));
        return w;
      };
      const [w1, w2] = [await open(mine), await open(mine)];
      const w3 = new Watch(s.c, {}, mine);
      await w3.until(() => Boolean(w3.error)).catch(() => undefined);
      expect(decodeError(w3.error!)).to.include({
        code: grpc.status.RESOURCE_EXHAUSTED,
        reason: 'ERROR_REASON_RATE_LIMITED',
      });
      const other = await open(bearer(s.srv.mint('app', { tenantId: randomUUID() })));
      w1.cancel();
      await new Promise((r) => setTimeout(r, 100));
      const w4 = await open(mine);
      [w2, w4, other].forEach((w) => w.cancel());
    });
  });

  (TEST_DATABASE_URL ? describe : describe.skip)('with the postgres store, shared by two replicas', () => {
    const servers: TestServer[] = [];
    after(() => Promise.all(servers.map((s) => s.stop())));

    it('draws both replicas on one quota', async () => {
      const env = { BTV_RATE_LIMIT_STORE: 'postgres', BTV_RATE_LIMIT_AUDIT: '4' };
      servers.push(await startTestServer({ env }));
      servers.push(await startTestServer({ env, secret: servers[0].secret }));
      const auditor = bearer(servers[0].mint('auditor'));
      const [a, b] = servers.map((s) => connect(s.address));
      try {
        for (const client of [a, b, a, b]) await call(client.audit, client.audit.verifyLedger, {}, auditor);
        await expectError(
          call(b.audit, b.audit.verifyLedger, {}, auditor),
          grpc.status.RESOURCE_EXHAUSTED,
          'ERROR_REASON_RATE_LIMITED',
        );
        await expectError(
          call(a.audit, a.audit.verifyLedger, {}, auditor),
          grpc.status.RESOURCE_EXHAUSTED,
          'ERROR_REASON_RATE_LIMITED',
        );
      } finally {
        a.close();
        b.close();
      }
    });
  });
});
