import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { LedgerRecord } from '../../src/ledger/entry';
import { canonicalForm, entryColumns, GENESIS_HASH, sealRecord } from '../../src/ledger/entry';
import { KeyRing, newKeySpecEntry, parseKeySpec } from '../../src/ledger/keyring';
import { leafHash, rootFromFrontier, rootOf, verifyInclusion } from '../../src/ledger/merkle';
import { CheckpointSigner } from '../../src/ledger/checkpoint';
import { LedgerService } from '../../src/audit/ledger';
import { migrationSource, openDatabase } from '../../src/store/database';
import { KnexStorage } from '../../src/store/storage';
import { TEST_DATABASE_KIND, TEST_DATABASE_URL } from '../helpers/server';
import * as crypto from 'node:crypto';

const keyRing = new KeyRing('k1', parseKeySpec(newKeySpecEntry('k1'), 'test'));
const BEFORE_TREE = '20261201000007_write_probe';

/** A database of its own, migrated only up to the last migration before the tree. */
async function databaseBeforeTree(): Promise<{ db: Knex; drop: () => Promise<void> }> {
  const name = `btv_merkle_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = openDatabase({ url: TEST_DATABASE_URL });
  await admin.raw(`CREATE DATABASE ${name}`);
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const db = openDatabase({ url: url.toString() });
  for (;;) {
    const [, applied] = await db.migrate.up({ migrationSource: migrationSource() });
    if ((applied as string[]).includes(BEFORE_TREE)) break;
    if (!(applied as string[]).length) throw new Error(`${BEFORE_TREE} not found`);
  }
  return {
    db,
    drop: async () => {
      await db.destroy();
      await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.destroy();
    },
  };
}

describe(`migration 000008 builds the tree of existing ledgers (${TEST_DATABASE_KIND})`, function () {
  this.timeout(60_000);

  it('backfills tree nodes and frontiers that the writer then continues; proofs verify against the recomputed root', async () => {
    const { db, drop } = await databaseBeforeTree();
    try {
      const tenants = [randomUUID(), randomUUID()];
      const written = new Map<string, LedgerRecord[]>();
      for (const [t, n] of [
        [tenants[0], 13],
        [tenants[1], 4],
      ] as const) {
        let prev = GENESIS_HASH;
        const records: LedgerRecord[] = [];
        for (let s = 1; s <= n; s++) {
          const r = sealRecord(
            {
              tenantId: t,
              sequence: s,
              timestamp: new Date(Date.UTC(2026, 10, 1, 0, 0, s)).toISOString(),
              eventType: 'system.registered',
              actorSubject: 'a',
              actorRole: 'admin',
              requestId: `r${s}`,
              payload: `{"n":${s}}`,
              prevHash: prev,
              keyId: 'k1',
            },
            keyRing.active,
          );
          prev = r.entryHash;
          records.push(r);
        }
        await db('ledger_entries').insert(records.map(entryColumns));
        await db('ledger_heads').insert({ tenant_id: t, sequence: n, head_hash: prev });
        written.set(t, records);
      }

      const [, applied] = await db.migrate.latest({ migrationSource: migrationSource() });
      expect(applied).to.include('20261202000008_merkle_tree');

      const storage = new KnexStorage(db, { keyRing, clock: () => new Date() });
      const ledger = new LedgerService(
        storage.ledger,
        keyRing,
        new CheckpointSigner(crypto.generateKeyPairSync('ed25519').privateKey),
        () => new Date(),
      );
      for (const t of tenants) {
        const leaves = written.get(t)!.map((r) => leafHash(canonicalForm(r)));
        expect(rootFromFrontier((await storage.ledger.head(t)).frontier)).to.deep.equal(rootOf(leaves));
        // The writer goes on from the backfilled frontier.
        for (let i = 0; i < 3; i++)
          await storage.transaction(t, (uow) =>
            uow.ledger.append(t, {
              type: 'review.opened',
              actor: { subject: 'a', role: 'admin' },
              requestId: `n${i}`,
              body: { review_id: `n${i}`, decision_id: `n${i}`, system_id: 's', risk_score: i },
            }),
          );
        const all = (await storage.ledger.list(t, 0, 100)).map((r) => leafHash(canonicalForm(r)));
        expect(all.length).to.equal(leaves.length + 3);
        const root = rootOf(all);
        expect(rootFromFrontier((await storage.ledger.head(t)).frontier)).to.deep.equal(root);
        for (let s = 1; s <= all.length; s++) {
          const p = await ledger.inclusionProof(t, s, all.length);
          expect(verifyInclusion(s - 1, all.length, all[s - 1], p.proof, root), `${s}`).to.equal(true);
        }
      }
      await storage.writer.drain();
    } finally {
      await drop();
    }
  });
});
