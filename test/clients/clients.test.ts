/**
 * Cross-language client smoke tests: the committed Python (gen/python) and Go
 * (gen/go) stubs talk to a real server. Not part of the default spec (it needs
 * the Debian python3-grpcio / golang-google-grpc-dev packages and a Go build);
 * run it with:
 *
 *   node_modules/.bin/mocha test/clients/clients.test.ts
 *
 * The server runs in this process, so the clients are spawned asynchronously
 * (spawnSync would block the event loop the server answers on).
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EnforceResponse } from '../../gen/ts/btv/v1/governance';
import { AiSystem, RiskClassification } from '../../gen/ts/btv/v1/types';
import { DEV_CHECKPOINT_KEY_FILE } from '../../src/ledger/checkpoint';
import { bearer, call, connect } from '../helpers/grpc';
import { btv } from '../helpers/process';
import type { TestServer } from '../helpers/server';
import { startTestServer, TEST_DATABASE_URL } from '../helpers/server';

const ROOT = path.resolve(__dirname, '..', '..');
const PYTHON = process.env.BTV_SMOKE_PYTHON || '/usr/bin/python3';

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd: ROOT, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${cmd}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

const show = (what: string, r: Run) =>
  `${what} exited with ${r.signal ?? r.code} after ${r.ms} ms\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;

/** Asserts a clean exit and the "<label>: N passed, 0 failed" summary line; returns N. */
function expectGreen(label: string, r: Run, minPassed: number): number {
  const m = new RegExp(`^${label}: (\\d+) passed, (\\d+) failed$`, 'm').exec(r.stdout);
  expect(r.code, show(label, r)).to.equal(0);
  expect(m, `no summary line\n${show(label, r)}`).to.not.equal(null);
  expect(Number(m![2]), show(label, r)).to.equal(0);
  expect(Number(m![1]), show(label, r)).to.be.at.least(minPassed);
  if (process.env.BTV_SMOKE_VERBOSE) process.stdout.write(r.stdout);
  return Number(m![1]);
}

describe('generated clients (Python, Go) against a live server', function () {
  this.timeout(300_000);
  let srv: TestServer;

  before(async () => {
    srv = await startTestServer();
  });
  after(async () => {
    await srv?.stop();
  });

  it('Python stubs (gen/python): tenant, system round trip, auth, isolation, error details', async () => {
    const admin = srv.mint('admin');
    const otherTenant = srv.mint('auditor', { tenantId: randomUUID() });
    const r = await run(PYTHON, ['test/clients/python_smoke.py', srv.address, admin, otherTenant], 120_000);
    expectGreen('python smoke', r, 7);
  });

  it('Python ledger verifier (hashlib + python3-cryptography): vectors, live inclusion and consistency proofs, a CLI receipt', async () => {
    const tenantId = randomUUID();
    const c = connect(srv.address);
    const system = AiSystem.fromPartial({ id: 'verified', name: 'Verified', risk: RiskClassification.RISK_CLASSIFICATION_MINIMAL });
    await call(c.governance, c.governance.registerSystem, { system }, bearer(srv.mint('admin', { tenantId })));
    const decisions: string[] = [];
    for (let i = 0; i < 12; i++) {
      const r = (await call(c.governance, c.governance.enforce, { systemId: 'verified', prompt: `Summarise report ${i}`, env: 'development', artifactType: '', messages: [] }, bearer(srv.mint('app', { tenantId })))) as EnforceResponse;
      decisions.push(r.decision!.decisionId);
    }
    c.close();
    // The public key as an auditor holds it: taken out of band, never from the server's answers.
    const pem = path.join(srv.dataDir, 'checkpoint-public.pem');
    fs.writeFileSync(pem, crypto.createPublicKey(fs.readFileSync(path.join(srv.dataDir, DEV_CHECKPOINT_KEY_FILE))).export({ type: 'spki', format: 'pem' }));
    const receipt = path.join(srv.dataDir, 'receipt.json');
    const made = await btv(['ledger', 'receipt', decisions[6], '--tenant', tenantId, '--out', receipt], { BTV_DATA_DIR: srv.dataDir, BTV_JWT_SECRET: srv.secret, BTV_DATABASE_URL: TEST_DATABASE_URL });
    expect(made.code, made.stderr).to.equal(0);
    const r = await run(PYTHON, ['test/clients/ledger_verifier.py', 'live', srv.address, srv.mint('auditor', { tenantId }), pem, receipt], 120_000);
    expectGreen('ledger verifier', r, 13);
  });

  it('Go stubs (gen/go): GOPATH build, system round trip, auth, error details', async () => {
    // A tenant of its own, so the Python run above cannot influence it.
    const dev = srv.mint('dev', { tenantId: randomUUID() });
    const r = await run('bash', ['scripts/go-smoke.sh', srv.address, dev], 280_000);
    expectGreen('go smoke', r, 6);
  });
});
