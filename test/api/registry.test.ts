import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { GovernanceServiceClient } from '../../gen/ts/btv/v1/governance';
import { AiSystem, LifecyclePhase, OperationalStatus, RiskClassification, RiskLevel, Sector, Tenant } from '../../gen/ts/btv/v1/types';
import { bearer, call, Clients, connect, decodeError, expectError } from '../helpers/grpc';
import { startTestServer, TestServer } from '../helpers/server';

const system = (id: string, extra: Partial<AiSystem> = {}): AiSystem =>
  AiSystem.fromPartial({
    id,
    name: `System ${id}`,
    risk: RiskClassification.RISK_CLASSIFICATION_LIMITED,
    sector: Sector.SECTOR_BANKING,
    ...extra,
  });

describe('GovernanceService registry', function () {
  let srv: TestServer;
  let c: Clients;
  let admin: grpc.Metadata;
  let dev: grpc.Metadata;
  let auditor: grpc.Metadata;

  before(async () => {
    srv = await startTestServer();
    c = connect(srv.address);
    admin = bearer(srv.mint('admin'));
    dev = bearer(srv.mint('dev'));
    auditor = bearer(srv.mint('auditor'));
  });
  after(async () => {
    c?.close();
    await srv?.stop();
  });

  const registerSystem = (s: AiSystem, md = dev) => call(c.governance, c.governance.registerSystem, { system: s }, md);
  const getSystem = (id: string, md = auditor) => call(c.governance, c.governance.getSystem, { systemId: id }, md);

  describe('RegisterTenant / GetTenant', () => {
    it('registers, then updates, the token tenant and reads it back', async () => {
      const policy = { autonomyMatrix: { production: { maxRiskLevel: 2 } }, customRules: { block_public_apis_in_prod: true } };
      const r1 = await call(c.governance, c.governance.registerTenant, { tenant: { id: srv.tenantId, name: 'Banco Seguro', policy, createdAt: undefined, updatedAt: undefined } }, admin);
      expect(r1).to.include({ status: 'registered', tenantId: srv.tenantId });
      expect(r1.message).to.contain('Banco Seguro');
      const r2 = await call(c.governance, c.governance.registerTenant, { tenant: { id: srv.tenantId.toUpperCase(), name: 'Banco Seguro S.A.', policy, createdAt: undefined, updatedAt: undefined } }, admin);
      expect(r2.status).to.equal('updated');
      const { tenant } = await call(c.governance, c.governance.getTenant, {}, admin);
      expect(tenant).to.deep.include({ id: srv.tenantId, name: 'Banco Seguro S.A.', policy });
      expect(tenant!.createdAt!.getTime()).to.be.at.most(tenant!.updatedAt!.getTime());
    });

    it('rejects a tenant id that is not a UUID, naming the field', async () => {
      const e = await expectError(
        call(c.governance, c.governance.registerTenant, { tenant: { id: 'acme', name: 'x', policy: undefined, createdAt: undefined, updatedAt: undefined } }, admin),
        grpc.status.INVALID_ARGUMENT,
        'ERROR_REASON_INVALID_ARGUMENT',
      );
      expect(e.fieldViolations[0].field).to.equal('tenant.id');
    });

    it('refuses to register another tenant', async () => {
      await expectError(
        call(c.governance, c.governance.registerTenant, { tenant: { id: randomUUID(), name: 'x', policy: undefined, createdAt: undefined, updatedAt: undefined } }, admin),
        grpc.status.PERMISSION_DENIED,
        'ERROR_REASON_TENANT_MISMATCH',
      );
    });

    it('rejects a policy limit out of range and an unknown environment', async () => {
      const base = { id: srv.tenantId, name: 'x', createdAt: undefined, updatedAt: undefined };
      const e1 = await expectError(
        call(c.governance, c.governance.registerTenant, { tenant: { ...base, policy: { autonomyMatrix: { production: { maxRiskLevel: 11 } }, customRules: {} } } }, admin),
        grpc.status.INVALID_ARGUMENT,
        'ERROR_REASON_INVALID_ARGUMENT',
      );
      expect(e1.fieldViolations[0].field).to.equal('tenant.policy.autonomy_matrix["production"].max_risk_level');
      const e2 = await expectError(
        call(c.governance, c.governance.registerTenant, { tenant: { ...base, policy: { autonomyMatrix: { moon: { maxRiskLevel: 1 } }, customRules: {} } } }, admin),
        grpc.status.INVALID_ARGUMENT,
        'ERROR_REASON_INVALID_ARGUMENT',
      );
      expect(e2.message).to.contain('development, staging, production');
    });

    it('answers NOT_FOUND for a tenant that was never registered', async () => {
      await expectError(
        call(c.governance, c.governance.getTenant, {}, bearer(srv.mint('admin', { tenantId: randomUUID() }))),
        grpc.status.NOT_FOUND,
        'ERROR_REASON_TENANT_NOT_FOUND',
      );
    });
  });

  describe('RegisterSystem / GetSystem', () => {
    it('registers a system with its compliance summary and reads every field back', async () => {
      const s = system('credit-scoring-v2', {
        version: '2.1.0',
        role: 1,
        risk: RiskClassification.RISK_CLASSIFICATION_HIGH,
        loggingEnabled: true,
        euDatabaseId: 'EU-DB-12345',
        trainingFlops: 1e24,
        jurisdiction: 'eu',
        intendedPurpose: 'Credit risk scoring of retail loan applicants',
        prohibitedDomains: ['social_scoring'],
        externalDependencies: [
          { name: 'xgboost', version: '2.0', vendor: 'OSS', licenseType: 'Apache-2.0', riskLevel: RiskLevel.RISK_LEVEL_MEDIUM, vulnerabilities: ['CVE-2024-0001'] },
        ],
        policy: { autonomyMatrix: { production: { maxRiskLevel: 2.5 } }, customRules: {} },
      });
      const r = await registerSystem(s);
      expect(r).to.include({ status: 'registered', systemId: 'credit-scoring-v2', tenantId: srv.tenantId });
      expect(r.complianceSummary).to.deep.equal({
        lifecyclePhase: LifecyclePhase.LIFECYCLE_PHASE_DEPLOYMENT,
        operationalStatus: OperationalStatus.OPERATIONAL_STATUS_ACTIVE,
        requiresHumanOversight: true,
        nistAlignment: ['GOVERN-1.6', 'GOVERN-6.1', 'MANAGE-2.4', 'MANAGE-4.1', 'MAP-1.1'],
      });
      const { system: got } = await getSystem('credit-scoring-v2');
      expect(got).to.deep.include({ ...s, jurisdiction: 'EU', tenantId: srv.tenantId, lifecyclePhase: 4, operationalStatus: 1, createdAt: got!.createdAt, updatedAt: got!.updatedAt });
      expect(got!.createdAt).to.be.instanceOf(Date);
    });

    it('updates an existing id, keeps status and phase, and ignores output-only fields', async () => {
      await registerSystem(system('upd', { operationalStatus: OperationalStatus.OPERATIONAL_STATUS_MAINTENANCE }));
      const other = randomUUID();
      const r = await registerSystem(
        system('upd', {
          name: 'Renamed',
          operationalStatus: OperationalStatus.OPERATIONAL_STATUS_ACTIVE,
          tenantId: other,
          createdAt: new Date(0),
        }),
      );
      expect(r.status).to.equal('updated');
      expect(r.tenantId).to.equal(srv.tenantId);
      expect(r.message).to.contain('OperationsService');
      const { system: got } = await getSystem('upd');
      expect(got!.name).to.equal('Renamed');
      expect(got!.operationalStatus).to.equal(OperationalStatus.OPERATIONAL_STATUS_MAINTENANCE);
      expect(got!.tenantId).to.equal(srv.tenantId);
      expect(got!.createdAt!.getTime()).to.be.greaterThan(0);
      // The tenant named in the body got nothing.
      await expectError(getSystem('upd', bearer(srv.mint('auditor', { tenantId: other }))), grpc.status.NOT_FOUND, 'ERROR_REASON_SYSTEM_NOT_FOUND');
    });

    const invalid: [string, Partial<AiSystem>, string][] = [
      ['a bad slug', { id: 'Bad Id!' }, 'system.id'],
      ['an empty id', { id: '' }, 'system.id'],
      ['a too long id', { id: 'a'.repeat(129) }, 'system.id'],
      ['a missing name', { name: '  ' }, 'system.name'],
      ['a missing risk classification', { risk: RiskClassification.RISK_CLASSIFICATION_UNSPECIFIED }, 'system.risk'],
      ['an unknown sector number', { sector: 99 as Sector }, 'system.sector'],
      ['a high-risk system without logging', { risk: RiskClassification.RISK_CLASSIFICATION_HIGH, loggingEnabled: false }, 'system.logging_enabled'],
      ['negative training FLOPs', { trainingFlops: -1 }, 'system.training_flops'],
      ['infinite training FLOPs', { trainingFlops: Infinity }, 'system.training_flops'],
      ['a bad jurisdiction', { jurisdiction: 'Europe!' }, 'system.jurisdiction'],
      ['a component without name', { externalDependencies: [{ name: '', version: '', vendor: '', licenseType: '', riskLevel: 0, vulnerabilities: [] }] }, 'system.external_dependencies[0].name'],
      ['a control character in the name', { name: 'evil\u0000name' }, 'system.name'],
      ['a policy limit above 10', { policy: { autonomyMatrix: { staging: { maxRiskLevel: 10.5 } }, customRules: {} } }, 'system.policy.autonomy_matrix["staging"].max_risk_level'],
    ];
    for (const [what, patch, field] of invalid) {
      it(`rejects ${what} with INVALID_ARGUMENT naming ${field}, and stores nothing`, async () => {
        const id = patch.id ?? `inv-${field.replace(/[^a-z]/g, '')}`;
        const e = await expectError(registerSystem(system(id, patch)), grpc.status.INVALID_ARGUMENT, 'ERROR_REASON_INVALID_ARGUMENT');
        expect(e.fieldViolations.map((v) => v.field)).to.deep.equal([field]);
        expect(e.message).to.contain(field);
        if (patch.id === undefined) await expectError(getSystem(id), grpc.status.NOT_FOUND, 'ERROR_REASON_SYSTEM_NOT_FOUND');
      });
    }

    it('cuts what an error echoes from a 100 KB input, so its trailers stay small enough for any client', async () => {
      // Its own connection (not the shared subchannel) and a deadline: trailers over the client's header
      // list limit (64 KiB in Node) left the call without an answer and the connection stuck.
      const own = new GovernanceServiceClient(srv.address, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
      const unary = <Req, Res>(method: (r: Req, md: grpc.Metadata, o: Partial<grpc.CallOptions>, cb: (e: grpc.ServiceError | null, r: Res) => void) => unknown, req: Req, md: grpc.Metadata) =>
        new Promise<Res>((resolve, reject) => {
          method.call(own, req, md, { deadline: Date.now() + 5000 }, (e, r) => (e ? reject(e) : resolve(r)));
        });
      const register = (s: AiSystem) => unary(own.registerSystem, { system: s }, dev);
      const huge = (unit: string) => unit.repeat(100_000 / unit.length);
      const envPolicy = (env: string) => ({ autonomyMatrix: { [env]: { maxRiskLevel: 1 } }, customRules: {} });
      // The domain quotes the first three whole, so the transport cuts them; the last two it already shortens.
      const cases: [what: string, run: () => Promise<unknown>, field: string, cut: boolean][] = [
        ['an unknown autonomy_matrix environment', () => register(system('echo-env', { policy: envPolicy(huge('x')) })), 'system.policy.autonomy_matrix', true],
        ['the same in emoji, cut between code points', () => register(system('echo-emoji', { policy: envPolicy(huge('😀')) })), 'system.policy.autonomy_matrix', true],
        [
          'the same on the tenant',
          () => unary(own.registerTenant, { tenant: Tenant.fromPartial({ id: srv.tenantId, name: 'Echo', policy: envPolicy(huge('é')) }) }, admin),
          'tenant.policy.autonomy_matrix',
          true,
        ],
        ['a custom_rules name', () => register(system('echo-rule', { policy: { autonomyMatrix: {}, customRules: { [huge('R')]: true } } })), 'system.policy.custom_rules', false],
        ['a system id', () => register(system(huge('a'))), 'system.id', false],
      ];
      const utf8 = (t: string) => Buffer.byteLength(t);
      const unpairedSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
      try {
        for (const [what, run, field, cut] of cases) {
          const err = await run().then(
            () => expect.fail(`${what}: accepted`),
            (e: grpc.ServiceError) => e,
          );
          expect(grpc.status[err.code], `${what}: ${err.details.slice(0, 200)}`).to.equal('INVALID_ARGUMENT');
          const d = decodeError(err);
          expect(d.reason, what).to.equal('ERROR_REASON_INVALID_ARGUMENT');
          expect(d.fieldViolations.map((v) => v.field), what).to.deep.equal([field]);
          expect(d.message.endsWith('…'), what).to.equal(cut);
          for (const text of [d.message, d.fieldViolations[0].description, ...Object.values(d.metadata)]) {
            expect(utf8(text), what).to.be.at.most(1024);
            expect(text, what).not.to.match(unpairedSurrogate);
          }
          // grpc-message goes percent-encoded; the rest as it is, -bin values in base64.
          const trailerBytes = Object.entries(err.metadata.getMap()).reduce(
            (n, [k, v]) => n + k.length + (Buffer.isBuffer(v) ? Math.ceil(v.length / 3) * 4 : utf8(v)),
            encodeURIComponent(err.details).length,
          );
          // gRPC C-core (Python and others) starts refusing metadata over 8 KiB by default.
          expect(trailerBytes, what).to.be.below(8192);
        }
      } finally {
        own.close();
      }
    });

    it('answers bytes that are not the request message INVALID_ARGUMENT (after authentication), not INTERNAL', async () => {
      const raw = (path: string, bytes: Buffer, md: grpc.Metadata) =>
        new Promise<Buffer>((resolve, reject) => {
          const identity = (b: Buffer) => b;
          c.governance.makeUnaryRequest(path, identity, identity, bytes, md, (e, r) => (e ? reject(e) : resolve(r!)));
        });
      // Field 1 (a string) announced 100 bytes long, with 2 present; then a uint64 that does not fit a JS number.
      const truncated = Buffer.from([0x0a, 100, 0x61, 0x62]);
      const huge = Buffer.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
      const bad = [
        ['/btv.v1.GovernanceService/GetSystem', truncated],
        ['/btv.v1.AuditService/ListLedgerEntries', huge],
      ] as const;
      for (const [path, bytes] of bad) {
        const e = await expectError(raw(path, bytes, auditor), grpc.status.INVALID_ARGUMENT, 'ERROR_REASON_INVALID_ARGUMENT');
        expect(e.fieldViolations.map((v) => v.field), path).to.deep.equal(['request']);
        await expectError(raw(path, bytes, new grpc.Metadata()), grpc.status.UNAUTHENTICATED, 'ERROR_REASON_TOKEN_MISSING');
      }
    });

    it('answers NOT_FOUND for unknown and malformed ids alike', async () => {
      const a = await expectError(getSystem('does-not-exist'), grpc.status.NOT_FOUND, 'ERROR_REASON_SYSTEM_NOT_FOUND');
      const b = await expectError(getSystem('Not A Slug'), grpc.status.NOT_FOUND, 'ERROR_REASON_SYSTEM_NOT_FOUND');
      expect(a.code).to.equal(b.code);
    });
  });

  describe('tenant isolation', () => {
    let other: { admin: grpc.Metadata; dev: grpc.Metadata; auditor: grpc.Metadata; tenantId: string };
    before(async () => {
      const tenantId = randomUUID();
      other = {
        tenantId,
        admin: bearer(srv.mint('admin', { tenantId })),
        dev: bearer(srv.mint('dev', { tenantId })),
        auditor: bearer(srv.mint('auditor', { tenantId })),
      };
      await registerSystem(system('shared-id', { name: 'Mine' }));
      await registerSystem(system('only-mine'));
    });

    it('keeps the same system id in two tenants as two systems', async () => {
      const r = await registerSystem(system('shared-id', { name: 'Theirs' }), other.dev);
      expect(r.status).to.equal('registered');
      expect((await getSystem('shared-id')).system!.name).to.equal('Mine');
      expect((await getSystem('shared-id', other.auditor)).system!.name).to.equal('Theirs');
    });

    it('answers another tenant NOT_FOUND exactly as for a missing system', async () => {
      const theirs = await expectError(getSystem('only-mine', other.auditor), grpc.status.NOT_FOUND, 'ERROR_REASON_SYSTEM_NOT_FOUND');
      const missing = await expectError(getSystem('never-existed-x', other.auditor), grpc.status.NOT_FOUND, 'ERROR_REASON_SYSTEM_NOT_FOUND');
      expect(theirs.message.replace('only-mine', 'X')).to.equal(missing.message.replace('never-existed-x', 'X'));
    });

    it('lists only the caller tenant systems', async () => {
      const mine = await call(c.governance, c.governance.listSystems, { pageSize: 1000, pageToken: '' }, auditor);
      const theirs = await call(c.governance, c.governance.listSystems, { pageSize: 1000, pageToken: '' }, other.auditor);
      expect(mine.systems.every((s) => s.tenantId === srv.tenantId)).to.equal(true);
      expect(theirs.systems.map((s) => s.id)).to.deep.equal(['shared-id']);
      expect(theirs.tenantId).to.equal(other.tenantId);
    });

    it('does not let a tenant read another tenant record through GetTenant', async () => {
      await call(c.governance, c.governance.registerTenant, { tenant: { id: other.tenantId, name: 'Other Corp', policy: undefined, createdAt: undefined, updatedAt: undefined } }, other.admin);
      const { tenant } = await call(c.governance, c.governance.getTenant, {}, other.admin);
      expect(tenant!.id).to.equal(other.tenantId);
      const mine = await call(c.governance, c.governance.getTenant, {}, admin).catch(() => undefined);
      expect(mine?.tenant?.id ?? srv.tenantId).to.equal(srv.tenantId);
    });
  });

  describe('ListSystems pagination', () => {
    let pager: { auditor: grpc.Metadata; dev: grpc.Metadata };
    const ids = Array.from({ length: 7 }, (_, i) => `page-${String(i).padStart(2, '0')}`);
    before(async () => {
      const tenantId = randomUUID();
      pager = { auditor: bearer(srv.mint('auditor', { tenantId })), dev: bearer(srv.mint('dev', { tenantId })) };
      for (const id of [...ids].reverse()) await registerSystem(system(id), pager.dev);
    });

    it('walks every system once, in id order, with a default page of 100', async () => {
      const seen: string[] = [];
      let token = '';
      let pages = 0;
      do {
        const r = await call(c.governance, c.governance.listSystems, { pageSize: 3, pageToken: token }, pager.auditor);
        expect(r.count).to.equal(r.systems.length);
        expect(r.totalCount).to.equal(ids.length);
        seen.push(...r.systems.map((s) => s.id));
        token = r.nextPageToken;
        pages++;
      } while (token);
      expect(seen).to.deep.equal(ids);
      expect(pages).to.equal(3);
      const all = await call(c.governance, c.governance.listSystems, { pageSize: 0, pageToken: '' }, pager.auditor);
      expect(all.systems.map((s) => s.id)).to.deep.equal(ids);
      expect(all.nextPageToken).to.equal('');
    });

    it('rejects a page token of another tenant and a garbage token', async () => {
      const first = await call(c.governance, c.governance.listSystems, { pageSize: 2, pageToken: '' }, pager.auditor);
      expect(first.nextPageToken).not.to.equal('');
      await expectError(
        call(c.governance, c.governance.listSystems, { pageSize: 2, pageToken: first.nextPageToken }, auditor),
        grpc.status.INVALID_ARGUMENT,
        'ERROR_REASON_INVALID_PAGE_TOKEN',
      );
      await expectError(
        call(c.governance, c.governance.listSystems, { pageSize: 2, pageToken: 'not-a-token' }, auditor),
        grpc.status.INVALID_ARGUMENT,
        'ERROR_REASON_INVALID_PAGE_TOKEN',
      );
    });

    it('rejects a page size out of range', async () => {
      for (const pageSize of [-1, 1001]) {
        const e = await expectError(
          call(c.governance, c.governance.listSystems, { pageSize, pageToken: '' }, pager.auditor),
          grpc.status.INVALID_ARGUMENT,
          'ERROR_REASON_INVALID_ARGUMENT',
        );
        expect(e.fieldViolations[0].field).to.equal('page_size');
      }
    });
  });
});
