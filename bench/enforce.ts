/**
 * Enforce end to end (JWT verify, status gate, classification, durable ledger
 * append) against a plain grpc-js echo server, both driven by h2load (Debian
 * nghttp2-client) sending real gRPC frames, at concurrency 1 and 64.
 *
 *   BTV_BENCH_SECONDS (default 5)  BTV_BENCH_DATABASE_URL (default: the embedded PostgreSQL)
 *   BTV_BENCH_NODE_ARGS: extra node flags for the servers, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
 *   BTV_BENCH_STREAMS_PER_CLIENT (default 8): how concurrency 64 is split into connections x streams
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
import { projectRoot } from '../src/paths';
import { entryArgs, UNLIMITED } from '../test/helpers/process';
import type { Benchmark, BenchTable, Cell } from './run';

const ROOT = projectRoot();
const SECONDS = Number(process.env.BTV_BENCH_SECONDS || 5);
const WARM_UP_SECONDS = 1;
export const PROMPT =
  'Summarise the attached quarterly credit-risk report for the risk committee: highlight changes in default rates by region, ' +
  'the effect of the new affordability checks on approval volumes, and the three largest exposures, in plain language and ' +
  'under two hundred words, without personal data.';

/** Starts an entry point of the repository (or, absolute, a built main.js elsewhere) and waits for ready on stdout. */
export function start(
  entry: string,
  env: Record<string, string>,
  ready: RegExp,
): Promise<{ child: ChildProcess; port: number }> {
  const nodeArgs = (process.env.BTV_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, ...(path.isAbsolute(entry) ? [entry] : entryArgs(entry))], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`did not start: ${out}`)), 60_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout.removeAllListeners('data');
        child.stdout.resume();
        resolve({ child, port: Number(m[1] ?? m[2]) });
      }
    });
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

/** A gRPC length-prefixed message, as h2load sends it verbatim. */
export const frame = (msg: Uint8Array) =>
  Buffer.concat([Buffer.from([0, ...[24, 16, 8, 0].map((s) => (msg.length >>> s) & 0xff)]), Buffer.from(msg)]);

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  failed: number;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); NaN elsewhere. */
export function cpuSeconds(pid: number | undefined): number {
  try {
    // Fields after the parenthesised command name: state is field 3, utime 14 and stime 15.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ, 100 on every Linux
  } catch {
    return NaN;
  }
}

/** h2load against one server, with the server's CPU time per request. */
export function measure(
  server: ChildProcess,
  url: string,
  body: string,
  concurrency: number,
  headers: string[],
): LoadResult & { cpuUs: number } {
  const before = cpuSeconds(server.pid);
  const r = h2load(url, body, concurrency, headers);
  // The CPU time covers h2load's warm-up second too, whose requests its counts leave out.
  return { ...r, cpuUs: ((cpuSeconds(server.pid) - before) * 1e6) / Math.max(1, r.rps * (SECONDS + WARM_UP_SECONDS)) };
}

function h2load(url: string, body: string, concurrency: number, headers: string[]): LoadResult {
  const log = path.join(os.tmpdir(), `h2load-${process.pid}-${Date.now()}.log`);
  const perClient = Number(process.env.BTV_BENCH_STREAMS_PER_CLIENT || 8);
  const [clients, streams] = concurrency === 1 ? [1, 1] : [concurrency / perClient, perClient];
  const out = execFileSync(
    'h2load',
    [
      '-D',
      String(SECONDS),
      `--warm-up-time=${WARM_UP_SECONDS}`,
      '-c',
      String(clients),
      '-m',
      String(streams),
      '-d',
      body,
      '--log-file',
      log,
      '-H',
      'content-type: application/grpc',
      '-H',
      'te: trailers',
      ...headers.flatMap((h) => ['-H', h]),
      url,
    ],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const rps = Number(/finished in [\d.]+s, ([\d.]+) req\/s/.exec(out)?.[1] ?? NaN);
  const m = /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed/.exec(out);
  // Log lines: start time, HTTP status, elapsed microseconds.
  const lat = fs
    .readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => Number(l.split('\t')[2]))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  fs.rmSync(log, { force: true });
  const q = (p: number) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] / 1000 : NaN);
  return { rps, p50: q(0.5), p99: q(0.99), ok: Number(m?.[1] ?? 0), failed: Number(m?.[2] ?? 0) };
}

async function run(): Promise<BenchTable[]> {
  try {
    execFileSync('h2load', ['--version'], { stdio: 'ignore' });
  } catch {
    return [
      {
        title: 'Enforce vs echo (h2load)',
        columns: ['skipped'],
        rows: [['h2load not found: apt-get install nghttp2-client']],
      },
    ];
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'btv-bench-'));
  const secret = crypto.randomBytes(48).toString('base64url');
  const echo = await start('bench/_echo-server.ts', {}, /port (\d+)/);
  const btv = await start(
    'src/main.ts',
    {
      BTV_HOST: '127.0.0.1',
      BTV_PORT: '0',
      BTV_DATA_DIR: dataDir,
      BTV_JWT_SECRET: secret,
      BTV_LOG_LEVEL: process.env.BTV_BENCH_LOG_LEVEL || 'info',
      // Quotas it cannot reach: the limiter still counts every call, so its cost is measured.
      ...UNLIMITED,
      ...(process.env.BTV_BENCH_DATABASE_URL ? { BTV_DATABASE_URL: process.env.BTV_BENCH_DATABASE_URL } : {}),
    },
    // The banner, so that the benchmark also works with info logs turned off.
    /"port":(\d+)[^\n]*"msg":"listening"|serving on localhost:(\d+)/,
  );
  try {
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
    const client = new GovernanceServiceClient(`127.0.0.1:${btv.port}`, grpc.credentials.createInsecure());
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
        md(token('dev')),
        (e, r) => (e ? rej(e) : res(r)),
      ),
    );
    const req = EnforceRequest.fromPartial({
      systemId: 'bench',
      prompt: PROMPT,
      env: 'production',
      artifactType: 'prompt',
    });
    const check = await new Promise<number>((res, rej) =>
      client.enforce(req, md(token('app')), (e, r) => (e ? rej(e) : res(r.decision!.outcome))),
    );
    client.close();
    if (check !== DecisionOutcome.DECISION_OUTCOME_APPROVED)
      throw new Error(`the benchmark prompt was not approved (${check})`);

    const body = path.join(dataDir, 'enforce.bin');
    fs.writeFileSync(body, frame(EnforceRequest.encode(req).finish()));
    const rows: Cell[][] = [];
    for (const c of [1, 64]) {
      const e = measure(echo.child, `http://127.0.0.1:${echo.port}/bench.Echo/Echo`, body, c, []);
      const b = measure(btv.child, `http://127.0.0.1:${btv.port}/btv.v1.GovernanceService/Enforce`, body, c, [
        `authorization: Bearer ${token('app')}`,
      ]);
      rows.push(['echo', c, e.rps, e.p50, e.p99, 1, e.cpuUs, e.failed]);
      rows.push(['Enforce', c, b.rps, b.p50, b.p99, b.rps / e.rps, b.cpuUs, b.failed]);
    }
    const c1 = rows.find((r) => r[0] === 'Enforce' && r[1] === 1)!;
    return [
      {
        title: `Enforce end to end vs grpc-js echo (h2load, ${SECONDS}s per run, ${process.env.BTV_BENCH_DATABASE_URL ? 'PostgreSQL' : 'embedded PostgreSQL'})`,
        columns: [
          'server',
          'concurrency',
          'req/s',
          'p50 ms',
          'p99 ms',
          'ratio to echo',
          'server CPU µs/req',
          'http failures',
        ],
        rows,
        notes: [
          `targets: ratio >= 0.8 at both concurrencies -> ${rows
            .filter((r) => r[0] === 'Enforce')
            .map((r) => `c${r[1]} ${Number(r[5]) >= 0.8 ? 'MET' : 'MISSED'}`)
            .join(', ')}; p50 <= 1.5 ms at concurrency 1 -> ${Number(c1[3]) <= 1.5 ? 'MET' : 'MISSED'}`,
          'each Enforce verifies the JWT, checks the status cache, classifies the prompt and appends a decision to the signed ledger before answering',
          'at concurrency 1 every decision waits for its own durable commit (WAL flush), which no echo has to do',
          "server CPU µs/req: the server process's user + system CPU over the run (warm-up included) per request (PostgreSQL's own CPU not counted); steadier than req/s on a shared machine",
        ],
      },
    ];
  } finally {
    echo.child.kill('SIGTERM');
    btv.child.kill('SIGTERM');
  }
}

export const benchmark: Benchmark = { name: 'enforce', description: 'Enforce end to end vs echo with h2load', run };
