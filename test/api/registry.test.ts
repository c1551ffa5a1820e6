import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { GovernanceServiceClient } from '../../gen/ts/btv/v1/governance';
import {
  AiRole,
  AiSystem,
  DecisionOutcome,
  LifecyclePhase,
  OperationalStatus,
  RiskClassification,
  RiskLevel,
  Sector,
  Tenant,
} from '../../gen/ts/btv/v1/types';
import type { Clients } from '../helpers/grpc';
import { bearer, call, connect, decodeError, expectError } from '../helpers/grpc';
import type { TestServer } from '../helpers/server';
import { startTestServer } from '../helpers/server';

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
      const policy = {
        autonomyMatrix: { production: { maxRiskLevel: 2 } },
        customRules: { block_public_apis_in_prod: true },
      };
      const r1 = await call(
        c.governance,
        c.governance.registerTenant,
        {
          tenant: {
            id: srv.tenantId,
            name: 'Banco Seguro',
            policy,
            candidatePolicy: undefined,
            createdAt: undefined,
            updatedAt: undefined,
          },
        },
        admin,
      );
      expect(r1).to.include({ status: 'registered', tenantId: srv.tenantId });
      expect(r1.message).to.contain('Banco Seguro');
      const r2 = await call(
        c.governance,
        c.governance.registerTenant,
        {
          tenant: {
            id: srv.tenantId.toUpperCase(),
            name: 'Banco Seguro S.A.',
            policy,
            candidatePolicy: undefined,
            createdAt: undefined,
            updatedAt: undefined,
          },
        },
        admin,
      );
      expect(r2.status).to.equal('updated');
      const { tenant } = await call(c.governance, c.governance.getTenant, {}, admin);
      expect(tenant).to.deep.include({
        id: srv.tenantId,
        name: 'Banco Seguro S.A.',
        policy: { ...policy, mode: undefined },
      });
      expect(tenant!.createdAt!.getTime()).to.be.at.most(tenant!.updatedAt!.getTime());
    });

    it('rejects a tenant id that is not a UUID, naming the field', async () => {
      const e = await expectError(
        call(
          c.governance,
          c.governance.registerTenant,
          {
            tenant: {
              id: 'acme',
              name: 'x',
              policy: undefined,
              candidatePolicy: undefined,
              createdAt: undefined,
              updatedAt: undefined,
            },
          },
          admin,
        ),
        grpc.status.INVALID_ARGUMENT,
        'ERROR_REASON_INVALID_ARGUMENT',
      );
      expect(e.fieldViolations[0].field).to.equal('tenant.id');
    });

    it('refuses to register another tenant', async () => {
      await expectError(
        call(
          c.governance,
          c.governance.registerTenant,
          {
            tenant: {
              id: randomUUID(),
              name: 'x',
              policy: undefined,
              candidatePolicy: undefined,
              createdAt: undefined,
              updatedAt: undefined,
            },
          },
          admin,
        ),
        grpc.status.PERMISSION_DENIED,
        'ERROR_REASON_TENANT_MISMATCH',
      );
    });

    it('rejects a policy limit out of range and an unknown environment', async () => {
      const base = {
        id: srv.tenantId,
        name: 'x',
        candidatePolicy: undefined,
        createdAt: undefined,
        updatedAt: undefined,
      };
      const e1 = await expectError(
        call(
          c.governance,
          c.governance.registerTenant,
          { tenant: { ...base, policy: { autonomyMatrix: { production: { maxRiskLevel: 11 } }, customRules: {} } } },
          admin,
        ),
        grpc.status.INVALID_ARGUMENT,
        'ERROR_REASON_INVALID_ARGUMENT',
      );
      expect(e1.fieldViolations[0].field).to.equal('tenant.policy.autonomy_matrix["production"].max_risk_level');
      const e2 = await expectError(
        call(
          c.governance,
          c.governance.registerTenant,
          { tenant: { ...base, policy: { autonomyMatrix: { moon: { maxRiskLevel: 1 } }, customRules: {} } } },
          admin,
        ),
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
          {
            name: 'xgboost',
            version: '2.0',
            vendor: 'OSS',
            licenseType: 'Apache-2.0',
            riskLevel: RiskLevel.RISK_LEVEL_MEDIUM,
            vulnerabilities: ['CVE-2024-0001'],
          },
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
      expect(got).to.deep.include({
        ...s,
        jurisdiction: 'EU',
        tenantId: srv.tenantId,
        lifecyclePhase: 4,
        operationalStatus: 1,
        createdAt: got!.createdAt,
        updatedAt: got!.updatedAt,
      });
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
      await expectError(
        getSystem('upd', bearer(srv.mint('auditor', { tenantId: other }))),
        grpc.status.NOT_FOUND,
        'ERROR_REASON_SYSTEM_NOT_FOUND',
      );
    });

    const invalid: [string, Partial<AiSystem>, string][] = [
      ['a bad slug', { id: 'Bad Id!' }, 'system.id'],
      ['an empty id', { id: '' }, 'system.id'],
      ['a too long id', { id: 'a'.repeat(129) }, 'system.id'],
      ['a missing name', { name: '  ' }, 'system.name'],
      ['a missing risk classification', { risk: RiskClassification.RISK_CLASSIFICATION_UNSPECIFIED }, 'system.risk'],
      ['an unknown sector number', { sector: 99 as Sector }, 'system.sector'],
      [
        'a high-risk system without logging',
        { risk: RiskClassification.RISK_CLASSIFICATION_HIGH, loggingEnabled: false },
        'system.logging_enabled',
      ],
      ['negative training FLOPs', { trainingFlops: -1 }, 'system.training_flops'],
      ['infinite training FLOPs', { trainingFlops: Infinity }, 'system.training_flops'],
      ['a bad jurisdiction', { jurisdiction: 'Europe!' }, 'system.jurisdiction'],
      [
        'a component without name',
        {
          externalDependencies: [
            { name: '', version: '', vendor: '', licenseType: '', riskLevel: 0, vulnerabilities: [] },
          ],
        },
        'system.external_dependencies[0].name',
      ],
      ['a control character in the name', { name: 'evil\u0000name' }, 'system.name'],
      [
        'a policy limit above 10',
        { policy: { autonomyMatrix: { staging: { maxRiskLevel: 10.5 } }, customRules: {} } },
        'system.policy.autonomy_matrix["staging"].max_risk_level',
      ],
    ];
    for (const [what, patch, field] of invalid) {
      it(`rejects ${what} with INVALID_ARGUMENT naming ${field}, and stores nothing`, async () => {
        const id = patch.id ?? `inv-${field.replace(/[^a-z]/g, '')}`;
        const e = await expectError(
          registerSystem(system(id, patch)),
          grpc.status.INVALID_ARGUMENT,
          'ERROR_REASON_INVALID_ARGUMENT',
        );
        expect(e.fieldViolations.map((v) => v.field)).to.deep.equal([field]);
        expect(e.message).to.contain(field);
        if (patch.id === undefined)
          await expectError(getSystem(id), grpc.status.NOT_FOUND, 'ERROR_REASON_SYSTEM_NOT_FOUND');
      });
    }

    it('cuts what an error echoes from a 100 KB input, so its trailers stay small enough for any client', async () => {
      // Its own connection (not the shared subchannel) and a deadline: trailers over the client's header
      // list limit (64 KiB in Node) left the call without an answer and the connection stuck.
      const own = new GovernanceServiceClient(srv.address, grpc.credentials.createInsecure(), {
        'grpc.use_local_subchannel_pool': 1,
      });
      const unary = <Req, Res>(
        method: (
          r: Req,
          md: grpc.Metadata,
          o: Partial<grpc.CallOptions>,
          cb: (e: grpc.ServiceError | null, r: Res) => void,
        ) => unknown,
        req: Req,
        md: grpc.Metadata,
      ) =>
        new Promise<Res>((resolve, reject) => {
          method.call(own, req, md, { deadline: Date.now() + 5000 }, (e, r) => (e ? reject(e) : resolve(r)));
        });
      const register = (s: AiSystem) => unary(own.registerSystem, { system: s }, dev);
      const huge = (unit: string) => unit.repeat(100_000 / unit.length);
      const envPolicy = (env: string) => ({ autonomyMatrix: { [env]: { maxRiskLevel: 1 } }, customRules: {} });
      // The domain quotes the first three whole, so the transport cuts them; the last two it already shortens.
      const cases: [what: string, run: () => Promise<unknown>, field: string, cut: boolean][] = [
        [
          'an unknown autonomy_matrix environment',
          () => register(system('echo-env', { policy: envPolicy(huge('x')) })),
          'system.policy.autonomy_matrix',
          true,
        ],
        [
          'the same in emoji, cut between code points',
          () => register(system('echo-emoji', { policy: envPolicy(huge('😀')) })),
          'system.policy.autonomy_matrix',
          true,
        ],
        [
          'the same on the tenant',
          () =>
            unary(
              own.registerTenant,
              { tenant: Tenant.fromPartial({ id: srv.tenantId, name: 'Echo', policy: envPolicy(huge('é')) }) },
              admin,
            ),
          'tenant.policy.autonomy_matrix',
          true,
        ],
        [
          'a custom_rules name',
          () => register(system('echo-rule', { policy: { autonomyMatrix: {}, customRules: { [huge('R')]: true } } })),
          'system.policy.custom_rules',
          false,
        ],
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
          expect(
            d.fieldViolations.map((v) => v.field),
            what,
          ).to.deep.equal([field]);
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
        const e = await expectError(
          raw(path, bytes, auditor),
          grpc.status.INVALID_ARGUMENT,
          'ERROR_REASON_INVALID_ARGUMENT',
        );
        expect(
          e.fieldViolations.map((v) => v.field),
          path,
        ).to.deep.equal(['request']);
        await expectError(
          raw(path, bytes, new grpc.Metadata()),
          grpc.status.UNAUTHENTICATED,
          'ERROR_REASON_TOKEN_MISSING',
        );
      }
    });

    it('answers NOT_FOUND for unknown and malformed ids alike', async () => {
      const a = await expectError(getSystem('does-not-exist'), grpc.status.NOT_FOUND, 'ERROR_REASON_SYSTEM_NOT_FOUND');
      const b = await expectError(getSystem('Not A Slug'), grpc.status.NOT_FOUND, 'ERROR_REASON_SYSTEM_NOT_FOUND');
      expect(a.code).to.equal(b.code);
    });
  });

  describe('policy changes need an admin', () => {
    const R = RiskClassification;
    const sid = (p: string) => `${p}-${randomUUID().slice(0, 8)}`;
    const enforce = (systemId: string) =>
      call(
        c.governance,
        c.governance.enforce,
        {
          systemId,
          prompt: 'Summarise the credit policy for the committee',
          env: 'production',
          artifactType: 'prompt',
          messages: [],
        },
        dev,
      );
    const guarded = (extra: Partial<AiSystem> = {}): Partial<AiSystem> => ({
      risk: R.RISK_CLASSIFICATION_HIGH,
      loggingEnabled: true,
      prohibitedDomains: ['social_scoring', 'emotion_recognition'],
      policy: {
        autonomyMatrix: { staging: { maxRiskLevel: 2 }, production: { maxRiskLevel: 0.5 } },
        customRules: { block_public_apis_in_prod: true, require_pii_masking: true },
      },
      ...extra,
    });
    /** A dev's re-registration that loosens must be refused naming the field, and change nothing. */
    const refused = async (id: string, patch: Partial<AiSystem>, field: string) => {
      const before = (await getSystem(id)).system;
      const e = await expectError(
        registerSystem(system(id, patch), dev),
        grpc.status.PERMISSION_DENIED,
        'ERROR_REASON_POLICY_CHANGE_REQUIRES_ADMIN',
      );
      expect(e.metadata.field, JSON.stringify(patch)).to.equal(field);
      expect((await getSystem(id)).system, 'nothing stored').to.deep.equal(before);
    };

    it('does not let a dev lift an admin block by re-registering a system as minimal without its policy', async () => {
      const prohibited = sid('blocked');
      await registerSystem(system(prohibited, { risk: R.RISK_CLASSIFICATION_PROHIBITED }), admin);
      expect((await enforce(prohibited)).decision!.outcome).to.equal(DecisionOutcome.DECISION_OUTCOME_BLOCKED);
      await refused(prohibited, { risk: R.RISK_CLASSIFICATION_MINIMAL }, 'system.risk');
      expect((await enforce(prohibited)).decision!.outcome).to.equal(DecisionOutcome.DECISION_OUTCOME_BLOCKED);

      const limited = sid('limited');
      await registerSystem(system(limited, guarded()), admin);
      expect((await enforce(limited)).decision!.outcome).to.equal(DecisionOutcome.DECISION_OUTCOME_BLOCKED);
      await refused(limited, { risk: R.RISK_CLASSIFICATION_MINIMAL }, 'system.risk');
      expect((await enforce(limited)).decision!.outcome).to.equal(DecisionOutcome.DECISION_OUTCOME_BLOCKED);
    });

    it('names the first field that loosens, for each way of loosening', async () => {
      const id = sid('loosen');
      await registerSystem(system(id, guarded()), admin);
      const policy = (m: Record<string, number>, r: Record<string, boolean>) => ({
        autonomyMatrix: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, { maxRiskLevel: v }])),
        customRules: r,
      });
      const rules = { block_public_apis_in_prod: true, require_pii_masking: true };
      const cases: [string, Partial<AiSystem>, string][] = [
        ['a lower risk class', guarded({ risk: R.RISK_CLASSIFICATION_LIMITED }), 'system.risk'],
        [
          'logging turned off (on a class that allows it)',
          guarded({ risk: R.RISK_CLASSIFICATION_SYSTEMIC_GPAI, loggingEnabled: false }),
          'system.logging_enabled',
        ],
        [
          'a prohibited domain removed',
          guarded({ prohibitedDomains: ['emotion_recognition'] }),
          'system.prohibited_domains',
        ],
        ['moved out of its Annex III sector', guarded({ sector: Sector.SECTOR_GENERAL }), 'system.sector'],
        ['moved into a regulatory sandbox', guarded({ sandbox: true }), 'system.sandbox'],
        ['the whole policy removed', guarded({ policy: undefined }), 'system.policy'],
        [
          'a higher limit',
          guarded({ policy: policy({ staging: 2, production: 0.6 }, rules) }),
          'system.policy.autonomy_matrix["production"].max_risk_level',
        ],
        [
          'an environment removed',
          guarded({ policy: policy({ production: 0.5 }, rules) }),
          'system.policy.autonomy_matrix["staging"]',
        ],
        [
          'a rule turned off',
          guarded({ policy: policy({ staging: 2, production: 0.5 }, { ...rules, require_pii_masking: false }) }),
          'system.policy.custom_rules["require_pii_masking"]',
        ],
        [
          'a rule removed',
          guarded({ policy: policy({ staging: 2, production: 0.5 }, { require_pii_masking: true }) }),
          'system.policy.custom_rules["block_public_apis_in_prod"]',
        ],
        // Several at once: the first in field order.
        ['everything at once', { risk: R.RISK_CLASSIFICATION_MINIMAL, loggingEnabled: false }, 'system.risk'],
        [
          'logging and the policy',
          guarded({
            risk: R.RISK_CLASSIFICATION_SYSTEMIC_GPAI,
            loggingEnabled: false,
            prohibitedDomains: [],
            policy: undefined,
          }),
          'system.logging_enabled',
        ],
      ];
      for (const [, patch, field] of cases) await refused(id, patch, field);
      // The ledger holds no entry for any refused call.
      const { entries } = await call(c.audit, c.audit.listLedgerEntries, { afterSequence: 0, limit: 1000 }, admin);
      expect(
        entries.filter((e) => e.eventType.startsWith('system.') && JSON.parse(e.payloadJson).system_id === id),
      ).to.have.length(1);
    });

    it('counts a lower baseline risk through role or compute as loosening, and raising it as tightening', async () => {
      const id = sid('baseline');
      const gpai = {
        risk: R.RISK_CLASSIFICATION_SYSTEMIC_GPAI,
        loggingEnabled: true,
        role: AiRole.AI_ROLE_PROVIDER,
        trainingFlops: 2e25,
      };
      await registerSystem(system(id, gpai), admin);
      await refused(id, { ...gpai, role: AiRole.AI_ROLE_DEPLOYER }, 'system.role');
      await refused(id, { ...gpai, trainingFlops: 1e20 }, 'system.training_flops');
      // The other way round is a dev's to make: a deployer system gaining provider duties.
      const other = sid('baseline-up');
      await registerSystem(
        system(other, { ...gpai, role: AiRole.AI_ROLE_DEPLOYER, trainingFlops: 1e20, sector: Sector.SECTOR_GENERAL }),
        admin,
      );
      await registerSystem(system(other, gpai), dev);
      expect((await getSystem(other)).system).to.deep.include({
        role: AiRole.AI_ROLE_PROVIDER,
        sector: Sector.SECTOR_BANKING,
        trainingFlops: 2e25,
      });
    });

    it('treats a risk class it does not know as the strictest', async () => {
      const id = sid('unknown-risk');
      await registerSystem(system(id, { risk: R.RISK_CLASSIFICATION_HIGH, loggingEnabled: true }), admin);
      // A value no version of this server writes (data from elsewhere, a rolled-back release).
      await srv.app.storage.db('ai_systems').where({ tenant_id: srv.tenantId, id }).update({ risk: 'experimental' });
      const e = await expectError(
        registerSystem(system(id, { risk: R.RISK_CLASSIFICATION_PROHIBITED, name: 'x' }), dev),
        grpc.status.PERMISSION_DENIED,
        'ERROR_REASON_POLICY_CHANGE_REQUIRES_ADMIN',
      );
      expect(e.metadata.field).to.equal('system.risk');
      const row = await srv.app.storage.db('ai_systems').where({ tenant_id: srv.tenantId, id }).first();
      expect(row.risk).to.equal('experimental');
      await registerSystem(system(id, { risk: R.RISK_CLASSIFICATION_PROHIBITED }), admin);
    });

    it('lets a dev tighten and make unrelated edits, and an admin loosen', async () => {
      const id = sid('tighten');
      await registerSystem(system(id, { risk: R.RISK_CLASSIFICATION_MINIMAL }), admin);
      const steps: Partial<AiSystem>[] = [
        {
          name: 'Renamed',
          version: '2.0.0',
          intendedPurpose: 'Summaries',
          jurisdiction: 'US',
          sector: Sector.SECTOR_HEALTHCARE,
        },
        { risk: R.RISK_CLASSIFICATION_LIMITED, loggingEnabled: true },
        { risk: R.RISK_CLASSIFICATION_LIMITED, loggingEnabled: true, prohibitedDomains: ['social_scoring'] },
        guarded({
          prohibitedDomains: ['social_scoring'],
          policy: { autonomyMatrix: { production: { maxRiskLevel: 3 } }, customRules: { require_pii_masking: false } },
        }),
        guarded({
          prohibitedDomains: ['social_scoring', 'emotion_recognition'],
          policy: {
            autonomyMatrix: { production: { maxRiskLevel: 0.5 }, staging: { maxRiskLevel: 2 } },
            customRules: { require_pii_masking: true, block_public_apis_in_prod: false },
          },
        }),
        // Dropping a rule that was off, and renaming again, loosens nothing.
        guarded({
          name: 'Renamed again',
          prohibitedDomains: ['social_scoring', 'emotion_recognition'],
          policy: {
            autonomyMatrix: { production: { maxRiskLevel: 0.5 }, staging: { maxRiskLevel: 2 } },
            customRules: { require_pii_masking: true },
          },
        }),
        guarded({
          risk: R.RISK_CLASSIFICATION_PROHIBITED,
          prohibitedDomains: ['social_scoring', 'emotion_recognition'],
          policy: {
            autonomyMatrix: { production: { maxRiskLevel: 0.5 }, staging: { maxRiskLevel: 2 } },
            customRules: { require_pii_masking: true },
          },
        }),
      ];
      for (const s of steps) expect((await registerSystem(system(id, s), dev)).status).to.equal('updated');
      const got = (await getSystem(id)).system!;
      expect(got).to.deep.include({ name: 'System ' + id, risk: R.RISK_CLASSIFICATION_PROHIBITED });
      // Only an admin goes back.
      await refused(id, { risk: R.RISK_CLASSIFICATION_MINIMAL }, 'system.risk');
      expect((await registerSystem(system(id, { risk: R.RISK_CLASSIFICATION_MINIMAL }), admin)).status).to.equal(
        'updated',
      );
      expect((await getSystem(id)).system!).to.deep.include({
        risk: R.RISK_CLASSIFICATION_MINIMAL,
        prohibitedDomains: [],
        policy: undefined,
      });
    });

    it('compares and writes atomically: a concurrent re-registration never slips in between', async () => {
      // An admin blocks and a dev un-blocks the same system, many times at once. Every dev write
      // that got through must have followed a state it did not loosen: the ledger keeps the order.
      const tenantId = randomUUID();
      const [a, d] = [bearer(srv.mint('admin', { tenantId })), bearer(srv.mint('dev', { tenantId }))];
      const id = 'race';
      const risks = [R.RISK_CLASSIFICATION_PROHIBITED, R.RISK_CLASSIFICATION_MINIMAL];
      await registerSystem(system(id, { risk: R.RISK_CLASSIFICATION_MINIMAL }), a);
      let refusals = 0;
      for (let round = 0; round < 10; round++) {
        await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            registerSystem(system(id, { risk: risks[i % 2] }), i % 2 ? d : a).catch((e: grpc.ServiceError) => {
              expect(decodeError(e).reason).to.equal('ERROR_REASON_POLICY_CHANGE_REQUIRES_ADMIN');
              refusals++;
            }),
          ),
        );
        await registerSystem(system(id, { risk: R.RISK_CLASSIFICATION_MINIMAL }), a);
      }
      const { entries } = await call(
        c.audit,
        c.audit.listLedgerEntries,
        { afterSequence: 0, limit: 1000 },
        bearer(srv.mint('auditor', { tenantId })),
      );
      const writes = entries
        .filter((e) => e.eventType.startsWith('system.'))
        .map((e) => ({ role: e.actorRole, risk: JSON.parse(e.payloadJson).spec.risk as string }));
      expect(writes).to.have.length(1 + 10 * 21 - refusals);
      const rank = ['minimal', 'limited', 'high', 'systemic_gpai', 'prohibited'];
      for (let i = 1; i < writes.length; i++) {
        if (writes[i].role === 'dev')
          expect(rank.indexOf(writes[i].risk), `ledger write ${i} by a dev`).to.be.at.least(
            rank.indexOf(writes[i - 1].risk),
          );
      }
      expect(refusals).to.be.greaterThan(0);
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
      const theirs = await expectError(
        getSystem('only-mine', other.auditor),
        grpc.status.NOT_FOUND,
        'ERROR_REASON_SYSTEM_NOT_FOUND',
      );
      const missing = await expectError(
        getSystem('never-existed-x', other.auditor),
        grpc.status.NOT_FOUND,
        'ERROR_REASON_SYSTEM_NOT_FOUND',
      );
      expect(theirs.message.replace('only-mine', 'X')).to.equal(missing.message.replace('never-existed-x', 'X'));
    });

    it('lists only the caller tenant systems', async () => {
      const mine = await call(c.governance, c.governance.listSystems, { pageSize: 1000, pageToken: '' }, auditor);
      const theirs = await call(
        c.governance,
        c.governance.listSystems,
        { pageSize: 1000, pageToken: '' },
        other.auditor,
      );
      expect(mine.systems.every((s) => s.tenantId === srv.tenantId)).to.equal(true);
      expect(theirs.systems.map((s) => s.id)).to.deep.equal(['shared-id']);
      expect(theirs.tenantId).to.equal(other.tenantId);
    });

    it('does not let a tenant read another tenant record through GetTenant', async () => {
      await call(
        c.governance,
        c.governance.registerTenant,
        {
          tenant: {
            id: other.tenantId,
            name: 'Other Corp',
            policy: undefined,
            candidatePolicy: undefined,
            createdAt: undefined,
            updatedAt: undefined,
          },
        },
        other.admin,
      );
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
