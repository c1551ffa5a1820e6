/**
 * Safe rollout costs: what a candidate policy adds to Enforce (server CPU per request, runs
 * interleaved with and without one), and GetPolicyImpact over 1,000,000 measured decisions.
 *
 *   BTV_BENCH_SECONDS (default 5)  BTV_BENCH_IMPACT_ROWS (default 1,000,000)
 */
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { GetPolicyImpactResponse } from '../gen/ts/btv/v1/audit';
import { AuditServiceClient } from '../gen/ts/btv/v1/audit';
import { EnforceRequest, GovernanceServiceClient } from '../gen/ts/btv/v1/governance';
import { AiSystem, DecisionOutcome, Policy, RiskClassification } from '../gen/ts/btv/v1/types';
import { mintToken } from '../src/auth/tokens';
import type { DecisionInput } from '../src/engine/decide';
import { outcomeOf } from '../src/engine/decide';
import { loadRuleSet } from '../src/engine/rules';
import { projectRoot } from '../src/paths';
import { connectDatabase } from '../src/store/connect';
import { UNLIMITED } from '../test/helpers/process';
import { cpuSeconds, frame, measure, start } from './enforce';
import type { Benchmark, BenchTable, Cell } from './run';

const ROUNDS = 3;
const IMPACT_ROWS = Number(process.env.BTV_BENCH_IMPACT_ROWS || 1_000_000);
const PROMPT =
  'Summarise the attached quarterly credit-risk report for the risk committee in plain language, without personal data.';
/** The candidate's evaluation alone (outcomeOf over a copy of the system with the candidate policy), in µs. */
function candidateEvaluationUs(): number {
  const rules = loadRuleSet(path.join(projectRoot(), 'config'));
  const system = {
    id: 'x',
    tenantId: 't',
    name: 'x',
    version: '1',
    sector: 'general',
    role: 'deployer',
    risk: 'limited',
    sandbox: false,
    euDatabaseId: '',
    trainingFlops: 0,
    loggingEnabled: true,
    jurisdiction: 'EU',
    intendedPurpose: '',
    prohibitedDomains: [],
    lifecyclePhase: 'operation',
    operationalStatus: 'active',
    externalDependencies: [],
    policy: null,
    candidatePolicy: { autonomyMatrix: { production: { maxRiskLevel: 0.5 } }, customRules: {} },
    createdAt: new Date(),
    updatedAt: new Date(),
  } as const;
  const input: DecisionInput = {
    system: { ...system, prohibitedDomains: [], externalDependencies: [] },
    tenantPolicy: null,
    status: { verified: true, status: 'active', phase: 'operation' },
    env: 'production',
    artifactType: 'prompt',
    classification: { findings: [], normalized: 'summarise', clean: 'summarise', decoded: [] },
  };
  const once = () => outcomeOf(rules, { ...input, system: { ...input.system, policy: input.system.candidatePolicy } });
  for (let k = 0; k < 20_000; k++) once();
  const n = 200_000;
  const t = process.hrtime.bigint();
  for (let k = 0; k < n; k++) once();
  return Number(process.hrtime.bigint() - t) / n / 1000;
}

/** The embedded PostgreSQL's processes (the postmaster and its children), from /proc. */
function databasePids(dataDir: string): number[] {
  const postmaster = Number(fs.readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const pids = [postmaster];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster) pids.push(Number(d));
    } catch {
      // gone
    }
  }
  return pids;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function run(): Promise<BenchTable[]> {
  try {
    execFileSync('h2load', ['--version'], { stdio: 'ignore' });
  } catch {
    return [
      {
        title: 'Safe rollout (h2load)',
        columns: ['skipped'],
        rows: [['h2load not found: apt-get install nghttp2-client']],
      },
    ];
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'btv-bench-rollout-'));
  const secret = crypto.randomBytes(48).toString('base64url');
  const btv = await start(
    'src/main.ts',
    {
      BTV_HOST: '127.0.0.1',
      BTV_PORT: '0',
      BTV_DATA_DIR: dataDir,
      BTV_JWT_SECRET: secret,
      BTV_LOG_LEVEL: 'warn',
      ...UNLIMITED,
    },
    /serving on localhost:(\d+)/,
  );
  const tenantId = crypto.randomUUID();
  const token = (role: 'app' | 'admin' | 'auditor') =>
    mintToken({
      tenantId,
      role,
      subject: 'bench',
      ttlSeconds: 3600,
      algorithm: 'HS256',
      key: crypto.createSecretKey(Buffer.from(secret)),
    });
  const md = (role: 'app' | 'admin' | 'auditor') => {
    const m = new grpc.Metadata();
    m.set('authorization', `Bearer ${token(role)}`);
    return m;
  };
  const target = `127.0.0.1:${btv.port}`;
  const gov = new GovernanceServiceClient(target, grpc.credentials.createInsecure());
  const audit = new AuditServiceClient(target, grpc.credentials.createInsecure());
  try {
    const candidate = Policy.fromPartial({ autonomyMatrix: { production: { maxRiskLevel: 0.5 } } });
    // 'control' is 'plain' again: the spread between the two is the machine's noise floor.
    for (const [id, candidatePolicy] of [
      ['plain', undefined],
      ['control', undefined],
      ['candidate', candidate],
    ] as const) {
      const system = AiSystem.fromPartial({
        id,
        name: id,
        risk: RiskClassification.RISK_CLASSIFICATION_LIMITED,
        loggingEnabled: true,
        candidatePolicy,
      });
      await new Promise((res, rej) => gov.registerSystem({ system }, md('admin'), (e, r) => (e ? rej(e) : res(r))));
    }
    const bodies: Record<string, string> = {};
    for (const id of ['plain', 'control', 'candidate']) {
      const req = EnforceRequest.fromPartial({
        systemId: id,
        prompt: PROMPT,
        env: 'production',
        artifactType: 'prompt',
      });
      const d = await new Promise<number>((res, rej) =>
        gov.enforce(req, md('app'), (e, r) => (e ? rej(e) : res(r.decision!.candidateOutcome))),
      );
      const expected =
        id === 'candidate' ? DecisionOutcome.DECISION_OUTCOME_BLOCKED : DecisionOutcome.DECISION_OUTCOME_UNSPECIFIED;
      if (d !== expected) throw new Error(`${id}: candidate outcome ${d}, expected ${expected}`);
      bodies[id] = path.join(dataDir, `${id}.bin`);
      fs.writeFileSync(bodies[id], frame(EnforceRequest.encode(req).finish()));
    }
    // Interleaved, so that a slower minute of a shared machine weighs on both alike.
    const cpu: Record<string, number[]> = { plain: [], control: [], candidate: [] };
    const dbCpu: Record<string, number[]> = { plain: [], control: [], candidate: [] };
    const rps: Record<string, number[]> = { plain: [], control: [], candidate: [] };
    const dbTotal = () => databasePids(dataDir).reduce((sum, pid) => sum + (cpuSeconds(pid) || 0), 0);
    // What the server and the database burn doing nothing (timers, health probes, autovacuum): taken
    // off each run, so that a slower run is not charged for its longer stretch of that.
    const idle = () => {
      const [s0, d0, t0] = [cpuSeconds(btv.child.pid), dbTotal(), Date.now()];
      execFileSync('sleep', ['3']);
      const secs = (Date.now() - t0) / 1000;
      return { server: (cpuSeconds(btv.child.pid) - s0) / secs, db: (dbTotal() - d0) / secs };
    };
    const quiet = idle();
    for (let round = 0; round < ROUNDS; round++) {
      const order = ['plain', 'candidate', 'control'];
      for (const id of round % 2 ? order.reverse() : order) {
        const d0 = dbTotal();
        const t0 = Date.now();
        const r = measure(btv.child, `http://${target}/btv.v1.GovernanceService/Enforce`, bodies[id], 64, [
          `authorization: Bearer ${token('app')}`,
        ]);
        const secs = (Date.now() - t0) / 1000;
        if (r.failed) throw new Error(`${r.failed} failed requests`);
        const requests = r.rps * secs;
        cpu[id].push(r.cpuUs - (quiet.server * 1e6) / r.rps);
        dbCpu[id].push(((dbTotal() - d0 - quiet.db * secs) * 1e6) / requests);
        rps[id].push(r.rps);
      }
    }
    // The runs without a candidate, both systems together, are the baseline; their two halves' spread is the noise.
    const base = median([...cpu.plain, ...cpu.control]);
    const ratio = median(cpu.candidate) / base;
    const noise = Math.abs(median(cpu.control) - median(cpu.plain)) / base;
    const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
    const label: Record<string, string> = {
      plain: 'no candidate',
      control: 'no candidate (control run)',
      candidate: 'with a candidate policy',
    };
    const dbBase = median([...dbCpu.plain, ...dbCpu.control]);
    const enforceRows: Cell[][] = ['plain', 'control', 'candidate'].map((id) => [
      label[id],
      median(rps[id]),
      median(cpu[id]),
      median(cpu[id]) / base,
      median(dbCpu[id]),
      (median(cpu[id]) + median(dbCpu[id])) / (base + dbBase),
    ]);
    const both = (median(cpu.candidate) + median(dbCpu.candidate)) / (base + dbBase);
    const inProcess = candidateEvaluationUs();

    // 1,000,000 measured decisions, as the ledger trigger writes them, straight into the table.
    const db = await connectDatabase({
      dataDir,
      timeouts: { queryMs: 600_000, statementMs: 600_000, idleInTransactionMs: 600_000, connectMs: 10_000 },
    });
    const t0 = Date.now();
    try {
      // In chunks: the pool's statement timeout bounds every query, as in production.
      const CHUNK = 100_000;
      for (let from = 1; from <= IMPACT_ROWS; from += CHUNK) {
        await db.db.raw(
          `INSERT INTO decision_impact (tenant_id, sequence, created_at, system_id, env, threat, outcome, candidate_outcome, decision_id)
           SELECT ?::uuid, 1000000 + g, now() - (g % 86400) * interval '1 second', 's' || (g % 50), (ARRAY['development','staging','production'])[1 + g % 3],
                  (ARRAY['none','prompt_injection','pii_exfiltration','jailbreak'])[1 + g % 4],
                  CASE WHEN g % 10 = 0 THEN 'blocked' ELSE 'approved' END, CASE WHEN g % 7 = 0 THEN 'blocked' ELSE 'approved' END, gen_random_uuid()::text
           FROM generate_series(?::int, ?::int) g`,
          [tenantId, from, Math.min(IMPACT_ROWS, from + CHUNK - 1)],
        );
      }
      // The hourly counters the trigger would have kept for those rows.
      await db.db.raw(
        `INSERT INTO decision_impact_hourly (tenant_id, hour, system_id, env, threat, outcome, candidate_outcome, decisions)
         SELECT tenant_id, to_timestamp(floor(extract(epoch FROM created_at) / 3600) * 3600), system_id, env, threat, outcome, candidate_outcome, count(*)
         FROM decision_impact WHERE tenant_id = ?::uuid AND sequence > 1000000 GROUP BY 1, 2, 3, 4, 5, 6, 7
         ON CONFLICT (tenant_id, hour, system_id, env, threat, outcome, candidate_outcome) DO UPDATE SET decisions = decision_impact_hourly.decisions + EXCLUDED.decisions`,
        [tenantId],
      );
      await db.db.raw('VACUUM ANALYZE decision_impact');
      await db.db.raw('VACUUM ANALYZE decision_impact_hourly');
    } finally {
      await db.close();
    }
    const loadS = (Date.now() - t0) / 1000;
    const times: number[] = [];
    let last: GetPolicyImpactResponse | undefined;
    for (let i = 0; i < 5; i++) {
      const s = process.hrtime.bigint();
      last = await new Promise<GetPolicyImpactResponse>((res, rej) =>
        audit.getPolicyImpact(
          { systemId: '', since: new Date(Date.now() - 2 * 86_400_000), until: new Date(Date.now() + 60_000) },
          md('auditor'),
          (e, r) => (e ? rej(e) : res(r)),
        ),
      );
      times.push(Number(process.hrtime.bigint() - s) / 1e6);
    }
    const impactMs = median(times);
    return [
      {
        title: `Enforce with and without a candidate policy (h2load, concurrency 64, ${ROUNDS} interleaved rounds, medians)`,
        columns: ['system', 'req/s', 'server CPU µs/req', 'ratio', 'database CPU µs/req', 'ratio (server + database)'],
        rows: enforceRows,
        notes: [
          `target: a candidate adds <= 5% CPU per request -> server ${pct(ratio - 1)} ${ratio <= 1.05 ? 'MET' : 'MISSED'}, server + database ${pct(both - 1)}; the two runs without a candidate differ by ${pct(noise)} (the noise floor: a difference below it is not measured)`,
          `CPU per request is each process's user + system time over the run, less what it burns idle (${(quiet.server * 1000).toFixed(0)} ms/s server, ${(quiet.db * 1000).toFixed(0)} ms/s database), divided by the requests; the database's includes the impact trigger`,
          `the candidate's own evaluation in process: ${inProcess.toFixed(2)} µs per decision (${((inProcess / base) * 100).toFixed(2)}% of Enforce's server CPU)`,
        ],
      },
      {
        title: `GetPolicyImpact over ${IMPACT_ROWS.toLocaleString('en-US')} measured decisions of one tenant in the last 24 h (window 48 h, 5 calls)`,
        columns: ['decisions counted', 'changed', 'ms (median)', 'ms (max)'],
        rows: [[last!.decisions, last!.changed, impactMs, Math.max(...times)]],
        notes: [
          `target: <= 1,000 ms -> ${impactMs <= 1000 ? 'MET' : 'MISSED'}; ${loadS.toFixed(1)} s to load the rows`,
        ],
      },
    ];
  } finally {
    gov.close();
    audit.close();
    btv.child.kill('SIGTERM');
  }
}

export const benchmark: Benchmark = {
  name: 'rollout',
  description: 'candidate policy cost and GetPolicyImpact over 1M decisions',
  run,
};
