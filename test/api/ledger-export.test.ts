import { expect } from 'chai';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AiSystem, RiskClassification } from '../../gen/ts/btv/v1/types';
import { CheckpointSigner } from '../../src/ledger/checkpoint';
import type { LedgerRecord } from '../../src/ledger/entry';
import { sealRecord } from '../../src/ledger/entry';
import { parseJsonl, toJsonl } from '../../src/ledger/export';
import { DEV_LEDGER_KEYS_FILE } from '../../src/ledger/keyring';
import { bearer, call, connect } from '../helpers/grpc';
import { btv } from '../helpers/process';
import { startTestServer, TEST_DATABASE_URL } from '../helpers/server';

const system = (id: string) =>
  AiSystem.fromPartial({ id, name: `System ${id}`, risk: RiskClassification.RISK_CLASSIFICATION_MINIMAL });

interface Report {
  valid: boolean;
  problem: string;
  firstInvalidSequence: number;
  entriesChecked: number;
  signaturesChecked: boolean;
  checkpointsChecked: number;
  detail: string;
  notes: string[];
  tenant_id: string;
}

const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

describe('btv ledger export / verify (CLI)', function () {
  this.timeout(180_000);

  const work = tmp('btv-export-');
  const dataDir = path.join(work, 'data');
  const secret = crypto.randomBytes(48).toString('base64url');
  // One checkpoint key for every server and command here: on PostgreSQL a stopping
  // server checkpoints every tenant that moved, whichever test it belongs to.
  const checkpointKeyFile = path.join(work, 'checkpoint.pem');
  const dbEnv = (): Record<string, string> => ({ BTV_DATABASE_URL: TEST_DATABASE_URL });
  const envFor = (dir: string): Record<string, string> => ({
    BTV_DATA_DIR: dir,
    BTV_JWT_SECRET: secret,
    BTV_CHECKPOINT_KEY_FILE: checkpointKeyFile,
    BTV_CHECKPOINT_INTERVAL_MS: '0',
    ...dbEnv(),
  });
  const env = envFor(dataDir);

  before(() => {
    fs.mkdirSync(dataDir);
    fs.writeFileSync(
      checkpointKeyFile,
      crypto.generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }),
      { mode: 0o600 },
    );
  });

  /**
   * Starts a server on the data folder, registers systems for the tenant, and
   * stops it again: the embedded database must not be open in two processes when the CLI runs.
   */
  async function append(
    tenantId: string,
    ids: string[],
    dir = dataDir,
    extra: Record<string, string> = {},
  ): Promise<void> {
    const srv = await startTestServer({ dataDir: dir, secret, env: { ...envFor(dir), ...extra } });
    const c = connect(srv.address);
    try {
      const md = bearer(srv.mint('dev', { tenantId }));
      for (const id of ids) await call(c.governance, c.governance.registerSystem, { system: system(id) }, md);
    } finally {
      c.close();
      await srv.stop();
    }
  }

  async function exportTo(tenantId: string, file: string, dir = dataDir): Promise<string[]> {
    const r = await btv(['ledger', 'export', '--tenant', tenantId, '--out', file], envFor(dir));
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain(file);
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n');
  }

  async function verify(
    file: string,
    extraArgs: string[] = [],
    e = env,
  ): Promise<{ code: number | null; report: Report; stderr: string }> {
    const r = await btv(['ledger', 'verify', file, ...extraArgs], e);
    let report: Report;
    try {
      report = JSON.parse(r.stdout);
    } catch {
      throw new Error(`verify printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    }
    return { code: r.code, report, stderr: r.stderr };
  }

  async function expectDetected(
    file: string,
    problem: string,
    first: number,
    extraArgs: string[] = [],
  ): Promise<Report> {
    const { code, report } = await verify(file, extraArgs);
    expect(
      { code, valid: report.valid, problem: report.problem, firstInvalidSequence: report.firstInvalidSequence },
      report.detail,
    ).to.deep.equal({
      code: 1,
      valid: false,
      problem,
      firstInvalidSequence: first,
    });
    return report;
  }

  const publicKeyFile = () => {
    const f = path.join(work, 'trusted.pub.pem');
    fs.writeFileSync(
      f,
      crypto
        .createPublicKey(crypto.createPrivateKey(fs.readFileSync(checkpointKeyFile)))
        .export({ type: 'spki', format: 'pem' })
        .toString(),
    );
    return f;
  };
  const parse = (lines: string[]) => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const write = (name: string, objs: Record<string, unknown>[]): string => {
    const f = path.join(work, name);
    fs.writeFileSync(f, objs.map((o) => JSON.stringify(o)).join('\n') + '\n');
    return f;
  };

  describe('one exported ledger of 10 entries', () => {
    const tenantId = crypto.randomUUID();
    const cleanFile = path.join(work, 'clean.jsonl');
    let header: Record<string, unknown>;
    let entries: Record<string, unknown>[];
    let checkpoints: Record<string, unknown>[];

    before(async () => {
      await append(
        tenantId,
        Array.from({ length: 10 }, (_, i) => `sys-${i + 1}`),
      );
      const objs = parse(await exportTo(tenantId, cleanFile));
      header = objs[0];
      entries = objs.filter((o) => o.kind === 'entry');
      checkpoints = objs.filter((o) => o.kind === 'checkpoint');
    });

    const entry = (seq: number) => entries[seq - 1];
    const without = (...seqs: number[]) => entries.filter((e) => !seqs.includes(e.sequence as number));

    it('exports a header, the entries in order and a checkpoint of the head', () => {
      expect(header).to.include({ kind: 'header', format: 'btv-ledger-export', version: 1, tenant_id: tenantId });
      expect(header.checkpoint_public_key).to.contain('BEGIN PUBLIC KEY');
      expect(entries.map((e) => e.sequence)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(entries.every((e) => e.tenant_id === tenantId && e.event_type === 'system.registered')).to.equal(true);
      expect(checkpoints.map((c) => c.size)).to.include(10);
      expect(checkpoints.find((c) => c.size === 10)!.head_hash).to.equal(entry(10).entry_hash);
    });

    it('verifies a clean export: exit 0, valid, signatures and checkpoints checked', async () => {
      const { code, report } = await verify(cleanFile);
      expect(code).to.equal(0);
      expect(report).to.deep.include({
        tenant_id: tenantId,
        valid: true,
        problem: '',
        firstInvalidSequence: 0,
        entriesChecked: 10,
        signaturesChecked: true,
        checkpointsChecked: checkpoints.length,
      });
    });

    it('verifies elsewhere without the key ring, given the public key: hashes and checkpoints only, saying so', async () => {
      const elsewhere = tmp('btv-elsewhere-');
      const pub = publicKeyFile();
      const { code, report } = await verify(cleanFile, ['--public-key', pub], { BTV_DATA_DIR: elsewhere });
      expect(code).to.equal(0);
      expect(report).to.include({ valid: true, signaturesChecked: false });
      expect(report.notes.join('\n')).to.contain('HMAC signatures not');
      // A modified entry is still caught by its hash there.
      const f = write('elsewhere-modified.jsonl', [
        header,
        ...entries.map((e) => (e.sequence === 5 ? { ...e, payload: '{"system_id":"evil"}' } : e)),
        ...checkpoints,
      ]);
      const r = await verify(f, ['--public-key', pub], { BTV_DATA_DIR: elsewhere });
      expect({ code: r.code, problem: r.report.problem, first: r.report.firstInvalidSequence }).to.deep.equal({
        code: 1,
        problem: 'modified',
        first: 5,
      });
    });

    it('never trusts the key inside the file: without a trusted key nothing is valid, even a forgery re-signed with a key of its own', async () => {
      const elsewhere = tmp('btv-elsewhere-');
      expect((await verify(cleanFile, [], { BTV_DATA_DIR: elsewhere })).report).to.include({
        valid: false,
        problem: 'untrusted',
      });
      // An attacker edits a payload, recomputes the chain and re-signs checkpoints with a key placed in the header.
      const forger = new CheckpointSigner(crypto.generateKeyPairSync('ed25519').privateKey);
      const records = parseJsonl(fs.readFileSync(cleanFile, 'utf8')).records;
      const forged: LedgerRecord[] = [];
      for (const r of records) {
        const {
          entryHash: _entryHash,
          signature: _signature,
          ...rest
        } = {
          ...r,
          payload: r.sequence === 4 ? '{"system_id":"evil"}' : r.payload,
          prevHash: forged.length ? forged[forged.length - 1].entryHash : r.prevHash,
        };
        forged.push(sealRecord(rest, crypto.createSecretKey(crypto.randomBytes(32))));
      }
      const cp = forger.sign(tenantId, forged.length, forged[forged.length - 1].entryHash, new Date());
      const f = path.join(work, 'forged-resigned.jsonl');
      fs.writeFileSync(
        f,
        toJsonl(
          { tenant_id: tenantId, exported_at: new Date().toISOString(), checkpoint_public_key: forger.publicKeyPem() },
          forged,
          [cp],
        ),
      );
      const alone = await verify(f, [], { BTV_DATA_DIR: elsewhere });
      expect({ code: alone.code, valid: alone.report.valid, problem: alone.report.problem }).to.deep.equal({
        code: 1,
        valid: false,
        problem: 'untrusted',
      });
      // With the server's real key the re-signed checkpoint is exposed.
      expect((await verify(f, ['--public-key', publicKeyFile()], { BTV_DATA_DIR: elsewhere })).report).to.include({
        valid: false,
        problem: 'bad_checkpoint',
      });
    });

    it("refuses another tenant's header over these entries, with or without entries dropped", async () => {
      const other = crypto.randomUUID();
      await expectDetected(
        write('other-header.jsonl', [{ ...header, tenant_id: other }, ...entries, ...checkpoints]),
        'wrong_tenant',
        1,
      );
      await expectDetected(
        write('other-header-cut.jsonl', [{ ...header, tenant_id: other }, ...entries.slice(0, 7), ...checkpoints]),
        'wrong_tenant',
        1,
      );
    });

    it('a modified field: modified at 5', async () => {
      const f = write('modified.jsonl', [
        header,
        ...entries.map((e) => (e.sequence === 5 ? { ...e, payload: '{"system_id":"evil"}' } : e)),
        ...checkpoints,
      ]);
      await expectDetected(f, 'modified', 5);
    });

    it('a modified field in a line edited as text: modified at 3', async () => {
      const lines = fs.readFileSync(cleanFile, 'utf8').split('\n');
      lines[3] = lines[3].replace('"actor_role":"dev"', '"actor_role":"admin"');
      expect(lines[3]).to.contain('"actor_role":"admin"');
      const f = path.join(work, 'text-edit.jsonl');
      fs.writeFileSync(f, lines.join('\n'));
      await expectDetected(f, 'modified', 3);
    });

    it('a deleted middle line: deleted at 5', async () => {
      await expectDetected(write('deleted.jsonl', [header, ...without(5), ...checkpoints]), 'deleted', 5);
    });

    it('two lines swapped: reordered at 5', async () => {
      await expectDetected(
        write('swapped.jsonl', [
          header,
          ...without(5, 6).slice(0, 4),
          entry(6),
          entry(5),
          ...without(5, 6).slice(4),
          ...checkpoints,
        ]),
        'reordered',
        5,
      );
    });

    it('a forged line inserted: inserted at 5', async () => {
      const forged = {
        ...entry(5),
        actor_subject: 'mallory',
        payload: '{"system_id":"backdoor"}',
        entry_hash: 'ab'.repeat(32),
        signature: 'cd'.repeat(32),
      };
      await expectDetected(
        write('inserted.jsonl', [header, ...entries.slice(0, 4), forged, ...entries.slice(4), ...checkpoints]),
        'inserted',
        5,
      );
    });

    it('the tail lines dropped: truncated at 8, because the export carries its own checkpoint', async () => {
      const report = await expectDetected(
        write('truncated.jsonl', [header, ...entries.slice(0, 7), ...checkpoints]),
        'truncated',
        8,
      );
      expect(report.entriesChecked).to.equal(7);
    });

    it('the tail and its checkpoints dropped: not valid alone (no checkpoint covers the end), truncated at 8 against the earlier export', async () => {
      const f = write('truncated-no-cp.jsonl', [header, ...entries.slice(0, 7)]);
      const alone = await expectDetected(f, 'unanchored', 1);
      expect(alone.entriesChecked).to.equal(7);
      await expectDetected(f, 'truncated', 8, ['--checkpoints', cleanFile]);
      // Only the newest checkpoint line dropped: the entries after the last remaining one are unanchored.
      const older = checkpoints.filter((c) => (c.size as number) < 10);
      if (older.length)
        await expectDetected(
          write('cp-dropped.jsonl', [header, ...entries, ...older]),
          'unanchored',
          Math.max(...older.map((c) => c.size as number)) + 1,
        );
    });

    it('a checkpoint line edited: bad_checkpoint', async () => {
      const cp = checkpoints.find((c) => c.size === 10)!;
      const f = write('bad-cp.jsonl', [header, ...entries, { ...cp, size: 9, head_hash: entry(9).entry_hash }]);
      await expectDetected(f, 'bad_checkpoint', 9);
    });

    it('checks checkpoints with --public-key: the right key passes, another fails', async () => {
      const pem = crypto
        .createPublicKey(crypto.createPrivateKey(fs.readFileSync(checkpointKeyFile)))
        .export({ type: 'spki', format: 'pem' })
        .toString();
      const good = path.join(work, 'good.pub.pem');
      fs.writeFileSync(good, pem);
      const ok = await verify(cleanFile, ['--public-key', good]);
      expect(ok.code).to.equal(0);
      expect(ok.report.valid).to.equal(true);
      const bad = path.join(work, 'other.pub.pem');
      fs.writeFileSync(
        bad,
        crypto.generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      );
      await expectDetected(cleanFile, 'bad_checkpoint', Math.min(...checkpoints.map((c) => c.size as number)), [
        '--public-key',
        bad,
      ]);
    });

    it('a line with a key given twice is a usage error (exit 2) naming the line: no reader may see another value than the verifier', async () => {
      const lines = fs.readFileSync(cleanFile, 'utf8').split('\n');
      // JSON.parse keeps the last "actor_role" (the genuine one): a person or another parser may read the first.
      lines[4] = lines[4].replace('"actor_role":"dev"', '"actor_role":"admin","actor_role":"dev"');
      expect(lines[4]).to.contain('"actor_role":"admin"');
      const f = path.join(work, 'duplicate-key.jsonl');
      fs.writeFileSync(f, lines.join('\n'));
      const r = await btv(['ledger', 'verify', f], env);
      expect({ code: r.code, stdout: r.stdout }).to.deep.equal({ code: 2, stdout: '' });
      expect(r.stderr).to.contain('line 5').and.contain('twice');
    });

    it('an entry whose payload is not canonical JSON (a key twice) is unreadable at its sequence, whatever its hash says', async () => {
      const e4 = entry(4);
      const payload = (e4.payload as string).replace(/^\{/, '{"system_id":"decoy",');
      expect(payload).to.not.equal(e4.payload);
      await expectDetected(
        write('ambiguous-payload.jsonl', [
          header,
          ...entries.map((e) => (e.sequence === 4 ? { ...e, payload } : e)),
          ...checkpoints,
        ]),
        'unreadable',
        4,
      );
    });

    it('verifies an export whose lines end in CRLF (an editor or a transfer changed them) as the same export', async () => {
      const f = path.join(work, 'crlf.jsonl');
      fs.writeFileSync(f, fs.readFileSync(cleanFile, 'utf8').replace(/\n/g, '\r\n'));
      const { code, report } = await verify(f);
      expect({ code, valid: report.valid }).to.deep.equal({ code: 0, valid: true });
    });

    it('a line that is not JSON is a usage error (exit 2) naming the line', async () => {
      const f = path.join(work, 'garbage.jsonl');
      fs.writeFileSync(f, fs.readFileSync(cleanFile, 'utf8') + '{oops\n');
      const r = await btv(['ledger', 'verify', f], env);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.contain('line 13');
    });
  });

  it('restoring an older copy: export A (5), export B (10), verify A --checkpoints B → truncated at 6', async () => {
    const tenantId = crypto.randomUUID();
    await append(tenantId, ['a-1', 'a-2', 'a-3', 'a-4', 'a-5']);
    const a = path.join(work, 'older-a.jsonl');
    const linesA = parse(await exportTo(tenantId, a));
    expect(linesA.filter((o) => o.kind === 'checkpoint').map((c) => c.size)).to.deep.equal([5]);
    await append(tenantId, ['b-6', 'b-7', 'b-8', 'b-9', 'b-10']);
    const b = path.join(work, 'newer-b.jsonl');
    const linesB = parse(await exportTo(tenantId, b));
    expect(linesB.filter((o) => o.kind === 'checkpoint').map((c) => c.size)).to.deep.equal([5, 10]);

    expect((await verify(a)).code).to.equal(0);
    expect((await verify(b, ['--checkpoints', a])).code).to.equal(0);
    const report = await expectDetected(a, 'truncated', 6, ['--checkpoints', b]);
    expect(report.entriesChecked).to.equal(5);
  });

  it('rotate-key adds a key to <dataDir>/ledger-keys and a restarted server signs with it', async () => {
    const dir = tmp('btv-rotate-cli-');
    const devEnv = envFor(dir);
    const tenantId = crypto.randomUUID();
    await append(tenantId, ['r-1', 'r-2'], dir);
    const keysFile = path.join(dir, DEV_LEDGER_KEYS_FILE);
    const before = fs.readFileSync(keysFile, 'utf8').trim();
    expect(before.split(',').map((k) => k.split(':')[0])).to.deep.equal(['dev-1']);

    const r = await btv(['ledger', 'rotate-key', '--kid', 'dev-2'], devEnv);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('dev-2');
    const after = fs.readFileSync(keysFile, 'utf8').trim();
    expect(after.startsWith(before + ',')).to.equal(true);
    expect(after.split(',').map((k) => k.split(':')[0])).to.deep.equal(['dev-1', 'dev-2']);
    expect(fs.statSync(keysFile).mode & 0o077).to.equal(0);

    const dup = await btv(['ledger', 'rotate-key', '--kid', 'dev-2'], devEnv);
    expect(dup.code).to.equal(2);
    expect(dup.stderr).to.contain('already exists');
    expect(fs.readFileSync(keysFile, 'utf8').trim()).to.equal(after);

    await append(tenantId, ['r-3'], dir);
    const file = path.join(dir, 'rotated.jsonl');
    const es = parse(await exportTo(tenantId, file, dir)).filter((o) => o.kind === 'entry');
    expect(es.map((e) => [e.sequence, e.key_id])).to.deep.equal([
      [1, 'dev-1'],
      [2, 'dev-1'],
      [3, 'dev-2'],
    ]);
    const { code, report } = await verify(file, [], devEnv);
    expect(code).to.equal(0);
    expect(report).to.include({ valid: true, entriesChecked: 3, signaturesChecked: true });
  });

  it('rotate-key with BTV_LEDGER_KEYS prints the new setting instead of writing a file', async () => {
    const dir = tmp('btv-rotate-env-');
    const k1 = `k1:${crypto.randomBytes(32).toString('base64')}`;
    const r = await btv(['ledger', 'rotate-key', '--kid', 'k2'], { ...envFor(dir), BTV_LEDGER_KEYS: k1 });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(new RegExp(`BTV_LEDGER_KEYS=${k1.replace(/[+/]/g, '\\$&')},k2:[A-Za-z0-9+/=]{44}`));
    expect(fs.existsSync(path.join(dir, DEV_LEDGER_KEYS_FILE))).to.equal(false);
  });
});
