import { expect } from 'chai';
import type { Knex } from 'knex';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EnforceResponse } from '../../gen/ts/btv/v1/governance';
import { AiSystem, RiskClassification, Sector } from '../../gen/ts/btv/v1/types';
import { DEV_CHECKPOINT_KEY_FILE } from '../../src/ledger/checkpoint';
import type { Clients } from '../helpers/grpc';
import { bearer, call, connect } from '../helpers/grpc';
import { frontierAt } from '../helpers/ledger';
import { btv } from '../helpers/process';
import type { TestServer } from '../helpers/server';
import { startTestServer, TEST_DATABASE_URL } from '../helpers/server';

describe('btv ledger receipt / verify-receipt (CLI)', function () {
  this.timeout(120_000);
  let srv: TestServer;
  let c: Clients;
  let env: Record<string, string>;
  let pem: string;
  let decisionId: string;
  const file = (name: string) => path.join(srv.dataDir, name);

  before(async () => {
    srv = await startTestServer({ env: { BTV_CHECKPOINT_INTERVAL_MS: '0' } });
    c = connect(srv.address);
    const admin = bearer(srv.mint('admin'));
    const system = AiSystem.fromPartial({
      id: 'scoring',
      name: 'Scoring',
      risk: RiskClassification.RISK_CLASSIFICATION_HIGH,
      loggingEnabled: true,
      sector: Sector.SECTOR_BANKING,
    });
    await call(c.governance, c.governance.registerSystem, { system }, admin);
    const enforce = async () =>
      (
        (await call(
          c.governance,
          c.governance.enforce,
          {
            systemId: 'scoring',
            prompt: 'Summarise the credit policy',
            env: 'production',
            artifactType: '',
            messages: [],
          },
          bearer(srv.mint('app')),
        )) as EnforceResponse
      ).decision!;
    decisionId = (await enforce()).decisionId;
    for (let i = 0; i < 4; i++) await enforce();
    env = { BTV_DATA_DIR: srv.dataDir, BTV_JWT_SECRET: srv.secret, BTV_DATABASE_URL: TEST_DATABASE_URL };
    // The public key, as an auditor would get it out of band.
    pem = file('checkpoint-public.pem');
    fs.writeFileSync(
      pem,
      crypto.createPublicKey(fs.readFileSync(file(DEV_CHECKPOINT_KEY_FILE))).export({ type: 'spki', format: 'pem' }),
    );
  });
  after(async () => {
    c?.close();
    await srv?.stop();
  });

  it('writes a receipt that verifies offline with the public key alone', async () => {
    const r = await btv(
      ['ledger', 'receipt', decisionId, '--tenant', srv.tenantId, '--out', file('receipt.json')],
      env,
    );
    expect(r.code, r.stderr).to.equal(0);
    const receipt = JSON.parse(fs.readFileSync(file('receipt.json'), 'utf8'));
    expect(receipt).to.include({ format: 'btv-decision-receipt', version: 1, decision_id: decisionId, tree_size: 6 });
    expect(receipt.entry).to.include({ sequence: 2, event_type: 'decision' });
    expect(receipt.checkpoint.note).to.match(new RegExp(`^buildtovalue.dev/ledger/${srv.tenantId}\\n6\\n`));
    // Nothing but the file and the key: no database, no key ring, no server configuration.
    const v = await btv(['ledger', 'verify-receipt', file('receipt.json'), '--public-key', pem], {});
    expect(v.code, v.stderr).to.equal(0);
    expect(JSON.parse(v.stdout)).to.include({
      valid: true,
      decisionId,
      sequence: 2,
      treeSize: 6,
      tenantId: srv.tenantId,
    });
  });

  it('refuses a receipt whose decision, proof or checkpoint was changed, or another key', async () => {
    const good = JSON.parse(fs.readFileSync(file('receipt.json'), 'utf8'));
    const variants: [string, (r: typeof good) => void, RegExp][] = [
      [
        'decision',
        (r) => (r.entry.payload = r.entry.payload.replace('"outcome":"', '"outcome":"x')),
        /does not match its entry_hash/,
      ],
      ['proof', (r) => (r.inclusion_proof[0] = '00'.repeat(32)), /inclusion proof does not lead/],
      [
        'checkpoint size',
        (r) => (r.checkpoint.note = r.checkpoint.note.replace('\n6\n', '\n7\n')),
        /signed note does not verify/,
      ],
      ['entry moved', (r) => (r.entry.sequence = 3), /does not match its entry_hash/],
    ];
    for (const [what, change, message] of variants) {
      const bad = structuredClone(good);
      change(bad);
      fs.writeFileSync(file('bad.json'), JSON.stringify(bad));
      const v = await btv(['ledger', 'verify-receipt', file('bad.json'), '--public-key', pem], {});
      expect(v.code, what).to.equal(1);
      expect(JSON.parse(v.stderr.trim() || v.stdout).problem, what).to.match(message);
    }
    const otherPem = file('other.pem');
    fs.writeFileSync(otherPem, crypto.generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
    const v = await btv(['ledger', 'verify-receipt', file('receipt.json'), '--public-key', otherPem], {});
    expect(v.code).to.equal(1);
  });

  it('answers usage errors with exit 2: no key, an unknown decision', async () => {
    expect((await btv(['ledger', 'verify-receipt', file('receipt.json')], {})).code).to.equal(2);
    const r = await btv(['ledger', 'receipt', crypto.randomUUID(), '--tenant', srv.tenantId], env);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('not found');
  });

  it('btv ledger verify reports a forked history: two signed checkpoints of one size that disagree', async () => {
    const t = crypto.randomUUID();
    const admin = bearer(srv.mint('admin', { tenantId: t }));
    const register = (id: string) =>
      call(
        c.governance,
        c.governance.registerSystem,
        { system: AiSystem.fromPartial({ id, name: id, risk: RiskClassification.RISK_CLASSIFICATION_MINIMAL }) },
        admin,
      );
    for (let i = 1; i <= 10; i++) await register(`s-${i}`);
    expect((await btv(['ledger', 'export', '--tenant', t, '--out', file('a.jsonl')], env)).code).to.equal(0);
    const db: Knex = srv.app.storage.db;
    await db.transaction(async (trx) => {
      await trx.raw('ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_append_only');
      await trx('ledger_entries').where({ tenant_id: t }).andWhere('sequence', '>', 7).delete();
      const seven = await trx('ledger_entries').where({ tenant_id: t, sequence: 7 }).first();
      await trx('ledger_checkpoints').where({ tenant_id: t }).delete();
      await trx('ledger_heads')
        .where({ tenant_id: t })
        .update({ sequence: 7, head_hash: seven.entry_hash, frontier: await frontierAt(trx, t, 7) });
      await trx.raw('ALTER TABLE ledger_entries ENABLE TRIGGER ledger_entries_append_only');
    });
    for (let i = 8; i <= 10; i++) await register(`fork-${i}`);
    expect((await btv(['ledger', 'export', '--tenant', t, '--out', file('b.jsonl')], env)).code).to.equal(0);
    // Alone, the rewritten export is consistent with itself.
    expect((await btv(['ledger', 'verify', file('b.jsonl'), '--public-key', pem], env)).code).to.equal(0);
    // Against the checkpoint kept from before, it is not.
    const r = await btv(
      ['ledger', 'verify', file('b.jsonl'), '--checkpoints', file('a.jsonl'), '--public-key', pem],
      env,
    );
    expect(r.code).to.equal(1);
    expect(JSON.parse(r.stderr.trim() || r.stdout)).to.include({
      valid: false,
      problem: 'forked',
      firstInvalidSequence: 10,
    });
  });
});
