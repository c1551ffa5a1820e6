import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import type { LedgerEntry } from '../../gen/ts/btv/v1/types';
import { AiSystem, RiskClassification } from '../../gen/ts/btv/v1/types';
import { mintToken } from '../../src/auth/tokens';
import type { Role } from '../../src/domain/context';
import type { Clients } from '../helpers/grpc';
import { bearer, call, connect } from '../helpers/grpc';
import type { ServerProcess } from '../helpers/process';
import { spawnServer } from '../helpers/process';
import type { TestServer } from '../helpers/server';
import { startTestServer, TEST_DATABASE_URL } from '../helpers/server';

const system = (id: string): AiSystem =>
  AiSystem.fromPartial({ id, name: `System ${id}`, risk: RiskClassification.RISK_CLASSIFICATION_MINIMAL });

/** Bearer token plus an x-request-id, so the ledger entry can be traced to its call. */
function withRequestId(token: string, requestId: string): grpc.Metadata {
  const md = bearer(token);
  md.set('x-request-id', requestId);
  return md;
}

const register = (c: Clients, token: string, id: string, requestId: string) =>
  call(c.governance, c.governance.registerSystem, { system: system(id) }, withRequestId(token, requestId));

/** Every entry of the caller's tenant, paging through ListLedgerEntries. */
async function allEntries(c: Clients, md: grpc.Metadata): Promise<{ entries: LedgerEntry[]; head: number }> {
  const entries: LedgerEntry[] = [];
  for (;;) {
    const after = entries.length ? entries[entries.length - 1].sequence : 0;
    const page = await call(c.audit, c.audit.listLedgerEntries, { afterSequence: after, limit: 250 }, md);
    entries.push(...page.entries);
    if (page.entries.length === 0) return { entries, head: page.headSequence };
  }
}

/** Sequences 1..n without a gap or a duplicate, each entry linked to the one before it. */
function expectUnbrokenChain(entries: LedgerEntry[], head: number, tenantId: string): void {
  expect(entries.map((e) => e.sequence)).to.deep.equal(Array.from({ length: entries.length }, (_, i) => i + 1));
  expect(head, 'head_sequence').to.equal(entries.length);
  for (let i = 1; i < entries.length; i++) {
    expect(entries[i].prevHash, `prev_hash of entry ${entries[i].sequence}`).to.equal(entries[i - 1].entryHash);
  }
  for (const e of entries) expect(e.tenantId).to.equal(tenantId);
}

/** Runs fn over items with at most `width` calls in flight. */
async function pool<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'btv-durability-'));
const dbEnv = (): Record<string, string> => ({ BTV_DATABASE_URL: TEST_DATABASE_URL });
/** The process id of the embedded PostgreSQL of a data folder (first line of its lock file). */
const embeddedServerPid = (dataDir: string) =>
  Number(fs.readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);

function minter(secret: string) {
  const key = crypto.createSecretKey(Buffer.from(secret));
  return (tenantId: string, role: Role) =>
    mintToken({ tenantId, role, subject: `durability-${role}`, ttlSeconds: 600, algorithm: 'HS256', key });
}

async function stopProcess(p: ServerProcess | undefined): Promise<void> {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGKILL');
  await p.exited;
}

describe('ledger durability and group commit', function () {
  this.timeout(120_000);

  describe('concurrent appends through one server', () => {
    let srv: TestServer;
    let c: Clients;

    before(async () => {
      srv = await startTestServer();
      c = connect(srv.address);
    });
    after(async () => {
      c?.close();
      await srv?.stop();
    });

    it('300 + 100 parallel RegisterSystem calls from two tenants form one gap-free, valid chain per tenant in few commits', async () => {
      const tenantA = srv.tenantId;
      const tenantB = crypto.randomUUID();
      const devA = srv.mint('dev');
      const devB = srv.mint('dev', { tenantId: tenantB });
      const before = { ...srv.app.storage.writer.stats };

      const calls = [
        ...Array.from({ length: 300 }, (_, i) => register(c, devA, `sys-a-${i}`, `req-a-${i}`)),
        ...Array.from({ length: 100 }, (_, i) => register(c, devB, `sys-b-${i}`, `req-b-${i}`)),
      ];
      const results = await Promise.all(calls);
      expect(results.every((r) => r.status === 'registered')).to.equal(true);

      const stats = srv.app.storage.writer.stats;
      const batches = stats.batches - before.batches;
      expect(stats.jobs - before.jobs, 'jobs').to.equal(400);
      expect(stats.entries - before.entries, 'entries').to.equal(400);
      // Group commit actually happened: far fewer transactions than appends.
      expect(batches, `${batches} commits for 400 appends`)
        .to.be.at.least(1)
        .and.at.most(400 / 4);

      for (const [tenantId, n, prefix] of [
        [tenantA, 300, 'a'],
        [tenantB, 100, 'b'],
      ] as const) {
        const auditor = bearer(srv.mint('auditor', { tenantId }));
        const { entries, head } = await allEntries(c, auditor);
        expect(entries).to.have.length(n);
        expectUnbrokenChain(entries, head, tenantId);
        // Each call made exactly one entry, carrying its request id.
        expect(new Set(entries.map((e) => e.requestId))).to.deep.equal(
          new Set(Array.from({ length: n }, (_, i) => `req-${prefix}-${i}`)),
        );
        expect(entries.every((e) => e.eventType === 'system.registered')).to.equal(true);
        const v = await call(c.audit, c.audit.verifyLedger, {}, bearer(srv.mint('admin', { tenantId })));
        expect(v).to.include({ valid: true, entriesChecked: n, firstInvalidSequence: 0, problem: '' });
      }
    });
  });

  describe('two server processes on one database', () => {
    const procs: ServerProcess[] = [];
    const clients: Clients[] = [];

    after(async () => {
      clients.forEach((c) => c.close());
      await Promise.all(procs.map(stopProcess));
    });

    it('200 concurrent appends for one tenant, alternating between the processes, form one unbroken valid chain', async () => {
      const dir = tmp();
      const checkpointKeyFile = path.join(dir, 'checkpoint.pem');
      const { privateKey } = crypto.generateKeyPairSync('ed25519');
      fs.writeFileSync(checkpointKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
      const secret = crypto.randomBytes(48).toString('base64url');
      const shared = {
        BTV_ENV: 'production', // nothing may fall back to per-process files in the data folder
        BTV_DATABASE_URL: TEST_DATABASE_URL,
        BTV_JWT_SECRET: secret,
        BTV_LEDGER_KEYS: `k1:${crypto.randomBytes(32).toString('base64')}`,
        BTV_CHECKPOINT_KEY_FILE: checkpointKeyFile,
      };
      procs.push(
        ...(await Promise.all(
          [1, 2].map((n) => spawnServer({ ...shared, BTV_DATA_DIR: path.join(dir, `data-${n}`) }, 60_000)),
        )),
      );
      clients.push(...procs.map((p) => connect(`127.0.0.1:${p.port}`)));

      const mint = minter(secret);
      const tenantId = crypto.randomUUID();
      const dev = mint(tenantId, 'dev');
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => register(clients[i % 2], dev, `two-${i}`, `two-req-${i}`)),
      );
      expect(results.every((r) => r.status === 'registered')).to.equal(true);

      const auditor = bearer(mint(tenantId, 'auditor'));
      for (const c of clients) {
        const { entries, head } = await allEntries(c, auditor);
        expect(entries).to.have.length(200);
        expectUnbrokenChain(entries, head, tenantId);
        expect(new Set(entries.map((e) => e.requestId)).size).to.equal(200);
        const v = await call(c.audit, c.audit.verifyLedger, {}, auditor);
        expect(v).to.include({ valid: true, entriesChecked: 200, firstInvalidSequence: 0, problem: '' });
      }
      // Both processes really wrote: each logged its 100 successful calls.
      for (const p of procs) {
        const ok = p
          .stdout()
          .split('\n')
          .filter((l) => l.includes('RegisterSystem') && l.includes('"code":"OK"'));
        expect(ok).to.have.length(100);
      }
    });
  });

  // The embedded default is killed with its database server: both processes die by SIGKILL at once,
  // and the restart recovers from the write-ahead log.
  for (const target of ['the shared database', 'the embedded default'] as const)
    describe(`crash (${target})`, () => {
      let proc: ServerProcess | undefined;
      let c: Clients | undefined;

      after(async () => {
        c?.close();
        await stopProcess(proc);
      });

      it('after kill -9 mid-load and a restart, every acknowledged entry and system is there and the chain verifies', async () => {
        const secret = crypto.randomBytes(48).toString('base64url');
        const dataDir = tmp();
        const env = {
          BTV_DATA_DIR: dataDir,
          BTV_JWT_SECRET: secret,
          ...(target === 'the embedded default' ? {} : dbEnv()),
        };
        const mint = minter(secret);
        const tenantId = crypto.randomUUID();
        const dev = mint(tenantId, 'dev');

        proc = await spawnServer(env, 60_000);
        c = connect(`127.0.0.1:${proc.port}`);
        const acked: number[] = [];
        let failed = 0;
        let issued = 0;
        let killed = false;
        const one = async () => {
          const i = issued++;
          try {
            const r = await register(c!, dev, `crash-${i}`, `crash-req-${i}`);
            expect(r.status).to.equal('registered');
            acked.push(i);
          } catch (e) {
            expect((e as grpc.ServiceError).code, (e as Error).message).to.be.oneOf([
              grpc.status.UNAVAILABLE,
              grpc.status.CANCELLED,
              grpc.status.INTERNAL,
            ]);
            if (!killed) throw e; // nothing may fail while the server is up
            failed++;
          }
        };
        const worker = async () => {
          while (!killed) await one();
        };
        const load = Promise.all(Array.from({ length: 50 }, worker));
        // Kill ~1 s into steady load (the first calls of a fresh process are slow to warm up).
        for (let waited = 0; acked.length === 0 && waited < 20_000; waited += 50) await sleep(50);
        await sleep(1000);
        // Calls certainly in flight at the kill, whatever the moment: sent in the same tick (on a busy
        // machine every earlier call may already have its answer waiting in the client's socket).
        const burst = Promise.all(Array.from({ length: 10 }, one));
        killed = true;
        const postmaster = target === 'the embedded default' ? embeddedServerPid(dataDir) : undefined;
        proc.child.kill('SIGKILL');
        if (postmaster) process.kill(postmaster, 'SIGKILL');
        expect(await proc.exited).to.equal(null); // died by the signal, no clean exit
        await Promise.all([load, burst]);
        c.close();
        expect(acked.length, 'acknowledged before the kill').to.be.greaterThan(0);
        expect(failed, 'calls in flight when the server died').to.be.greaterThan(0);

        proc = await spawnServer(env, 60_000);
        c = connect(`127.0.0.1:${proc.port}`);
        const auditor = bearer(mint(tenantId, 'auditor'));
        const { entries, head } = await allEntries(c, auditor);
        expectUnbrokenChain(entries, head, tenantId);
        const present = new Set(entries.map((e) => e.requestId));
        const missing = acked.filter((i) => !present.has(`crash-req-${i}`));
        expect(missing, 'acknowledged but missing from the ledger').to.deep.equal([]);
        // Unacknowledged calls may or may not have committed, but never more than were issued.
        expect(entries.length).to.be.at.least(acked.length).and.at.most(issued);

        const v = await call(c.audit, c.audit.verifyLedger, {}, auditor);
        expect(v).to.include({ valid: true, entriesChecked: entries.length, firstInvalidSequence: 0, problem: '' });

        // The change and its entry commit together: every acknowledged system exists, and nothing without an entry does.
        await pool(acked, 25, async (i) => {
          const { system: s } = await call(c!.governance, c!.governance.getSystem, { systemId: `crash-${i}` }, auditor);
          expect(s!.id).to.equal(`crash-${i}`);
        });
        const listed = await call(c.governance, c.governance.listSystems, { pageSize: 1, pageToken: '' }, auditor);
        expect(listed.totalCount, 'systems vs ledger entries').to.equal(entries.length);
      });
    });
});
