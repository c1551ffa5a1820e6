/**
 * What metrics and traces cost Enforce: the server's CPU per request with telemetry off, with
 * metrics on (BTV_METRICS_PORT), and with metrics and traces on (OTLP to a sink process),
 * interleaved: each round measures every server once, in a rotating order, and the ratios are
 * taken within rounds, so that a neighbour's load on a shared machine falls on all alike. A second
 * server with telemetry off gives the noise floor. One PostgreSQL for all, each server on its own tenant.
 *
 *   BTV_BENCH_SECONDS (default 5)  BTV_BENCH_ROUNDS (default 10)  BTV_BENCH_CONCURRENCY (default 64)
 *   BTV_BENCH_DATABASE_URL (default: an embedded PostgreSQL started for the run)
 *   BTV_BENCH_BASELINE_MAIN: a built main.js of another revision (e.g. main's dist/src/main.js),
 *     measured as one more server: "telemetry off" against the code before it existed.
 */
import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { EnforceRequest, GovernanceServiceClient } from '../gen/ts/btv/v1/governance';
import { AiSystem, DecisionOutcome, RiskClassification } from '../gen/ts/btv/v1/types';
import { mintToken } from '../src/auth/tokens';
import { startEmbeddedPostgres } from '../src/store/embedded-postgres';
import { domainInstruments } from '../src/telemetry/instruments';
import { Metrics } from '../src/telemetry/metrics';
import { UNLIMITED } from '../test/helpers/process';
import { frame, measure, PROMPT, start } from './enforce';
import type { Benchmark, BenchTable, Cell } from './run';

const ROUNDS = Number(process.env.BTV_BENCH_ROUNDS || 10);
const SECONDS = Number(process.env.BTV_BENCH_SECONDS || 5);
const CONCURRENCY = Number(process.env.BTV_BENCH_CONCURRENCY || 64);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Takes OTLP exports and throws them away, in a process of its own (this one blocks while h2load
 * runs): the traced server pays for building and sending its spans. Prints each request's bytes.
 */
const SINK = `
  let n = 0, bytes = 0;
  const s = require('node:http').createServer((req, res) => {
    req.on('data', (d) => (bytes += d.length));
    req.on('end', () => { n++; res.writeHead(200, { 'content-type': 'application/json' }).end('{}'); });
  });
  s.listen(0, '127.0.0.1', () => console.log('port ' + s.address().port));
  process.on('SIGTERM', () => { console.log('requests ' + n + ' bytes ' + bytes); process.exit(0); });
`;

async function otlpSink(): Promise<{ url: string; stop(): Promise<string> }> {
  const child = spawn(process.execPath, ['-e', SINK], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', () => {
      const m = /port (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`OTLP sink exited ${code}`)));
  });
  const exited = new Promise((r) => child.once('exit', r));
  let stopping: Promise<string> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      (stopping ??= (async () => {
        child.kill('SIGTERM');
        await exited;
        return /requests (\d+ bytes \d+)/.exec(out)?.[1] ?? 'unknown';
      })()),
  };
}

/**
 * The instrumentation one Enforce pays with metrics on, without the server around it: the call's
 * histogram, the decision counter, timing the classifier, a share of a commit. Steady where the
 * end-to-end figures swing with the neighbours' load.
 */
function instrumentationCpuUs(): number {
  const m = new Metrics(false, { statusVerified: () => true, stopped: async () => [] });
  const ins = domainInstruments(m, undefined);
  const n = 200_000;
  const outcomes = ['approved', 'blocked', 'review_required'];
  const t0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    ins.step('classify', () => i);
    ins.step('decide', () => i);
    void ins.step('ledger.commit', () => i);
    ins.decision('t', outcomes[i % 3], 'none', 'production');
    m.rpc('/btv.v1.GovernanceService/Enforce', 'OK', 0.001, 't');
    if (i % 8 === 0) m.committed(0.002, 8);
  }
  const used = process.cpuUsage(t0);
  return (used.user + used.system) / n;
}

/** h2load against one server; the server's CPU per request. */
function load(
  s: { child: ChildProcess; port: number; token: (r: 'app') => string },
  body: string,
): { rps: number; failed: number; cpuUs: number } {
  return measure(s.child, `http://127.0.0.1:${s.port}/btv.v1.GovernanceService/Enforce`, body, CONCURRENCY, [
    `authorization: Bearer ${s.token('app')}`,
  ]);
}

interface Variant {
  name: string;
  entry: string;
  env: Record<string, string>;
}

async function run(): Promise<BenchTable[]> {
  try {
    execFileSync('h2load', ['--version'], { stdio: 'ignore' });
  } catch {
    return [
      {
        title: 'Telemetry cost (h2load)',
        columns: ['skipped'],
        rows: [['h2load not found: apt-get install nghttp2-client']],
      },
    ];
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'btv-bench-telemetry-'));
  // Its own temporary folder, as test/run.ts does: the server user must be able to reach it.
  const pgDir = fs.mkdtempSync(path.join(os.tmpdir(), 'btv-bench-pg-'));
  const pg = process.env.BTV_BENCH_DATABASE_URL ? undefined : await startEmbeddedPostgres(pgDir);
  const databaseUrl = process.env.BTV_BENCH_DATABASE_URL || pg!.url;
  const sink = await otlpSink();
  const secret = crypto.randomBytes(48).toString('base64url');
  const variants: Variant[] = [
    { name: 'off', entry: 'src/main.ts', env: {} },
    { name: 'off (second server: noise floor)', entry: 'src/main.ts', env: {} },
    { name: 'metrics on', entry: 'src/main.ts', env: { BTV_METRICS_PORT: '0' } },
    {
      name: 'metrics + traces on',
      entry: 'src/main.ts',
      env: { BTV_METRICS_PORT: '0', OTEL_EXPORTER_OTLP_ENDPOINT: sink.url },
    },
  ];
  const baseline = process.env.BTV_BENCH_BASELINE_MAIN;
  if (baseline) variants.push({ name: 'baseline (BTV_BENCH_BASELINE_MAIN)', entry: path.resolve(baseline), env: {} });

  const startOne = async (v: Variant, i: number) => {
    const dataDir = path.join(root, `srv-${i}`);
    fs.mkdirSync(dataDir, { mode: 0o700 });
    const s = await start(
      v.entry,
      {
        BTV_HOST: '127.0.0.1',
        BTV_PORT: '0',
        BTV_DATA_DIR: dataDir,
        BTV_DATABASE_URL: databaseUrl,
        BTV_JWT_SECRET: secret,
        BTV_CHECKPOINT_INTERVAL_MS: '0',
        BTV_LOG_LEVEL: process.env.BTV_BENCH_LOG_LEVEL || 'info',
        ...UNLIMITED,
        ...v.env,
      },
      /"port":(\d+)[^\n]*"msg":"listening"/,
    );
    const tenantId = crypto.randomUUID();
    const token = (role: 'app' | 'dev') =>
      mintToken({
        tenantId,
        role,
        subject: 'bench',
        ttlSeconds: 3600,
        algorithm: 'HS256',
        key: crypto.createSecretKey(Buffer.from(secret)),
      });
    return { ...s, variant: v, token, cpu: [] as number[], rps: [] as number[], failed: 0 };
  };
  // The first alone: it migrates the fresh database, and knex's first migration does not take concurrent starts.
  const first = await startOne(variants[0], 0);
  const servers = [first, ...(await Promise.all(variants.slice(1).map((v, i) => startOne(v, i + 1))))];
  try {
    const req = EnforceRequest.fromPartial({
      systemId: 'bench',
      prompt: PROMPT,
      env: 'production',
      artifactType: 'prompt',
    });
    const body = path.join(root, 'enforce.bin');
    fs.writeFileSync(body, frame(EnforceRequest.encode(req).finish()));
    for (const s of servers) {
      const client = new GovernanceServiceClient(`127.0.0.1:${s.port}`, grpc.credentials.createInsecure());
      const md = (t: string) => {
        const m = new grpc.Metadata();
        m.set('authorization', `Bearer ${t}`);
        return m;
      };
      await new Promise((res, rej) =>
        client.registerSystem(
          {
            system: AiSystem.fromPartial({
              id: 'bench',
              name: 'Bench',
              risk: RiskClassification.RISK_CLASSIFICATION_LIMITED,
            }),
          },
          md(s.token('dev')),
          (e, r) => (e ? rej(e) : res(r)),
        ),
      );
      const outcome = await new Promise<number>((res, rej) =>
        client.enforce(req, md(s.token('app')), (e, r) => (e ? rej(e) : res(r.decision!.outcome))),
      );
      client.close();
      if (outcome !== DecisionOutcome.DECISION_OUTCOME_APPROVED)
        throw new Error(`${s.variant.name}: the benchmark prompt was not approved (${outcome})`);
    }
    // Every round measures every server once, one after the other, in an order that rotates: the
    // ratio of two servers within a round (seconds apart) is steadier than a ratio of medians taken
    // across the load phases of a shared machine.
    const ratios = new Map<number, number[]>(servers.map((_, i) => [i, []]));
    for (let round = 0; round < ROUNDS; round++) {
      const cpu: number[] = [];
      for (let k = 0; k < servers.length; k++) {
        const i = (k + round) % servers.length;
        const m = load(servers[i], body);
        servers[i].cpu.push(m.cpuUs);
        servers[i].rps.push(m.rps);
        servers[i].failed += m.failed;
        cpu[i] = m.cpuUs;
      }
      servers.forEach((_, i) => ratios.get(i)!.push(cpu[i] / cpu[0]));
    }
    const perRound = (i: number) => ratios.get(i)!;
    const ratio = (i: number) => median(perRound(i));
    const rows: Cell[][] = servers.map((s, i) => [
      s.variant.name,
      median(s.rps),
      median(s.cpu),
      Math.min(...s.cpu),
      Math.max(...s.cpu),
      ratio(i),
      i === 0
        ? '-'
        : perRound(i)
            .map((x) => x.toFixed(2))
            .join(' '),
      s.failed,
    ]);
    const noise = Math.abs(ratio(1) - 1);
    const perCall = instrumentationCpuUs();
    const exported = await sink.stop();
    const notes = [
      `target: metrics on <= 1.05 x off -> ${ratio(2) <= 1.05 ? 'MET' : 'MISSED'} (${ratio(2).toFixed(3)}); noise floor, two identical "off" servers: ${(noise * 100).toFixed(1)}%`,
      `the metrics work of one Enforce measured alone: ${perCall.toFixed(2)} µs of CPU, ${((perCall / median(servers[0].cpu)) * 100).toFixed(2)}% of the "off" server's CPU per request here`,
      `traces add span work and the OTLP export (sink took ${exported}); no target, reported for operators`,
      ...(baseline
        ? [
            `telemetry off vs the baseline build (per round): ${ratio(servers.length - 1) ? (1 / ratio(servers.length - 1)).toFixed(3) : '-'} x; no measurable change when within the noise floor`,
          ]
        : []),
      `${ROUNDS} rounds, each server once a round in a rotating order, ${SECONDS}s of h2load (concurrency ${CONCURRENCY}) plus 1s warm-up each; CPU = the server process's user + system time per request`,
    ];
    return [
      {
        title: `Enforce CPU per request with telemetry off / on (h2load, ${pg ? 'embedded PostgreSQL' : 'PostgreSQL'})`,
        columns: [
          'server',
          'req/s (median)',
          'CPU µs/req (median)',
          'min',
          'max',
          'ratio to off (median of rounds)',
          'per round',
          'http failures',
        ],
        rows,
        notes,
      },
    ];
  } finally {
    for (const s of servers) s.child.kill('SIGTERM');
    await Promise.all(
      servers.map((s) => new Promise((r) => (s.child.exitCode !== null ? r(null) : s.child.once('exit', r)))),
    );
    await sink.stop().catch(() => undefined);
    await pg?.stop();
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(pgDir, { recursive: true, force: true });
  }
}

export const benchmark: Benchmark = {
  name: 'telemetry',
  description: 'Enforce CPU per request with metrics and traces off vs on, interleaved',
  run,
};
