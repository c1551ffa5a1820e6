/**
 * What one call may cost everyone else, against `npm start`'s default (a server process on its
 * embedded database):
 *
 *   worst prompts  Enforce with 100,000 characters of the shapes that once froze the server
 *                  (newlines, \r\n, "\n ", #, spaces, one repeated word ...): the server's own time
 *                  for the call (its log line), and how long another tenant's EmergencyStop sent
 *                  at the same moment waited. Target: <= 50 ms of server time each.
 *   large ledger   VerifyLedger and GetComplianceReport of a tenant with BTV_BENCH_LEDGER_N entries
 *                  (default 20,000): duration, the longest another tenant's stops waited meanwhile,
 *                  and the server's resident memory before and after (verification is paged, so
 *                  memory stays bounded).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { AiSystem, RiskClassification } from '../gen/ts/btv/v1/types';
import { mintToken } from '../src/auth/tokens';
import type { Role } from '../src/domain/context';
import type { Clients } from '../test/helpers/grpc';
import { bearer, call, connect } from '../test/helpers/grpc';
import type { ServerProcess } from '../test/helpers/process';
import { spawnServer } from '../test/helpers/process';
import type { Benchmark, BenchTable, Cell } from './run';

const TARGET_MS = 50;
const N = 100_000;

const SHAPES: [string, string][] = [
  ['newlines', '\n'.repeat(N)],
  ['\\r\\n', '\r\n'.repeat(N / 2)],
  ['"\\n "', '\n '.repeat(N / 2)],
  ['#', '#'.repeat(N)],
  ['spaces', ' '.repeat(N)],
  ['one repeated word', 'ignore '.repeat(Math.ceil(N / 7)).slice(0, N)],
  ['one letter', 'a'.repeat(N)],
  ['spaced letters', 'i g n o r e '.repeat(Math.ceil(N / 12)).slice(0, N)],
  ['leetspeak', '1gn0r3 pr3v10us '.repeat(Math.ceil(N / 16)).slice(0, N)],
  ['base64-like', 'QUJD'.repeat(N / 4)],
  ['"## system" lines', '\n## system'.repeat(N / 10)],
  ['mixed Cyrillic', 'аa'.repeat(N / 2)],
];

function intEnv(name: string, fallback: number): number {
  const n = Number(process.env[name] ?? fallback);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** The server's own duration of the call with this request id, from its log line. */
function serverMs(proc: ServerProcess, requestId: string): number {
  const line = proc
    .stdout()
    .split('\n')
    .find((l) => l.includes(`"request_id":"${requestId}"`) && l.includes('"duration_ms"'));
  return line ? JSON.parse(line).duration_ms : NaN;
}

function md(token: string, requestId?: string): grpc.Metadata {
  const m = bearer(token);
  if (requestId) m.set('x-request-id', requestId);
  return m;
}

interface Setup {
  proc: ServerProcess;
  c: Clients;
  token: (tenantId: string, role: Role) => string;
  dir: string;
}

async function setup(): Promise<Setup> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'btv-bench-hardening-'));
  fs.chmodSync(dir, 0o711);
  const secret = crypto.randomBytes(48).toString('base64url');
  const proc = await spawnServer(
    { BTV_DATA_DIR: path.join(dir, 'data'), BTV_JWT_SECRET: secret, BTV_CHECKPOINT_INTERVAL_MS: '0' },
    120_000,
  );
  const key = crypto.createSecretKey(Buffer.from(secret));
  const token = (tenantId: string, role: Role) =>
    mintToken({ tenantId, role, subject: `bench-${role}`, ttlSeconds: 3600, algorithm: 'HS256', key });
  return { proc, c: connect(`127.0.0.1:${proc.port}`), token, dir };
}

const system = (id: string, purpose = '') =>
  AiSystem.fromPartial({
    id,
    name: id,
    intendedPurpose: purpose,
    risk: RiskClassification.RISK_CLASSIFICATION_MINIMAL,
  });

/** Stops (and releases) another tenant's system while `busy` runs; the longest a stop waited. */
async function stopsDuring(s: Setup, busy: Promise<unknown>): Promise<number> {
  const other = crypto.randomUUID();
  const admin = md(s.token(other, 'admin'));
  const id = `kill-${crypto.randomUUID().slice(0, 8)}`;
  await call(s.c.governance, s.c.governance.registerSystem, { system: system(id) }, admin);
  let done = false;
  void busy.finally(() => (done = true));
  let worst = 0;
  let stopped = false;
  do {
    const t0 = process.hrtime.bigint();
    if (!stopped)
      await call(
        s.c.operations,
        s.c.operations.emergencyStop,
        { systemId: id, reason: 'bench', operatorId: '', requestId: '' },
        admin,
      );
    else
      await call(
        s.c.operations,
        s.c.operations.setOperationalStatus,
        { systemId: id, operationalStatus: 1, reason: 'bench', operatorId: '', requestId: '' },
        admin,
      );
    worst = Math.max(worst, ms(t0));
    stopped = !stopped;
  } while (!done);
  await busy;
  return worst;
}

async function worstPrompts(s: Setup): Promise<BenchTable> {
  const tenant = crypto.randomUUID();
  const dev = md(s.token(tenant, 'dev'));
  await call(s.c.governance, s.c.governance.registerSystem, { system: system('worst') }, dev);
  const rows: Cell[][] = [];
  for (const [name, prompt] of SHAPES) {
    const server: number[] = [];
    const client: number[] = [];
    let stopWait = 0;
    for (let i = 0; i < 5; i++) {
      const requestId = `worst-${crypto.randomUUID()}`;
      const t0 = process.hrtime.bigint();
      const enforce = call(
        s.c.governance,
        s.c.governance.enforce,
        { systemId: 'worst', prompt, env: 'development', artifactType: '', messages: [] },
        md(s.token(tenant, 'app'), requestId),
      );
      // One stop of another tenant sent with the call: what it waits is what the call holds up.
      if (i === 4) stopWait = await stopsDuring(s, enforce);
      await enforce;
      client.push(ms(t0));
      await new Promise((r) => setTimeout(r, 20)); // the log line
      server.push(serverMs(s.proc, requestId));
    }
    const worst = Math.max(...server);
    rows.push([
      name,
      prompt.length,
      median(server),
      worst,
      median(client),
      stopWait,
      worst <= TARGET_MS ? 'MET' : 'MISSED',
    ]);
  }
  return {
    title: `Enforce with ${N.toLocaleString('en-US')}-character worst-case prompts (5 calls each, embedded database)`,
    columns: [
      'shape',
      'chars',
      'server ms p50',
      'server ms max',
      'client ms p50',
      'other tenant stop waited ms',
      `<= ${TARGET_MS} ms`,
    ],
    rows,
    notes: ['server ms: the duration in the server log line of the call (classification, decision, ledger commit).'],
  };
}

async function largeLedger(s: Setup): Promise<BenchTable> {
  const n = intEnv('BTV_BENCH_LEDGER_N', 20_000);
  const tenant = crypto.randomUUID();
  const dev = md(s.token(tenant, 'dev'));
  const auditor = md(s.token(tenant, 'auditor'));
  const purpose = 'p'.repeat(1900);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      await call(s.c.governance, s.c.governance.registerSystem, { system: system(`big-${i % 500}`, purpose) }, dev);
    }
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: 32 }, worker));
  const fill = ms(t0);
  const rows: Cell[][] = [];
  for (const [name, run] of [
    ['VerifyLedger', () => call(s.c.audit, s.c.audit.verifyLedger, {}, auditor)],
    ['GetComplianceReport', () => call(s.c.audit, s.c.audit.getComplianceReport, { systemId: 'big-1' }, auditor)],
  ] as const) {
    const before = rssMb(s.proc.child.pid!);
    const t1 = process.hrtime.bigint();
    const p = (run as () => Promise<unknown>)();
    let took = 0;
    const timed = p.then(() => (took = ms(t1)));
    const stopWait = await stopsDuring(s, timed);
    const after = rssMb(s.proc.child.pid!);
    rows.push([name, n, took, stopWait, before, after, after - before]);
  }
  return {
    title: `Verification of a large ledger (${n.toLocaleString('en-US')} entries of ~2.3 KB, written in ${(fill / 1000).toFixed(1)} s)`,
    columns: [
      'call',
      'entries',
      'ms',
      'other tenant stop waited ms (max)',
      'RSS MB before',
      'RSS MB after',
      'RSS growth MB',
    ],
    rows,
    notes: [
      'Stops of another tenant are sent one after the other for as long as the call runs; the column is the longest of them.',
    ],
  };
}

export const benchmark: Benchmark = {
  name: 'hardening',
  description: 'worst-case prompts and large-ledger verification: what one call costs everyone else',
  async run(): Promise<BenchTable[]> {
    const s = await setup();
    try {
      return [await worstPrompts(s), await largeLedger(s)];
    } finally {
      s.c.close();
      s.proc.child.kill('SIGTERM');
      await s.proc.exited;
      fs.rmSync(s.dir, { recursive: true, force: true });
    }
  },
};
