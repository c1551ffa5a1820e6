/**
 * Kill switch latency: EmergencyStop call latency and propagation of each
 * change to 100 watchers spread over two server processes on one PostgreSQL
 * database (watchers on A hear the commit in-process, watchers on B through
 * LISTEN/NOTIFY).
 *
 *   npm run bench -- killswitch
 *
 * Database: BTV_BENCH_DATABASE_URL, else BTV_TEST_DATABASE_URL, else a temporary
 * database created on postgresql://postgres@127.0.0.1:5432 and dropped at the end.
 * Knobs: BTV_BENCH_CYCLES (default 200 stop/release cycles), BTV_BENCH_WATCHERS (default 100).
 *
 * Servers are real processes (the compiled server, like `npm start`), production mode,
 * default settings. The caller lives in this process; the watchers (each on
 * its own connection) run in a process of their own (bench/_watchers.ts), so
 * their decoding never delays the caller's responses. All time stamps come
 * from the clock every process shares (process.hrtime).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import * as grpc from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { GovernanceServiceClient } from '../gen/ts/btv/v1/governance';
import { OperationsServiceClient } from '../gen/ts/btv/v1/operations';
import { AiSystem, OperationalStatus as OS, RiskClassification } from '../gen/ts/btv/v1/types';
import { mintToken } from '../src/auth/tokens';
import type { Role } from '../src/domain/context';
import type { ServerProcess } from '../test/helpers/process';
import { entryArgs, spawnServer } from '../test/helpers/process';
import { database, intEnv, stats, stopProcess, verdict } from './_support';
import type { Benchmark, BenchTable, Cell } from './run';

const TARGET_STOP_P99_MS = 10;
const TARGET_PROPAGATION_P99_MS = 5;
const HealthClient = grpc.makeGenericClientConstructor(healthService, 'Health');
const unary = <Req, Res>(
  client: grpc.Client,
  method: (
    req: Req,
    md: grpc.Metadata,
    o: Partial<grpc.CallOptions>,
    cb: (e: grpc.ServiceError | null, r: Res) => void,
  ) => grpc.ClientUnaryCall,
  req: Req,
  md: grpc.Metadata,
): Promise<Res> =>
  new Promise((resolve, reject) => method.call(client, req, md, {}, (e, r) => (e ? reject(e) : resolve(r))));

/** Time in ms on the clock every process of the machine shares (CLOCK_MONOTONIC). */
const now = () => Number(process.hrtime.bigint()) / 1e6;

interface WatcherArrivals {
  server: 'A' | 'B';
  arrived: Map<number, number>;
}

/** The watchers' process (bench/_watchers.ts) and what it reports. */
class WatcherProcess {
  private readonly child: ChildProcess;
  private readonly complete = new Set<number>();
  private readonly waiting = new Map<number, () => void>();
  private failure?: Error;
  private onReady?: () => void;
  private onArrivals?: (a: { server: 'A' | 'B'; arrived: [number, number][] }[]) => void;

  constructor(args: {
    addresses: { server: string; address: string }[];
    systemId: string;
    token: string;
    count: number;
  }) {
    const entry = entryArgs('bench/_watchers.ts');
    this.child = fork(entry[entry.length - 1], [JSON.stringify(args)], {
      execArgv: entry.slice(0, -1),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on(
      'message',
      (m: {
        ready?: boolean;
        complete?: number;
        error?: string;
        arrivals?: { server: 'A' | 'B'; arrived: [number, number][] }[];
      }) => {
        if (m.ready) this.onReady?.();
        if (m.error) this.failure ??= new Error(m.error);
        if (m.arrivals) this.onArrivals?.(m.arrivals);
        if (m.complete !== undefined) {
          this.complete.add(m.complete);
          this.waiting.get(m.complete)?.();
        }
      },
    );
    this.child.on(
      'exit',
      (code) => (this.failure ??= code ? new Error(`the watchers' process exited with ${code}`) : undefined),
    );
  }

  ready(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(
        () => reject(this.failure ?? new Error('the watchers did not all get their snapshot in time')),
        timeoutMs,
      );
      this.onReady = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  /** Resolves once every watcher has the revision. */
  all(revision: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.complete.has(revision)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(
        () => reject(this.failure ?? new Error(`revision ${revision}: not every watcher got it within 5 s`)),
        5000,
      );
      this.waiting.set(revision, () => {
        clearTimeout(t);
        this.waiting.delete(revision);
        resolve();
      });
    });
  }

  report(): Promise<WatcherArrivals[]> {
    return new Promise((resolve) => {
      this.onArrivals = (a) => resolve(a.map((w) => ({ server: w.server, arrived: new Map(w.arrived) })));
      this.child.send({ report: true });
    });
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

async function run(): Promise<BenchTable[]> {
  const cycles = intEnv('BTV_BENCH_CYCLES', 200);
  const watcherCount = intEnv('BTV_BENCH_WATCHERS', 100);
  const warmup = Math.min(20, Math.ceil(cycles / 10));
  const db = await database();
  if ('skip' in db) {
    return [{ title: 'Kill switch: skipped', columns: ['reason'], rows: [[db.skip]] }];
  }

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'btv-bench-killswitch-'));
  const checkpointKeyFile = path.join(dir, 'checkpoint.pem');
  fs.writeFileSync(
    checkpointKeyFile,
    crypto.generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }),
    { mode: 0o600 },
  );
  const secret = crypto.randomBytes(48).toString('base64url');
  const shared = {
    BTV_ENV: 'production',
    BTV_DATABASE_URL: db.url,
    BTV_JWT_SECRET: secret,
    BTV_LEDGER_KEYS: `k1:${crypto.randomBytes(32).toString('base64')}`,
    BTV_CHECKPOINT_KEY_FILE: checkpointKeyFile,
  };
  const procs: ServerProcess[] = [];
  let watcherProcess: WatcherProcess | undefined;
  const closers: (() => void)[] = [];
  try {
    // One at a time: both would otherwise race to migrate a fresh database.
    for (const n of [1, 2]) procs.push(await spawnServer({ ...shared, BTV_DATA_DIR: path.join(dir, `data-${n}`) }));
    const [addrA, addrB] = procs.map((p) => `127.0.0.1:${p.port}`);

    const tenantId = crypto.randomUUID();
    const key = crypto.createSecretKey(Buffer.from(secret));
    const md = (role: Role) => {
      const m = new grpc.Metadata();
      m.set(
        'authorization',
        `Bearer ${mintToken({ tenantId, role, subject: `bench-${role}`, ttlSeconds: 3600, algorithm: 'HS256', key })}`,
      );
      return m;
    };
    const admin = md('admin');
    const governance = new GovernanceServiceClient(addrA, grpc.credentials.createInsecure());
    const operations = new OperationsServiceClient(addrA, grpc.credentials.createInsecure());
    closers.push(
      () => governance.close(),
      () => operations.close(),
    );
    const systemId = 'bench-killswitch';
    await unary(
      governance,
      governance.registerSystem,
      {
        system: AiSystem.fromPartial({
          id: systemId,
          name: 'Kill switch bench',
          risk: RiskClassification.RISK_CLASSIFICATION_HIGH,
          loggingEnabled: true,
        }),
      },
      md('dev'),
    );

    watcherProcess = new WatcherProcess({
      addresses: [
        { server: 'A', address: addrA },
        { server: 'B', address: addrB },
      ],
      systemId,
      token: md('auditor').get('authorization')[0].toString().slice('Bearer '.length),
      count: watcherCount,
    });
    await watcherProcess.ready(30_000);
    const fanOut = watcherProcess;

    interface Sample {
      kind: 'stop' | 'release';
      start: number;
      returned: number;
      revision: number;
    }
    const samples: Sample[] = [];
    const change = async (kind: Sample['kind']): Promise<Sample> => {
      const start = now();
      const res =
        kind === 'stop'
          ? await unary(
              operations,
              operations.emergencyStop,
              { systemId, reason: 'bench', operatorId: 'bench', requestId: '' },
              admin,
            )
          : await unary(
              operations,
              operations.setOperationalStatus,
              {
                systemId,
                operationalStatus: OS.OPERATIONAL_STATUS_ACTIVE,
                reason: 'bench',
                operatorId: 'bench',
                requestId: '',
              },
              admin,
            );
      const returned = now();
      const revision = res.statusChange!.revision;
      // Every watcher must get it before the next change (so one change's fan-out never queues behind another's).
      await fanOut.all(revision);
      return { kind, start, returned, revision };
    };

    // The same connection's cost without any work: a health check, after each cycle (nothing else in flight).
    const health = new HealthClient(addrA, grpc.credentials.createInsecure(), {
      channelOverride: operations.getChannel(),
    });
    const baseline: number[] = [];
    const check = () =>
      new Promise<void>((resolve, reject) =>
        health.makeUnaryRequest(
          '/grpc.health.v1.Health/Check',
          (x: object) => healthService.Check.requestSerialize(x),
          (b: Buffer) => healthService.Check.responseDeserialize(b),
          { service: '' },
          (e: grpc.ServiceError | null) => (e ? reject(e) : resolve()),
        ),
      );

    for (let i = 0; i < warmup + cycles; i++) {
      const s = await change('stop');
      const r = await change('release');
      const t0 = now();
      await check();
      if (i >= warmup) {
        samples.push(s, r);
        baseline.push(now() - t0);
      }
    }
    const watchers = await fanOut.report();

    const latency = (kind: Sample['kind']) =>
      stats(samples.filter((s) => s.kind === kind).map((s) => s.returned - s.start));
    const propagation = (server: 'A' | 'B' | 'all', from: 'returned' | 'start', kind?: Sample['kind']) => {
      const xs: number[] = [];
      for (const s of samples) {
        if (kind && s.kind !== kind) continue;
        for (const w of watchers)
          if (server === 'all' || w.server === server) xs.push(w.arrived.get(s.revision)! - s[from]);
      }
      return stats(xs);
    };
    // Per change: until the last of the 100 watchers has it.
    const lastWatcher = stats(
      samples.map((s) => Math.max(...watchers.map((w) => w.arrived.get(s.revision)!)) - s.start),
    );

    const row = (what: string, st: ReturnType<typeof stats>, target?: number): Cell[] => [
      what,
      st.n,
      st.p50,
      st.p99,
      st.max,
      target === undefined ? '-' : `p99 < ${target}`,
      target === undefined ? '-' : verdict(st.p99, target),
    ];
    const half = watcherCount / 2;
    const table: BenchTable = {
      title: `Kill switch, ${cycles} EmergencyStop / SetOperationalStatus(ACTIVE) cycles through A, ${watcherCount} watchers (${Math.ceil(half)} on A, ${Math.floor(half)} on B) - ms`,
      columns: ['measure', 'samples', 'p50', 'p99', 'max', 'target', 'result'],
      rows: [
        row('EmergencyStop call (send -> response)', latency('stop'), TARGET_STOP_P99_MS),
        row('SetOperationalStatus(ACTIVE) call', latency('release')),
        row('baseline: health Check on the same connection', stats(baseline)),
        row(
          'propagation to A watchers, receive - call return',
          propagation('A', 'returned'),
          TARGET_PROPAGATION_P99_MS,
        ),
        row(
          'propagation to B watchers, receive - call return',
          propagation('B', 'returned'),
          TARGET_PROPAGATION_P99_MS,
        ),
        row('propagation to A watchers, receive - call start', propagation('A', 'start')),
        row('propagation to B watchers, receive - call start', propagation('B', 'start')),
        row(
          'propagation to all watchers, receive - call return',
          propagation('all', 'returned'),
          TARGET_PROPAGATION_P99_MS,
        ),
        row(
          'propagation of stops only, all, receive - call return',
          propagation('all', 'returned', 'stop'),
          TARGET_PROPAGATION_P99_MS,
        ),
        row('change reaches the last of all watchers, - call start', lastWatcher),
      ],
      notes: [
        `Two server processes (dist/src/main.js, production mode, info logging) on ${db.url.replace(/\/\/[^@]*@/, '//')}; ${warmup} warm-up cycles not counted.`,
        'Commit happens between call start and call return, so commit -> receive lies between the "call return" and "call start" rows;',
        'a negative value means the watcher had the change before the caller had its response. Watchers on A are fed in-process,',
        'watchers on B by PostgreSQL NOTIFY (the payload carries the change). The watchers run in a process of their own (each on its own',
        `connection); it shares the machine's ${os.cpus().length} CPUs with the caller, both servers and PostgreSQL, so the fan-out to the last watcher includes its decoding.`,
      ],
    };
    return [table];
  } finally {
    watcherProcess?.kill();
    closers.forEach((c) => c());
    await Promise.all(procs.map(stopProcess));
    await db
      .drop()
      .catch((e) =>
        process.stderr.write(`killswitch bench: could not drop the temporary database: ${(e as Error).message}\n`),
      );
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const benchmark: Benchmark = {
  name: 'killswitch',
  description:
    'EmergencyStop latency and propagation to 100 watchers on two server processes (PostgreSQL LISTEN/NOTIFY)',
  run,
};
