/**
 * Input that would be changed, hidden or dropped on its way to storage is refused instead, naming
 * the field: invalid UTF-8 (the protobuf runtime would store U+FFFD), C1 and bidirectional control
 * characters in names, and a "__proto__" map key (the generated decoder drops it silently).
 */
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { RegisterSystemRequest, RegisterTenantRequest } from '../../gen/ts/btv/v1/governance';
import { AiSystem, RiskClassification, Tenant } from '../../gen/ts/btv/v1/types';
import type { Clients } from '../helpers/grpc';
import { bearer, call, connect, expectError } from '../helpers/grpc';
import type { TestServer } from '../helpers/server';
import { startTestServer } from '../helpers/server';

const minimal = (over: Partial<AiSystem> = {}) =>
  AiSystem.fromPartial({
    id: 'hygiene',
    name: 'Hygiene',
    risk: RiskClassification.RISK_CLASSIFICATION_MINIMAL,
    ...over,
  });

describe('input hygiene', () => {
  let srv: TestServer;
  let c: Clients;
  let dev: grpc.Metadata;
  let admin: grpc.Metadata;
  before(async () => {
    srv = await startTestServer();
    c = connect(srv.address);
    dev = bearer(srv.mint('dev'));
    admin = bearer(srv.mint('admin'));
  });
  after(async () => {
    c?.close();
    await srv?.stop();
  });

  const raw = (path: string, bytes: Buffer, md: grpc.Metadata) =>
    new Promise<Buffer>((resolve, reject) => {
      const identity = (b: Buffer) => b;
      c.governance.makeUnaryRequest(path, identity, identity, bytes, md, (e, r) => (e ? reject(e) : resolve(r!)));
    });
  const stored = () =>
    call(c.governance, c.governance.listSystems, { pageSize: 100, pageToken: '' }, dev).then((r) =>
      r.systems.map((s) => s.id),
    );

  /** The encoded request with one string's bytes replaced (same length), e.g. by invalid UTF-8. */
  function withBytes(encoded: Uint8Array, marker: string, replacement: Buffer): Buffer {
    const buf = Buffer.from(encoded);
    const at = buf.indexOf(Buffer.from(marker));
    expect(at, 'marker in the encoded request').to.be.greaterThan(-1);
    replacement.copy(buf, at);
    return buf;
  }

  it('refuses invalid UTF-8 in a string field with INVALID_ARGUMENT naming the field, and stores nothing', async () => {
    const before = await stored();
    const encoded = RegisterSystemRequest.encode({
      system: minimal({ id: 'utf8-bad', intendedPurpose: 'triage XXXX of patients' }),
    }).finish();
    for (const bad of [
      Buffer.from([0xc3, 0x28, 0x41, 0x41]),
      Buffer.from([0xff, 0xfe, 0x41, 0x41]),
      Buffer.from([0xed, 0xa0, 0x80, 0x41]),
    ]) {
      const e = await expectError(
        raw('/btv.v1.GovernanceService/RegisterSystem', withBytes(encoded, 'XXXX', bad), dev),
        grpc.status.INVALID_ARGUMENT,
        'ERROR_REASON_INVALID_ARGUMENT',
      );
      expect(e.fieldViolations.map((v) => v.field)).to.deep.equal(['system.intended_purpose']);
      expect(e.fieldViolations[0].description).to.contain('UTF-8');
    }
    expect(await stored()).to.deep.equal(before);
    // Valid multi-byte text still goes through unchanged.
    const ok = RegisterSystemRequest.encode({
      system: minimal({ id: 'utf8-ok', intendedPurpose: 'triagem de pacientes — “urgente” 急' }),
    }).finish();
    await raw('/btv.v1.GovernanceService/RegisterSystem', Buffer.from(ok), dev);
    const { system } = await call(c.governance, c.governance.getSystem, { systemId: 'utf8-ok' }, dev);
    expect(system!.intendedPurpose).to.equal('triagem de pacientes — “urgente” 急');
  });

  for (const [what, ch] of [
    ['a C1 next-line (U+0085)', '\u0085'],
    ['a C1 control (U+009B)', '\u009b'],
    ['a right-to-left override (U+202E)', '\u202e'],
    ['a left-to-right isolate (U+2066)', '\u2066'],
    ['an Arabic letter mark (U+061C)', '\u061c'],
    ['a line separator (U+2028)', '\u2028'],
    ['a zero-width space (U+200B)', '\u200b'],
    ['a byte-order mark (U+FEFF)', '\ufeff'],
  ] as const) {
    it(`refuses ${what} in a name, naming the field`, async () => {
      const e = await expectError(
        call(
          c.governance,
          c.governance.registerSystem,
          { system: minimal({ id: 'bidi', name: `Credit${ch}Scoring` }) },
          dev,
        ),
        grpc.status.INVALID_ARGUMENT,
        'ERROR_REASON_INVALID_ARGUMENT',
      );
      expect(e.fieldViolations.map((v) => v.field)).to.deep.equal(['system.name']);
    });
  }

  it('refuses a "__proto__" key in a policy map instead of dropping it, naming the policy', async () => {
    // An own key named "__proto__", as a client in another language would send it.
    const withProtoKey = <T>(rest: Record<string, T>, value: T): Record<string, T> =>
      Object.defineProperty({ ...rest }, '__proto__', { value, enumerable: true });
    // (fromPartial would drop the key itself: the policy is set on the message afterwards.)
    const system = minimal({ id: 'proto-key' });
    system.policy = {
      autonomyMatrix: { production: { maxRiskLevel: 2 } },
      customRules: withProtoKey({ block_public_apis_in_prod: true }, true),
    };
    const sys = RegisterSystemRequest.encode({ system }).finish();
    const e = await expectError(
      raw('/btv.v1.GovernanceService/RegisterSystem', Buffer.from(sys), dev),
      grpc.status.INVALID_ARGUMENT,
      'ERROR_REASON_INVALID_ARGUMENT',
    );
    expect(e.fieldViolations.map((v) => v.field)).to.deep.equal(['system.policy']);
    expect(await stored()).to.not.include('proto-key');
    const tenant = Tenant.fromPartial({ id: srv.tenantId, name: 'T' });
    tenant.policy = { autonomyMatrix: withProtoKey({}, { maxRiskLevel: 10 }), customRules: {} };
    const ten = RegisterTenantRequest.encode({ tenant }).finish();
    const t = await expectError(
      raw('/btv.v1.GovernanceService/RegisterTenant', Buffer.from(ten), admin),
      grpc.status.INVALID_ARGUMENT,
      'ERROR_REASON_INVALID_ARGUMENT',
    );
    expect(t.fieldViolations.map((v) => v.field)).to.deep.equal(['tenant.policy']);
  });

  it('refuses a "__proto__" policy key whose length is written in more bytes than it needs, storing nothing', async () => {
    const varint = (n: number) => {
      const out: number[] = [];
      for (; n > 127; n >>>= 7) out.push((n & 127) | 128);
      return Buffer.from([...out, n]);
    };
    const field = (tag: number, body: Buffer) => Buffer.concat([varint(tag), varint(body.length), body]);
    // custom_rules (Policy field 2) entry {key "__proto__" with its length as 0x89 0x00, value true}.
    const entry = Buffer.concat([Buffer.from([0x0a, 0x89, 0x00]), Buffer.from('__proto__'), Buffer.from([0x10, 0x01])]);
    const policy = field(0x12, entry);
    const system = Buffer.concat([
      Buffer.from(AiSystem.encode(minimal({ id: 'proto-long' })).finish()),
      field((17 << 3) | 2, policy),
    ]);
    const e = await expectError(
      raw('/btv.v1.GovernanceService/RegisterSystem', field(0x0a, system), dev),
      grpc.status.INVALID_ARGUMENT,
      'ERROR_REASON_INVALID_ARGUMENT',
    );
    expect(e.fieldViolations.map((v) => [v.field, v.description])).to.deep.equal([
      ['system.policy', 'a key may not be "__proto__"'],
    ]);
    // Longer still (0x89 0x80 0x00), and on a tenant.
    const longer = Buffer.concat([
      Buffer.from([0x0a, 0x89, 0x80, 0x00]),
      Buffer.from('__proto__'),
      Buffer.from([0x10, 0x01]),
    ]);
    const system3 = Buffer.concat([
      Buffer.from(AiSystem.encode(minimal({ id: 'proto-long' })).finish()),
      field((17 << 3) | 2, field(0x12, longer)),
    ]);
    await expectError(
      raw('/btv.v1.GovernanceService/RegisterSystem', field(0x0a, system3), dev),
      grpc.status.INVALID_ARGUMENT,
      'ERROR_REASON_INVALID_ARGUMENT',
    );
    expect(await stored()).to.not.include('proto-long');
    // The same bytes with another key of that length decode and reach validation: the framing above is right.
    const fine = Buffer.from(entry);
    Buffer.from('_protocol').copy(fine, 3);
    const ok = Buffer.concat([
      Buffer.from(AiSystem.encode(minimal({ id: 'proto-long' })).finish()),
      field((17 << 3) | 2, field(0x12, fine)),
    ]);
    await expectError(
      raw('/btv.v1.GovernanceService/RegisterSystem', field(0x0a, ok), dev),
      grpc.status.INVALID_ARGUMENT,
      'ERROR_REASON_INVALID_ARGUMENT',
    ).then((v) =>
      expect([v.fieldViolations[0].field, v.fieldViolations[0].description]).to.deep.equal([
        'system.policy.custom_rules',
        'rule name "_protocol" must match ^[a-z][a-z0-9_]{0,63}$',
      ]),
    );
  });

  it('accepts "__proto__" as ordinary text outside a policy key (a purpose that mentions it)', async () => {
    await call(
      c.governance,
      c.governance.registerSystem,
      { system: minimal({ id: 'proto-text', intendedPurpose: 'Explains JavaScript __proto__ pollution to trainees' }) },
      dev,
    );
    const { system } = await call(c.governance, c.governance.getSystem, { systemId: 'proto-text' }, dev);
    expect(system!.intendedPurpose).to.contain('__proto__');
  });

  it('answers a Health Check or Watch whose service name is not UTF-8 INVALID_ARGUMENT, not INTERNAL', async () => {
    const name = Buffer.from([0x0a, 4, 0xc3, 0x28, 0xff, 0x41]); // HealthCheckRequest{service: <bad bytes>}
    const identity = (b: Buffer) => b;
    const checked = await new Promise<grpc.ServiceError>((resolve) =>
      c.governance.makeUnaryRequest(
        '/grpc.health.v1.Health/Check',
        identity,
        identity,
        name,
        new grpc.Metadata(),
        (e) => resolve(e!),
      ),
    );
    expect({ code: checked?.code, details: checked?.details }).to.deep.include({ code: grpc.status.INVALID_ARGUMENT });
    expect(checked.details).to.contain('UTF-8');
    const watched = await new Promise<grpc.ServiceError>((resolve) => {
      const stream = c.governance.makeServerStreamRequest(
        '/grpc.health.v1.Health/Watch',
        identity,
        identity,
        name,
        new grpc.Metadata(),
      );
      stream.on('data', () => undefined);
      stream.on('error', (e: grpc.ServiceError) => resolve(e));
    });
    expect(watched.code).to.equal(grpc.status.INVALID_ARGUMENT);
    // A valid name still works.
    const good = await new Promise<Buffer>((resolve, reject) =>
      c.governance.makeUnaryRequest(
        '/grpc.health.v1.Health/Check',
        identity,
        identity,
        Buffer.alloc(0),
        new grpc.Metadata(),
        (e, r) => (e ? reject(e) : resolve(r!)),
      ),
    );
    expect([...good]).to.deep.equal([0x08, 0x01]); // SERVING
  });

  it('refuses a custom rule the global policy does not define, naming it, for systems and tenants', async () => {
    const e = await expectError(
      call(
        c.governance,
        c.governance.registerSystem,
        {
          system: minimal({
            id: 'rule-typo',
            policy: { autonomyMatrix: {}, customRules: { block_public_api_in_prod: true } },
          }),
        },
        dev,
      ),
      grpc.status.INVALID_ARGUMENT,
      'ERROR_REASON_INVALID_ARGUMENT',
    );
    expect(e.fieldViolations.map((v) => v.field)).to.deep.equal([
      'system.policy.custom_rules["block_public_api_in_prod"]',
    ]);
    expect(e.fieldViolations[0].description).to.contain('block_public_apis_in_prod');
    const t = await expectError(
      call(
        c.governance,
        c.governance.registerTenant,
        {
          tenant: Tenant.fromPartial({
            id: srv.tenantId,
            name: 'T',
            policy: { autonomyMatrix: {}, customRules: { nope: true } },
          }),
        },
        admin,
      ),
      grpc.status.INVALID_ARGUMENT,
      'ERROR_REASON_INVALID_ARGUMENT',
    );
    expect(t.fieldViolations.map((v) => v.field)).to.deep.equal(['tenant.policy.custom_rules["nope"]']);
  });

  describe('what a request may store is bounded, so every entry, report and page can be read back', () => {
    /** A system of about `kb` KiB once stored: components with many vulnerability ids. */
    const large = (id: string, kb: number) =>
      minimal({
        id,
        externalDependencies: Array.from({ length: Math.ceil((kb * 1024) / 2100) }, (_, i) => ({
          name: `component-${i}`,
          version: '1.0.0',
          vendor: 'v',
          licenseType: 'MIT',
          riskLevel: 1,
          vulnerabilities: Array.from(
            { length: 20 },
            (_, j) => `CVE-2026-${String(i * 100 + j).padStart(5, '0')}-${'x'.repeat(80)}`,
          ),
        })),
      });

    it('refuses a 4 MB registration with INVALID_ARGUMENT naming the system, and stores nothing', async () => {
      const huge = minimal({
        id: 'four-mb',
        externalDependencies: Array.from({ length: 200 }, (_, i) => ({
          name: `c${i}`,
          version: '1',
          vendor: 'v',
          licenseType: 'MIT',
          riskLevel: 1,
          vulnerabilities: Array.from({ length: 200 }, () => 'v'.repeat(100)),
        })),
      });
      const e = await expectError(
        call(c.governance, c.governance.registerSystem, { system: huge }, dev),
        grpc.status.INVALID_ARGUMENT,
        'ERROR_REASON_INVALID_ARGUMENT',
      );
      expect(e.fieldViolations.map((v) => v.field)).to.deep.equal(['system']);
      expect(await stored()).to.not.include('four-mb');
    });

    it('pages ListSystems and ListLedgerEntries by size when the records are large, so every page fits a response', async function () {
      this.timeout(120_000);
      const s = await startTestServer({ env: { BTV_MAX_MESSAGE_BYTES: String(2 * 1024 * 1024) } });
      const cc = connect(s.address);
      try {
        const sdev = bearer(s.mint('dev'));
        for (let i = 0; i < 60; i++)
          await call(
            cc.governance,
            cc.governance.registerSystem,
            { system: large(`large-${String(i).padStart(2, '0')}`, 60) },
            sdev,
          );
        const ids: string[] = [];
        let pages = 0;
        for (let token = ''; ;) {
          const page = await call(cc.governance, cc.governance.listSystems, { pageSize: 0, pageToken: token }, sdev);
          ids.push(...page.systems.map((x) => x.id));
          pages++;
          if (!page.nextPageToken) break;
          token = page.nextPageToken;
        }
        expect(ids).to.deep.equal(Array.from({ length: 60 }, (_, i) => `large-${String(i).padStart(2, '0')}`));
        expect(pages, 'more pages than the default page size alone would give').to.be.greaterThan(1);
        const auditor = bearer(s.mint('auditor'));
        const seqs: number[] = [];
        for (let after = 0; ;) {
          const page = await call(cc.audit, cc.audit.listLedgerEntries, { afterSequence: after, limit: 1000 }, auditor);
          if (page.entries.length === 0) break;
          expect(page.entries.length).to.be.below(60);
          seqs.push(...page.entries.map((x) => x.sequence));
          after = seqs[seqs.length - 1];
        }
        expect(seqs).to.deep.equal(Array.from({ length: 60 }, (_, i) => i + 1));
        const report = await call(cc.audit, cc.audit.getComplianceReport, { systemId: 'large-07' }, auditor);
        expect(report.systemId).to.equal('large-07');
      } finally {
        cc.close();
        await s.stop();
      }
    });
  });
});
