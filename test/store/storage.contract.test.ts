import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from 'chai';
import { DomainError } from '../../src/domain/errors';
import { SystemSpec } from '../../src/domain/model';
import { migrate, openDatabase } from '../../src/store/database';
import { LedgerEvent } from '../../src/store/ports';
import { KnexStorage } from '../../src/store/storage';
import { TEST_DATABASE_URL } from '../helpers/server';

const spec = (id: string, name = id): SystemSpec => ({
  id,
  name,
  version: '1.0.0',
  sector: 'banking',
  role: 'deployer',
  risk: 'high',
  sandbox: false,
  euDatabaseId: '',
  trainingFlops: 1e24,
  loggingEnabled: true,
  jurisdiction: 'EU',
  intendedPurpose: '',
  prohibitedDomains: ['a', 'b'],
  lifecyclePhase: 'deployment',
  operationalStatus: 'active',
  externalDependencies: [{ name: 'lib', version: '1', vendor: 'v', licenseType: 'MIT', riskLevel: 'high', vulnerabilities: [] }],
  policy: { autonomyMatrix: { production: { maxRiskLevel: 3 } }, customRules: { x: true } },
});

const now = () => new Date();

/** One contract, every database: the embedded PGlite always, PostgreSQL when BTV_TEST_DATABASE_URL is set. */
const targets: [string, () => { url?: string; dataDir?: string }][] = [
  ['embedded PGlite', () => ({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'btv-store-')) })],
  ...(TEST_DATABASE_URL ? [['PostgreSQL', () => ({ url: TEST_DATABASE_URL })] as [string, () => { url?: string }]] : []),
];

for (const [name, options] of targets) {
  describe(`storage contract: ${name}`, function () {
    let storage: KnexStorage;
    const ledgered: [string, LedgerEvent][] = [];
    let failLedger = false;

    before(async () => {
      const db = openDatabase(options());
      await migrate(db);
      storage = new KnexStorage(db, (trx) => ({
        append: async (tenantId, event) => {
          if (failLedger) throw new Error('ledger down');
          // Written through the transaction so a rollback must undo it too.
          await trx.raw('select 1');
          ledgered.push([tenantId, event]);
        },
      }));
    });
    after(() => storage?.close());

    it('migrating twice is a no-op', async () => {
      expect(await migrate(storage.db)).to.deep.equal([]);
    });

    it('upserts a tenant: created first, updated after, created_at kept', async () => {
      const t = randomUUID();
      const a = await storage.tenants.upsert(t, { name: 'A', policy: { autonomyMatrix: {}, customRules: {} } }, new Date(1000));
      const b = await storage.tenants.upsert(t, { name: 'B', policy: { autonomyMatrix: {}, customRules: { y: false } } }, new Date(2000));
      expect([a.created, b.created]).to.deep.equal([true, false]);
      const got = await storage.tenants.get(t);
      expect(got).to.deep.include({ id: t, name: 'B', policy: { autonomyMatrix: {}, customRules: { y: false } } });
      expect([got!.createdAt.getTime(), got!.updatedAt.getTime()]).to.deep.equal([1000, 2000]);
    });

    it('round-trips every system field and keys systems by (tenant, id)', async () => {
      const [t1, t2] = [randomUUID(), randomUUID()];
      await storage.systems.upsert(t1, spec('same', 'one'), now());
      await storage.systems.upsert(t2, spec('same', 'two'), now());
      const s1 = await storage.systems.get(t1, 'same');
      expect(s1).to.deep.include({ ...spec('same', 'one'), tenantId: t1 });
      expect((await storage.systems.get(t2, 'same'))!.name).to.equal('two');
      expect(await storage.systems.get(randomUUID(), 'same')).to.equal(undefined);
    });

    it('keeps status and phase on re-registration', async () => {
      const t = randomUUID();
      await storage.systems.upsert(t, { ...spec('s'), operationalStatus: 'suspended', lifecyclePhase: 'design' }, now());
      const r = await storage.systems.upsert(t, { ...spec('s'), operationalStatus: 'active', lifecyclePhase: 'operation' }, now());
      expect(r.created).to.equal(false);
      expect([r.system.operationalStatus, r.system.lifecyclePhase]).to.deep.equal(['suspended', 'design']);
    });

    it('lists in id order after a cursor, and counts per tenant', async () => {
      const t = randomUUID();
      for (const id of ['c', 'a', 'b', 'd']) await storage.systems.upsert(t, spec(id), now());
      expect((await storage.systems.list(t, '', 10)).map((s) => s.id)).to.deep.equal(['a', 'b', 'c', 'd']);
      expect((await storage.systems.list(t, 'b', 1)).map((s) => s.id)).to.deep.equal(['c']);
      expect(await storage.systems.count(t)).to.equal(4);
      expect(await storage.systems.count(randomUUID())).to.equal(0);
    });

    it('commits a change with its ledger entry, and rolls the change back when the ledger append fails', async () => {
      const t = randomUUID();
      await storage.transaction(async (uow) => {
        await uow.systems.upsert(t, spec('kept'), now());
        await uow.ledger.append(t, { type: 'system.registered', actor: { subject: 's', role: 'dev' }, requestId: 'r1', body: {} });
      });
      expect(ledgered.some(([tid, e]) => tid === t && e.requestId === 'r1')).to.equal(true);
      failLedger = true;
      try {
        await storage.transaction(async (uow) => {
          await uow.systems.upsert(t, spec('lost'), now());
          await uow.ledger.append(t, { type: 'system.registered', actor: { subject: 's', role: 'dev' }, requestId: 'r2', body: {} });
        });
        expect.fail('the transaction should have failed');
      } catch (e) {
        expect((e as Error).message).to.equal('ledger down');
      } finally {
        failLedger = false;
      }
      expect(await storage.systems.get(t, 'lost')).to.equal(undefined);
      expect(await storage.systems.get(t, 'kept')).to.not.equal(undefined);
    });
  });
}

describe('storage when the database is unreachable', () => {
  it('reports UNAVAILABLE, not the driver error', async () => {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    const storage = new KnexStorage(openDatabase({ url: 'postgresql://postgres@127.0.0.1:1/none' }), () => ({ append: async () => undefined }));
    try {
      await storage.systems.get(randomUUID(), 'x');
      expect.fail('should not reach the database');
    } catch (e) {
      expect(e).to.be.instanceOf(DomainError);
      expect((e as DomainError).kind).to.equal('unavailable');
    } finally {
      await storage.close();
    }
  });
});
