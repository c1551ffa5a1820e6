import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import type { Knex } from 'knex';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { VerifyLedgerResponse } from '../../gen/ts/btv/v1/audit';
import { AiSystem, RiskClassification } from '../../gen/ts/btv/v1/types';
import { DEV_CHECKPOINT_KEY_FILE } from '../../src/ledger/checkpoint';
import { canonicalForm, GENESIS_HASH, sha256Hex } from '../../src/ledger/entry';
import type { Clients } from '../helpers/grpc';
import { bearer, call, connect, expectError } from '../helpers/grpc';
import { frontierAt } from '../helpers/ledger';
import type { TestServer } from '../helpers/server';
import { startTestServer } from '../helpers/server';

const TRIGGER = 'ledger_entries_append_only';
const HEX64 = /^[0-9a-f]{64}$/;
const system = (id: string) =>
  AiSystem.fromPartial({ id, name: `System ${id}`, risk: RiskClassification.RISK_CLASSIFICATION_MINIMAL });
const newKey = () => crypto.randomBytes(32).toString('base64');
// No periodic checkpoints: every checkpoint in these tests is one the test asked for.
const QUIET = { BTV_CHECKPOINT_INTERVAL_MS: '0' };

describe('AuditService ledger', function () {
  this.timeout(60_000);
  let srv: TestServer;
  let c: Clients;
  let db: Knex;

  before(async () => {
    srv = await startTestServer({ env: QUIET });
    c = connect(srv.address);
    db = srv.app.storage.db;
  });
  after(async () => {
    c?.close();
    await srv?.stop();
  });

  interface Tenant {
    tenantId: string;
    dev: grpc.Metadata;
    auditor: grpc.Metadata;
  }

  function tenant(tenantId = crypto.randomUUID()): Tenant {
    return {
      tenantId,
      dev: bearer(srv.mint('dev', { tenantId, sub: 'alice' })),
      auditor: bearer(srv.mint('auditor', { tenantId, sub: 'audrey' })),
    };
  }

  const register = (t: Tenant, id: string, md = t.dev) =>
    call(c.governance, c.governance.registerSystem, { system: system(id) }, md);
  const list = (t: Tenant, afterSequence = 0, limit = 0) =>
    call(c.audit, c.audit.listLedgerEntries, { afterSequence, limit }, t.auditor);
  const verify = (t: Tenant): Promise<VerifyLedgerResponse> => call(c.audit, c.audit.verifyLedger, {}, t.auditor);
  const checkpoint = (t: Tenant) => call(c.audit, c.audit.createLedgerCheckpoint, {}, t.auditor);

  /** A fresh tenant with n entries (one RegisterSystem each). */
  async function tenantWith(n: number): Promise<Tenant> {
    const t = tenant();
    for (let i = 1; i <= n; i++) await register(t, `sys-${i}`);
    return t;
  }

  /** Edits the database as an operator with table rights would: the append-only trigger must go first. */
  async function tamper(fn: (trx: Knex.Transaction) => Promise<unknown>): Promise<void> {
    await db.transaction(async (trx) => {
      await trx.raw(`ALTER TABLE ledger_entries DISABLE TRIGGER ${TRIGGER}`);
      await fn(trx);
      await trx.raw(`ALTER TABLE ledger_entries ENABLE TRIGGER ${TRIGGER}`);
    });
  }

  const entries = (trx: Knex | Knex.Transaction, t: Tenant) => trx('ledger_entries').where({ tenant_id: t.tenantId });
  const at = (trx: Knex | Knex.Transaction, t: Tenant, sequence: number) => entries(trx, t).andWhere({ sequence });

  function expectInvalid(r: VerifyLedgerResponse, problem: string, first: number) {
    expect(
      { valid: r.valid, problem: r.problem, firstInvalidSequence: r.firstInvalidSequence },
      r.detail,
    ).to.deep.equal({
      valid: false,
      problem,
      firstInvalidSequence: first,
    });
    expect(r.detail).not.to.equal('');
  }

  describe('ListLedgerEntries', () => {
    let t: Tenant;
    before(async () => {
      t = tenant();
      const md = bearer(srv.mint('dev', { tenantId: t.tenantId, sub: 'alice' }));
      md.set('x-request-id', 'req-ledger-1');
      await register(t, 'sys-1', md);
      for (let i = 2; i <= 6; i++) await register(t, `sys-${i}`);
      // An update appends too.
      await register(t, 'sys-1', bearer(srv.mint('admin', { tenantId: t.tenantId, sub: 'root' })));
    });

    it('lists the entries of RegisterSystem calls in order, chained and signed', async () => {
      const r = await list(t);
      expect(r.headSequence).to.equal(7);
      expect(r.entries.map((e) => e.sequence)).to.deep.equal([1, 2, 3, 4, 5, 6, 7]);
      expect(r.entries.map((e) => e.eventType)).to.deep.equal([
        ...Array(6).fill('system.registered'),
        'system.updated',
      ]);
      r.entries.forEach((e, i) => {
        expect(e.tenantId).to.equal(t.tenantId);
        expect(e.prevHash).to.equal(i === 0 ? GENESIS_HASH : r.entries[i - 1].entryHash);
        expect(e.entryHash).to.match(HEX64);
        expect(e.signature).to.match(HEX64);
        expect(e.keyId).to.equal(srv.app.ledger['keyRing'].activeKid);
        expect(e.timestamp).to.be.instanceOf(Date);
        if (i > 0) expect(e.timestamp!.getTime()).to.be.at.least(r.entries[i - 1].timestamp!.getTime());
        // The hash is the SHA-256 of the canonical form of exactly what is listed.
        const form = canonicalForm({ ...e, timestamp: e.timestamp!.toISOString(), payload: e.payloadJson });
        expect(sha256Hex(form)).to.equal(e.entryHash);
      });
      expect(JSON.parse(r.entries[0].payloadJson)).to.deep.include({ system_id: 'sys-1' });
      expect(JSON.parse(r.entries[6].payloadJson)).to.deep.include({ system_id: 'sys-1' });
    });

    it('records the actor from the token and the request id from x-request-id', async () => {
      const { entries: es } = await list(t);
      expect(es[0]).to.include({ actorSubject: 'alice', actorRole: 'dev', requestId: 'req-ledger-1' });
      expect(es[1]).to.include({ actorSubject: 'alice', actorRole: 'dev' });
      // Without x-request-id the server makes one up.
      expect(es[1].requestId).to.match(/^[0-9a-f-]{36}$/);
      expect(es[1].requestId).not.to.equal(es[2].requestId);
      expect(es[6]).to.include({ actorSubject: 'root', actorRole: 'admin' });
    });

    it('pages with after_sequence and limit', async () => {
      const p1 = await list(t, 0, 3);
      expect(p1.entries.map((e) => e.sequence)).to.deep.equal([1, 2, 3]);
      expect(p1.headSequence).to.equal(7);
      const p2 = await list(t, 3, 3);
      expect(p2.entries.map((e) => e.sequence)).to.deep.equal([4, 5, 6]);
      const p3 = await list(t, 6, 3);
      expect(p3.entries.map((e) => e.sequence)).to.deep.equal([7]);
      expect((await list(t, 7, 3)).entries).to.deep.equal([]);
      expect((await list(t, 1000, 0)).entries).to.deep.equal([]);
      expect((await list(t, 5, 1000)).entries.map((e) => e.sequence)).to.deep.equal([6, 7]);
      expect((await list(t, 0, 1)).entries.map((e) => e.sequence)).to.deep.equal([1]);
    });

    it('rejects a limit out of range, naming limit', async () => {
      for (const limit of [1001, -1, 2_000_000_000]) {
        const e = await expectError(list(t, 0, limit), grpc.status.INVALID_ARGUMENT, 'ERROR_REASON_INVALID_ARGUMENT');
        expect(e.fieldViolations.map((v) => v.field)).to.deep.equal(['limit']);
        expect(e.message).to.contain('limit');
      }
    });

    it('is limited to auditors and admins', async () => {
      await expectError(
        call(c.audit, c.audit.listLedgerEntries, { afterSequence: 0, limit: 0 }, t.dev),
        grpc.status.PERMISSION_DENIED,
        'ERROR_REASON_ROLE_NOT_ALLOWED',
      );
      await expectError(
        call(c.audit, c.audit.verifyLedger, {}, t.dev),
        grpc.status.PERMISSION_DENIED,
        'ERROR_REASON_ROLE_NOT_ALLOWED',
      );
      const admin = bearer(srv.mint('admin', { tenantId: t.tenantId }));
      expect(
        (await call(c.audit, c.audit.listLedgerEntries, { afterSequence: 0, limit: 0 }, admin)).headSequence,
      ).to.equal(7);
    });

    it('shows another tenant none of them', async () => {
      const other = tenant();
      const r = await list(other);
      expect(r).to.deep.equal({ entries: [], headSequence: 0 });
      const v = await verify(other);
      expect(v).to.include({ valid: true, entriesChecked: 0, firstInvalidSequence: 0, problem: '' });
      await register(other, 'sys-1');
      const r2 = await list(other);
      expect(r2.entries.map((e) => [e.sequence, e.tenantId, e.prevHash])).to.deep.equal([
        [1, other.tenantId, GENESIS_HASH],
      ]);
      expect((await list(t)).headSequence).to.equal(7);
    });

    it('VerifyLedger finds a clean ledger valid', async () => {
      const r = await verify(t);
      expect(r).to.deep.equal({
        valid: true,
        entriesChecked: 7,
        firstInvalidSequence: 0,
        problem: '',
        detail: '',
        checkpointsChecked: 0,
      });
      const { checkpoint: cp } = await checkpoint(t);
      expect(cp).to.include({ tenantId: t.tenantId, size: 7 });
      expect(cp!.headHash).to.equal((await list(t)).entries[6].entryHash);
      expect(await verify(t)).to.include({ valid: true, entriesChecked: 7, checkpointsChecked: 1 }); // the stored one; the witnessed copy is the same
      const cps = await call(c.audit, c.audit.listLedgerCheckpoints, {}, t.auditor);
      expect(cps.checkpoints.map((x) => x.size)).to.deep.equal([7]);
      expect(cps.publicKeyPem).to.contain('BEGIN PUBLIC KEY');
    });
  });

  describe('tampering with the database', () => {
    it('cannot edit or delete entries while the append-only trigger is on', async () => {
      const t = await tenantWith(2);
      let err: Error | undefined;
      try {
        await at(db, t, 1).update({ payload: '{}' });
      } catch (e) {
        err = e as Error;
      }
      expect(err?.message).to.contain('append-only');
      err = undefined;
      try {
        await at(db, t, 2).delete();
      } catch (e) {
        err = e as Error;
      }
      expect(err?.message).to.contain('append-only');
      expect(await verify(t)).to.include({ valid: true, entriesChecked: 2 });
    });

    it('a modified field: modified at 5', async () => {
      const t = await tenantWith(10);
      await tamper((trx) => at(trx, t, 5).update({ payload: '{"system_id":"evil"}' }));
      const r = await verify(t);
      expectInvalid(r, 'modified', 5);
      expect(r.entriesChecked).to.equal(4);
    });

    it('a payload given a key twice, whose hash still holds: unreadable at 5, not valid', async () => {
      const t = await tenantWith(10);
      // JSON.parse keeps the last "system_id" (the genuine one), so the hash still matches; the text
      // a person reads through ListLedgerEntries says "evil" first.
      await tamper((trx) => at(trx, t, 5).update({ payload: db.raw(`'{"system_id":"evil",' || substr(payload, 2)`) }));
      const [row] = await at(db, t, 5).select('payload');
      expect(row.payload).to.match(/^\{"system_id":"evil",/);
      expectInvalid(await verify(t), 'unreadable', 5);
    });

    it('a modified actor: modified at 5', async () => {
      const t = await tenantWith(10);
      await tamper((trx) => at(trx, t, 5).update({ actor_subject: 'someone-else' }));
      expectInvalid(await verify(t), 'modified', 5);
    });

    it('a deleted entry: deleted at 5', async () => {
      const t = await tenantWith(10);
      await tamper((trx) => at(trx, t, 5).delete());
      expectInvalid(await verify(t), 'deleted', 5);
    });

    it('a deleted entry with the later ones renumbered: deleted at 5', async () => {
      const t = await tenantWith(10);
      await tamper(async (trx) => {
        await at(trx, t, 5).delete();
        for (let s = 6; s <= 10; s++) await at(trx, t, s).update({ sequence: s - 1 });
      });
      expectInvalid(await verify(t), 'deleted', 5);
    });

    it('two entries swapped: reordered at 5', async () => {
      const t = await tenantWith(10);
      await tamper(async (trx) => {
        await at(trx, t, 5).update({ sequence: -5 });
        await at(trx, t, 6).update({ sequence: 5 });
        await at(trx, t, -5).update({ sequence: 6 });
      });
      const r = await verify(t);
      expectInvalid(r, 'reordered', 5);
      // Exactly the two rows moved.
      const listed = (await list(t)).entries;
      expect(JSON.parse(listed[4].payloadJson).system_id).to.equal('sys-6');
    });

    it('two far-apart entries swapped: reordered at 3', async () => {
      const t = await tenantWith(10);
      await tamper(async (trx) => {
        await at(trx, t, 3).update({ sequence: -3 });
        await at(trx, t, 9).update({ sequence: 3 });
        await at(trx, t, -3).update({ sequence: 9 });
      });
      expectInvalid(await verify(t), 'reordered', 3);
    });

    it('a forged entry inserted: inserted at 5', async () => {
      const t = await tenantWith(10);
      const prev = await at(db, t, 4).first();
      const five = await at(db, t, 5).first();
      await tamper(async (trx) => {
        for (let s = 10; s >= 5; s--) await at(trx, t, s).update({ sequence: s + 1 });
        await trx('ledger_entries').insert({
          ...five,
          sequence: 5,
          actor_subject: 'mallory',
          payload: '{"system_id":"backdoor"}',
          prev_hash: prev.entry_hash,
          entry_hash: sha256Hex('forged'),
          signature: crypto.randomBytes(32).toString('hex'),
        });
      });
      const r = await verify(t);
      expectInvalid(r, 'inserted', 5);
      expect((await list(t)).entries).to.have.length(11);
    });

    it('a changed entry re-hashed so only the HMAC is wrong: bad_signature at 5', async () => {
      const t = await tenantWith(10);
      const records = await srv.app.ledger.records(t.tenantId);
      const changed = { ...records[4], payload: '{"system_id":"evil"}' };
      const entryHash = sha256Hex(canonicalForm(changed));
      expect(entryHash).not.to.equal(records[4].entryHash);
      await tamper((trx) => at(trx, t, 5).update({ payload: changed.payload, entry_hash: entryHash }));
      expectInvalid(await verify(t), 'bad_signature', 5);
    });

    it('an unknown key id: unknown_key at 5', async () => {
      const t = await tenantWith(10);
      await tamper((trx) => at(trx, t, 5).update({ key_id: 'k-nobody-has' }));
      expectInvalid(await verify(t), 'unknown_key', 5);
    });

    it('the tail dropped after a checkpoint: truncated at 8, even when the stored checkpoints go too', async () => {
      const t = await tenantWith(10);
      const { checkpoint: cp } = await checkpoint(t);
      expect(cp!.size).to.equal(10);
      const seven = await at(db, t, 7).first();
      await tamper(async (trx) => {
        await entries(trx, t).andWhere('sequence', '>=', 8).delete();
        await trx('ledger_heads').where({ tenant_id: t.tenantId }).update({ sequence: 7, head_hash: seven.entry_hash });
      });
      expect((await list(t)).headSequence).to.equal(7);
      const r = await verify(t);
      expectInvalid(r, 'truncated', 8);
      expect(r.entriesChecked).to.equal(7);
      // The server witnessed the checkpoint: deleting the stored one does not help.
      await db('ledger_checkpoints').where({ tenant_id: t.tenantId }).delete();
      expectInvalid(await verify(t), 'truncated', 8);
    });

    it('a tail rolled back after a checkpoint and appended again: rolled_back at 10', async () => {
      const t = await tenantWith(10);
      const { checkpoint: cp } = await checkpoint(t);
      expect(cp!.size).to.equal(10);
      const seven = await at(db, t, 7).first();
      await tamper(async (trx) => {
        await entries(trx, t).andWhere('sequence', '>=', 8).delete();
        await trx('ledger_heads')
          .where({ tenant_id: t.tenantId })
          .update({ sequence: 7, head_hash: seven.entry_hash, frontier: await frontierAt(trx, t.tenantId, 7) });
      });
      for (let i = 8; i <= 10; i++) await register(t, `rewritten-${i}`);
      const listed = (await list(t)).entries;
      expect(listed.map((e) => e.sequence)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(listed[7].prevHash).to.equal(seven.entry_hash);
      expect(listed[9].entryHash).not.to.equal(cp!.headHash);
      // The chain itself is intact again; only the checkpoint can tell. It names the
      // head it signed (10): it cannot know which of 8..10 was the first rewritten.
      const r = await verify(t);
      expectInvalid(r, 'rolled_back', 10);
      expect(r.firstInvalidSequence).to.be.at.most(10);
      expect(r.entriesChecked).to.equal(10);
    });
  });

  describe('key rotation across a restart', () => {
    const servers: TestServer[] = [];
    after(async () => {
      for (const s of servers) await s.stop().catch(() => undefined);
    });

    it('signs new entries with the new key, keeps verifying old ones, and needs the old key to do so', async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'btv-rotate-'));
      const secret = crypto.randomBytes(48).toString('base64url');
      const k1 = `k1:${newKey()}`;
      const k2 = `k2:${newKey()}`;
      const tenantId = crypto.randomUUID();
      // Every server signs checkpoints with the same key (on PostgreSQL a stopping server checkpoints every tenant that moved).
      const env = { ...QUIET, BTV_CHECKPOINT_KEY_FILE: path.join(srv.dataDir, DEV_CHECKPOINT_KEY_FILE) };

      const run = async (
        keys: string,
        fn: (cl: Clients, s: TestServer) => Promise<void>,
        extra: Record<string, string> = {},
      ) => {
        const s = await startTestServer({ dataDir, secret, env: { ...env, BTV_LEDGER_KEYS: keys, ...extra } });
        servers.push(s);
        const cl = connect(s.address);
        try {
          await fn(cl, s);
        } finally {
          cl.close();
          await s.stop();
        }
      };
      const md = (s: TestServer, role: 'dev' | 'auditor') => bearer(s.mint(role, { tenantId }));

      await run(k1, async (cl, s) => {
        for (let i = 1; i <= 3; i++)
          await call(cl.governance, cl.governance.registerSystem, { system: system(`old-${i}`) }, md(s, 'dev'));
      });
      await run(`${k1},${k2}`, async (cl, s) => {
        for (let i = 1; i <= 2; i++)
          await call(cl.governance, cl.governance.registerSystem, { system: system(`new-${i}`) }, md(s, 'dev'));
        const { entries: es } = await call(
          cl.audit,
          cl.audit.listLedgerEntries,
          { afterSequence: 0, limit: 0 },
          md(s, 'auditor'),
        );
        expect(es.map((e) => [e.sequence, e.keyId])).to.deep.equal([
          [1, 'k1'],
          [2, 'k1'],
          [3, 'k1'],
          [4, 'k2'],
          [5, 'k2'],
        ]);
        expect(es[3].prevHash).to.equal(es[2].entryHash);
        const v = await call(cl.audit, cl.audit.verifyLedger, {}, md(s, 'auditor'));
        expect(v).to.include({ valid: true, entriesChecked: 5, firstInvalidSequence: 0, problem: '' });
      });
      await run(k2, async (cl, s) => {
        const v = await call(cl.audit, cl.audit.verifyLedger, {}, md(s, 'auditor'));
        expectInvalid(v, 'unknown_key', 1);
        expect(v.detail).to.contain('k1');
      });
      // BTV_LEDGER_ACTIVE_KEY overrides "the last key listed signs".
      await run(
        `${k1},${k2}`,
        async (cl, s) => {
          await call(cl.governance, cl.governance.registerSystem, { system: system('back-to-k1') }, md(s, 'dev'));
          const { entries: es } = await call(
            cl.audit,
            cl.audit.listLedgerEntries,
            { afterSequence: 4, limit: 0 },
            md(s, 'auditor'),
          );
          expect(es.map((e) => [e.sequence, e.keyId])).to.deep.equal([
            [5, 'k2'],
            [6, 'k1'],
          ]);
          const v = await call(cl.audit, cl.audit.verifyLedger, {}, md(s, 'auditor'));
          expect(v).to.include({ valid: true, entriesChecked: 6 });
        },
        { BTV_LEDGER_ACTIVE_KEY: 'k1' },
      );
    });
  });
});
