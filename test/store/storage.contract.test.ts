import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { DomainError } from '../../src/domain/errors';
import type { SystemSpec } from '../../src/domain/model';
import { migrate, openDatabase } from '../../src/store/database';
import { KeyRing, newKeySpecEntry, parseKeySpec } from '../../src/ledger/keyring';
import { verifyRecords } from '../../src/ledger/verify';
import { GroupCommitWriter } from '../../src/store/group-commit';
import type {
  AssumedStatus,
  ChangePreparation,
  LedgerEvent,
  StatusChangeRecord,
  UnitOfWork,
} from '../../src/store/ports';
import { STATUS_CHANNEL } from '../../src/store/status-notify';
import type { OperationalStatus } from '../../src/domain/model';
import { Client as PgClient } from 'pg';
import { KnexStorage } from '../../src/store/storage';
import { KnexSystemStore } from '../../src/store/knex-systems';

const keyRing = new KeyRing('k1', parseKeySpec(newKeySpecEntry('k1'), 'test'));
// A real event type (the port takes only those), its body naming the request so a test can tell entries apart.
const event = (requestId: string): LedgerEvent => ({
  type: 'review.opened',
  actor: { subject: 's', role: 'dev' },
  requestId,
  body: { review_id: requestId, decision_id: requestId, system_id: 's', risk_score: 0 },
});
import { TEST_DATABASE_KIND, TEST_DATABASE_URL } from '../helpers/server';

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
  externalDependencies: [
    { name: 'lib', version: '1', vendor: 'v', licenseType: 'MIT', riskLevel: 'high', vulnerabilities: [] },
  ],
  policy: { autonomyMatrix: { production: { maxRiskLevel: 3 } }, customRules: { x: true } },
  candidatePolicy: null,
});

const now = () => new Date();

/** One contract, every database: `npm test` runs it on the embedded PostgreSQL, CI again on its PostgreSQL server. */
const targets: [string, () => { url: string }][] = [[TEST_DATABASE_KIND, () => ({ url: TEST_DATABASE_URL })]];

for (const [name, options] of targets) {
  describe(`storage contract: ${name}`, function () {
    let storage: KnexStorage;

    before(async () => {
      const db = openDatabase(options());
      await migrate(db);
      storage = new KnexStorage(db, { keyRing, clock: now });
    });
    after(() => storage?.close());

    it('migrating twice is a no-op', async () => {
      expect(await migrate(storage.db)).to.deep.equal([]);
    });

    it('upserts a tenant: created first, updated after, created_at kept', async () => {
      const t = randomUUID();
      const a = await storage.tenants.upsert(
        t,
        { name: 'A', policy: { autonomyMatrix: {}, customRules: {} }, candidatePolicy: null },
        new Date(1000),
      );
      const b = await storage.tenants.upsert(
        t,
        { name: 'B', policy: { autonomyMatrix: {}, customRules: { y: false } }, candidatePolicy: null },
        new Date(2000),
      );
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
      await storage.systems.upsert(
        t,
        { ...spec('s'), operationalStatus: 'suspended', lifecyclePhase: 'design' },
        now(),
      );
      const r = await storage.systems.upsert(
        t,
        { ...spec('s'), operationalStatus: 'active', lifecyclePhase: 'operation' },
        now(),
      );
      expect(r.created).to.equal(false);
      expect([r.system.operationalStatus, r.system.lifecyclePhase]).to.deep.equal(['suspended', 'design']);
    });

    it('upsertChecked: the check sees what the write replaces, also a row a concurrent transaction just created', async () => {
      const t = randomUUID();
      const refuse = new DomainError({
        kind: 'permission_denied',
        reason: 'POLICY_CHANGE_REQUIRES_ADMIN',
        message: 'no',
      });
      const settled = (p: Promise<unknown>) =>
        p.then(
          () => 'ok',
          (e) => (e === refuse ? 'refused' : Promise.reject(e)),
        );
      const pause = () => new Promise((r) => setTimeout(r, 200));

      // A creation not yet committed: the checked write finds no row to lock, waits on the insert,
      // then checks the committed row instead of writing over it.
      const creator = await storage.db.transaction();
      await new KnexSystemStore(creator).upsert(t, spec('new', 'first'), now());
      const seen: (string | undefined)[] = [];
      const checked = settled(
        storage.db.transaction((trx) =>
          new KnexSystemStore(trx).upsertChecked(t, spec('new', 'second'), now(), (stored) => {
            seen.push(stored?.name);
            if (stored) throw refuse;
          }),
        ),
      );
      await pause();
      await creator.commit();
      expect(await checked).to.equal('refused');
      expect(seen).to.deep.equal([undefined, 'first']);
      expect((await storage.systems.get(t, 'new'))!.name).to.equal('first');

      // An existing row stays locked from the check to the commit: a second checked write waits, then sees the first.
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const first = storage.db.transaction(async (trx) => {
        const r = await new KnexSystemStore(trx).upsertChecked(t, spec('new', 'third'), now(), () => undefined);
        await held;
        return r;
      });
      await pause();
      const names: (string | undefined)[] = [];
      const second = storage.db.transaction((trx) =>
        new KnexSystemStore(trx).upsertChecked(t, spec('new', 'fourth'), now(), (s) => names.push(s?.name)),
      );
      await pause();
      expect(names, 'still waiting for the lock').to.deep.equal([]);
      release();
      expect((await first).created).to.equal(false);
      expect((await second).system.name).to.equal('fourth');
      expect(names).to.deep.equal(['third']);
    });

    it('lists in id order after a cursor, and counts per tenant', async () => {
      const t = randomUUID();
      for (const id of ['c', 'a', 'b', 'd']) await storage.systems.upsert(t, spec(id), now());
      expect((await storage.systems.list(t, '', 10)).map((s) => s.id)).to.deep.equal(['a', 'b', 'c', 'd']);
      expect((await storage.systems.list(t, 'b', 1)).map((s) => s.id)).to.deep.equal(['c']);
      expect(await storage.systems.count(t)).to.equal(4);
      expect(await storage.systems.count(randomUUID())).to.equal(0);
    });

    it('commits a change with its ledger entry; a failing job rolls back alone, entries included', async () => {
      const t = randomUUID();
      const kept = storage.transaction(t, async (uow) => {
        await uow.systems.upsert(t, spec('kept'), now());
        return uow.ledger.append(t, event('r1'));
      });
      const lost = storage.transaction(t, async (uow) => {
        await uow.systems.upsert(t, spec('lost'), now());
        await uow.ledger.append(t, event('r2'));
        throw new Error('validation failed after the append');
      });
      const after = storage.transaction(t, (uow) => uow.ledger.append(t, event('r3')));
      expect(await kept).to.equal(1);
      await lost.then(
        () => expect.fail('should fail'),
        (e) => expect(e.message).to.equal('validation failed after the append'),
      );
      expect(await after).to.equal(2);
      expect(await storage.systems.get(t, 'lost')).to.equal(undefined);
      expect(await storage.systems.get(t, 'kept')).to.not.equal(undefined);
      const records = await storage.ledger.list(t, 0, 10);
      expect(records.map((r) => JSON.parse(r.payload).review_id)).to.deep.equal(['r1', 'r3']);
      expect(verifyRecords(records, { key: (k) => keyRing.get(k) }).valid).to.equal(true);
    });

    it("isolates a job whose data the database refuses: the batch's other jobs, of other tenants too, still commit", async () => {
      const [bad, good] = [randomUUID(), randomUUID()];
      // A NUL cannot be stored in PostgreSQL text: the statement writing the whole batch fails.
      const poison: LedgerEvent = { ...event('p1'), actor: { subject: 'evil\u0000', role: 'dev' } };
      const jobs = [
        storage.transaction(bad, (uow) => uow.ledger.append(bad, poison)),
        ...Array.from({ length: 20 }, (_, i) =>
          storage.transaction(good, (uow) => uow.ledger.append(good, event(`g${i}`))),
        ),
      ];
      const results = await Promise.allSettled(jobs);
      expect(results[0].status).to.equal('rejected');
      expect(results.slice(1).map((r) => r.status)).to.deep.equal(Array(20).fill('fulfilled'));
      const records = await storage.ledger.list(good, 0, 100);
      expect(records.map((r) => r.sequence)).to.deep.equal(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(verifyRecords(records, { key: (k) => keyRing.get(k) }).valid).to.equal(true);
      expect(await storage.ledger.list(bad, 0, 10)).to.deep.equal([]);
    });

    it('keeps one gap-free chain per tenant under hundreds of concurrent appends, in shared batches', async () => {
      const tenants = [randomUUID(), randomUUID(), randomUUID()];
      const before = { ...storage.writer.stats };
      const seqs = await Promise.all(
        Array.from({ length: 300 }, (_, i) => {
          const t = tenants[i % 3];
          return storage.transaction(t, (uow) => uow.ledger.append(t, event(`c${i}`)));
        }),
      );
      for (const t of tenants) {
        const records = await storage.ledger.list(t, 0, 1000);
        expect(records.map((r) => r.sequence)).to.deep.equal(Array.from({ length: 100 }, (_, i) => i + 1));
        expect(verifyRecords(records, { key: (k) => keyRing.get(k) })).to.include({ valid: true, entriesChecked: 100 });
        expect((await storage.ledger.head(t)).sequence).to.equal(100);
      }
      expect(new Set(seqs.map((s, i) => `${i % 3}:${s}`)).size).to.equal(300);
      // Group commit: far fewer transactions than appends.
      expect(storage.writer.stats.batches - before.batches).to.be.lessThan(150);
    });

    describe('optimistic appends', () => {
      const optimistic = { appendOnly: true };
      /**
       * What a status change job does: prepare, append its entry, record the change to `to` of system "s".
       * keyed false: no idempotency key (the ledger entry still carries `key` as its request id).
       */
      const changeStatus = async (
        uow: UnitOfWork,
        t: string,
        key: string,
        to: OperationalStatus,
        o: { keyed?: boolean; prepared?: (p: ChangePreparation) => void } = {},
      ): Promise<StatusChangeRecord> => {
        const idempotencyKey = (o.keyed ?? true) ? key : null;
        const prepared = await uow.status.prepare(t, 's', idempotencyKey);
        o.prepared?.(prepared);
        const { current, headRevision } = prepared;
        const change: StatusChangeRecord = {
          tenantId: t,
          revision: headRevision + 1,
          systemId: 's',
          kind: 'status',
          previousStatus: current!.operationalStatus,
          newStatus: to,
          previousPhase: current!.lifecyclePhase,
          newPhase: current!.lifecyclePhase,
          reason: 'test',
          operator: 'op',
          actorSubject: 'sub',
          idempotencyKey,
          ledgerSequence: 0,
          createdAt: now(),
        };
        change.ledgerSequence = await uow.ledger.append(t, event(key));
        await uow.status.record(change);
        return change;
      };

      it('commit in one statement once the head is known, and fall back when another process wrote the tenant', async () => {
        const t = randomUUID();
        // A second writer on the same database is what another server process is.
        const other = new GroupCommitWriter(storage.db, { keyRing, clock: now });
        const before = { ...storage.writer.stats };
        expect(await storage.transaction(t, (uow) => uow.ledger.append(t, event('a1')), optimistic)).to.equal(1);
        expect(await storage.transaction(t, (uow) => uow.ledger.append(t, event('a2')), optimistic)).to.equal(2);
        expect(storage.writer.stats.optimisticJobs - before.optimisticJobs).to.equal(1);
        expect(await other.submit(t, (uow) => uow.ledger.append(t, event('b1')))).to.equal(3);
        expect(await storage.transaction(t, (uow) => uow.ledger.append(t, event('a3')), optimistic)).to.equal(4);
        expect(storage.writer.stats.optimisticMisses - before.optimisticMisses).to.equal(1);
        const records = await storage.ledger.list(t, 0, 10);
        expect(records.map((r) => JSON.parse(r.payload).review_id)).to.deep.equal(['a1', 'a2', 'b1', 'a3']);
        expect(verifyRecords(records, { key: (k) => keyRing.get(k) })).to.include({ valid: true, entriesChecked: 4 });
        expect((await storage.ledger.head(t)).sequence).to.equal(4);
      });

      it('write nothing when an assumed status no longer holds: the job runs again with the status read under lock', async () => {
        const t = randomUUID();
        await storage.systems.upsert(t, spec('s'), now());
        const assumed = {
          appendOnly: true,
          assumedStatus: { systemId: 's', operationalStatus: 'active' as const, lifecyclePhase: 'deployment' as const },
        };
        const seen: string[] = [];
        const job = (id: string) => async (uow: UnitOfWork) => {
          seen.push(uow.currentStatus!.operationalStatus);
          return uow.ledger.append(t, event(id));
        };
        await storage.transaction(t, job('x1'), assumed);
        await storage.transaction(t, job('x2'), assumed);
        // Behind the writer's back (the head does not move): only the status check can notice.
        await storage
          .db('ai_systems')
          .where({ tenant_id: t, id: 's' })
          .update({ operational_status: 'emergency_stop' });
        expect(await storage.transaction(t, job('x3'), assumed)).to.equal(3);
        expect(seen).to.deep.equal(['active', 'active', 'active', 'emergency_stop']);
        const records = await storage.ledger.list(t, 0, 10);
        expect(records.map((r) => JSON.parse(r.payload).review_id)).to.deep.equal(['x1', 'x2', 'x3']);
        expect(verifyRecords(records, { key: (k) => keyRing.get(k) }).valid).to.equal(true);
      });

      it('commit a status change (change log, system row, revision, ledger entry, NOTIFY) in one statement; a stale one falls back', async () => {
        const t = randomUUID();
        await storage.systems.upsert(t, spec('s'), now());
        const before = { ...storage.writer.stats };
        const stop = (requestId: string, to: OperationalStatus) => (uow: UnitOfWork) =>
          changeStatus(uow, t, requestId, to);
        const opts = { appendOnly: true };
        const listener = new PgClient({ connectionString: TEST_DATABASE_URL });
        const heard: string[] = [];
        await listener.connect();
        listener.on('notification', (n) => heard.push(JSON.parse(n.payload!).idempotencyKey));
        await listener.query(`LISTEN ${STATUS_CHANNEL}`);
        try {
          await storage.transaction(t, stop('k1', 'suspended'), opts); // learns the head (locking path)
          await storage.transaction(t, stop('k2', 'active'), opts); // one statement
          expect(storage.writer.stats.optimisticJobs - before.optimisticJobs).to.equal(1);
          // Another process changes the status meanwhile: this writer's next change must not be built on stale reads.
          const other = new GroupCommitWriter(storage.db, { keyRing, clock: now });
          await other.submit(t, stop('k3', 'degraded'), opts);
          const last = await storage.transaction(t, stop('k4', 'suspended'), opts);
          expect(storage.writer.stats.optimisticMisses - before.optimisticMisses).to.equal(1);
          expect([last.revision, last.previousStatus]).to.deep.equal([4, 'degraded']);

          const log = await storage.status.changesAfter(t, 0, 10);
          expect(log.map((c) => [c.revision, c.idempotencyKey, c.newStatus, c.ledgerSequence])).to.deep.equal([
            [1, 'k1', 'suspended', 1],
            [2, 'k2', 'active', 2],
            [3, 'k3', 'degraded', 3],
            [4, 'k4', 'suspended', 4],
          ]);
          expect(await storage.status.head(t)).to.equal(4);
          expect(await storage.status.current(t, 's')).to.deep.include({ operationalStatus: 'suspended', revision: 4 });
          const records = await storage.ledger.list(t, 0, 10);
          expect(verifyRecords(records, { key: (k) => keyRing.get(k) })).to.include({ valid: true, entriesChecked: 4 });
          for (let i = 0; i < 50 && heard.length < 4; i++) await new Promise((r) => setTimeout(r, 20));
          expect(heard).to.deep.equal(['k1', 'k2', 'k3', 'k4']);
        } finally {
          await listener.end();
        }
      });

      it('prepare a job from its assumed status and the revision head this process wrote last, only while no other process has written the tenant', async () => {
        const t = randomUUID();
        await storage.systems.upsert(t, spec('s'), now());
        const deployed = { systemId: 's', lifecyclePhase: 'deployment' as const };
        const assuming = (operationalStatus: OperationalStatus) => {
          const assumedStatus: AssumedStatus = { ...deployed, operationalStatus };
          return { appendOnly: true, assumedStatus };
        };
        // The revision head the job was given without a read (undefined: it was read).
        const known: (number | undefined)[] = [];
        const seen = (opts: { assumedStatus: AssumedStatus }) => (p: ChangePreparation) =>
          known.push(p.current === opts.assumedStatus ? p.headRevision : undefined);
        const change =
          (key: string, to: OperationalStatus, opts: ReturnType<typeof assuming>) => async (uow: UnitOfWork) =>
            (await changeStatus(uow, t, key, to, { keyed: false, prepared: seen(opts) })).revision;
        const decide = (id: string, opts: ReturnType<typeof assuming>) => async (uow: UnitOfWork) => {
          seen(opts)(await uow.status.prepare(t, 's', null));
          return uow.ledger.append(t, event(id));
        };
        const run = <T>(
          w: { submit: GroupCommitWriter['submit'] },
          job: (o: ReturnType<typeof assuming>) => (uow: UnitOfWork) => Promise<T>,
          status: OperationalStatus,
        ) => {
          const opts = assuming(status);
          return w.submit(t, job(opts), opts);
        };
        const mine = storage.writer;
        expect(await run(mine, (o) => change('k1', 'suspended', o), 'active')).to.equal(1); // locking: unknown
        await run(mine, (o) => decide('d1', o), 'suspended'); // one statement: 1
        expect(await run(mine, (o) => change('k2', 'active', o), 'suspended')).to.equal(2); // one statement, built on 1
        await run(mine, (o) => decide('d2', o), 'active'); // 2
        const other = new GroupCommitWriter(storage.db, { keyRing, clock: now });
        expect(await run(other, (o) => change('k3', 'degraded', o), 'active')).to.equal(3); // another process: unknown
        await run(mine, (o) => decide('d3', o), 'degraded'); // tries 2, misses, runs again under lock: unknown
        await run(mine, (o) => decide('d4', o), 'degraded'); // contended: under lock, unknown
        // A process that has just started learns the revision head with the ledger head it locks on
        // first contact, so even its first status change of the tenant can skip the read.
        const fresh = new GroupCommitWriter(storage.db, { keyRing, clock: now });
        await run(fresh, (o) => decide('e1', o), 'degraded'); // locking: unknown to the job, read under the lock
        expect(await run(fresh, (o) => change('k4', 'active', o), 'degraded')).to.equal(4); // one statement, built on 3
        expect(fresh.stats.optimisticJobs).to.equal(1);
        expect(known).to.deep.equal([undefined, 1, 1, 2, undefined, 2, undefined, undefined, undefined, 3]);
        expect(await storage.status.head(t)).to.equal(4);
        const records = await storage.ledger.list(t, 0, 10);
        expect(records.map((r) => JSON.parse(r.payload).review_id)).to.deep.equal([
          'k1',
          'd1',
          'k2',
          'd2',
          'k3',
          'd3',
          'd4',
          'e1',
          'k4',
        ]);
        expect(verifyRecords(records, { key: (k) => keyRing.get(k) })).to.include({ valid: true, entriesChecked: 9 });
      });

      it('give a job that assumed a status the change an earlier job of its locking batch made', async () => {
        const t = randomUUID();
        await storage.systems.upsert(t, spec('s'), now());
        // A writer that has not seen the tenant yet: both jobs take the locking path, in one batch.
        const fresh = new GroupCommitWriter(storage.db, { keyRing, clock: now });
        const assumed = {
          appendOnly: true,
          assumedStatus: { systemId: 's', operationalStatus: 'active' as const, lifecyclePhase: 'deployment' as const },
        };
        const seen: string[] = [];
        const [stop, decision] = await Promise.all([
          fresh.submit(t, (uow) => changeStatus(uow, t, 'k1', 'emergency_stop'), optimistic),
          fresh.submit(
            t,
            async (uow) => {
              seen.push(uow.currentStatus!.operationalStatus);
              return uow.ledger.append(t, event('d1'));
            },
            assumed,
          ),
        ]);
        expect(fresh.stats.batches).to.equal(1);
        expect([stop.ledgerSequence, decision]).to.deep.equal([1, 2]);
        // Decided after the stop in the ledger, so decided on the stop.
        expect(seen).to.deep.equal(['emergency_stop']);
      });

      it('move a job that reaches for another store to a transaction, and keep one valid chain', async () => {
        const t = randomUUID();
        await storage.transaction(t, (uow) => uow.ledger.append(t, event('p1')), optimistic);
        const [a, b, c] = await Promise.all([
          storage.transaction(t, (uow) => uow.ledger.append(t, event('p2')), optimistic),
          storage.transaction(
            t,
            async (uow) => {
              await uow.systems.upsert(t, spec('made-in-a-transaction'), now());
              return uow.ledger.append(t, event('p3'));
            },
            optimistic,
          ),
          storage.transaction(t, (uow) => uow.ledger.append(t, event('p4')), optimistic),
        ]);
        expect([a, b, c].sort()).to.deep.equal([2, 3, 4]);
        expect(await storage.systems.get(t, 'made-in-a-transaction')).to.not.equal(undefined);
        const records = await storage.ledger.list(t, 0, 10);
        expect(records).to.have.length(4);
        expect(verifyRecords(records, { key: (k) => keyRing.get(k) }).valid).to.equal(true);
      });
    });

    it('refuses UPDATE and DELETE on ledger entries', async () => {
      const t = randomUUID();
      await storage.transaction(t, (uow) => uow.ledger.append(t, event('x')));
      for (const q of [
        storage.db('ledger_entries').where({ tenant_id: t }).update({ payload: '{}' }),
        storage.db('ledger_entries').where({ tenant_id: t }).del(),
      ]) {
        await q.then(
          () => expect.fail('should be refused'),
          (e) => expect(String(e.message)).to.contain('append-only'),
        );
      }
    });
  });
}

describe('storage when the database is unreachable', () => {
  it('reports UNAVAILABLE, not the driver error', async () => {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    const storage = new KnexStorage(openDatabase({ url: 'postgresql://postgres@127.0.0.1:1/none' }), {
      keyRing,
      clock: now,
    });
    try {
      await storage.systems.get(randomUUID(), 'x');
      expect.fail('should not reach the database');
    } catch (e) {
      expect(e).to.be.instanceOf(DomainError);
      expect((e as DomainError).kind).to.equal('unavailable');
    }
    await storage
      .transaction(randomUUID(), async () => 1)
      .then(
        () => expect.fail('should not commit'),
        (e) => expect((e as DomainError).kind).to.equal('unavailable'),
      );
    await storage.close();
  });
});
