/**
 * The Node client library (clients/node) against a real server process:
 *
 *  1. A cached kill-switch answer: `enforce` on a system the watch cache knows to be stopped
 *     (no RPC), per call, beside a real Enforce call for the ratio. Target: ≤ 5 µs.
 *  2. A stop reaching 1,000 client caches in one process (each client on its own connection, as
 *     1,000 services would be): from sending EmergencyStop to each cache holding it. Target: p99 ≤ 20 ms.
 *
 *   npm run bench -- clients
 *
 * Database as in the killswitch benchmark. Knobs: BTV_BENCH_CLIENTS (default 1000),
 * BTV_BENCH_CLIENT_CYCLES (default 200 stops: a p99 needs well over
 * 100 of them, with 30 it is simply the slowest stop), BTV_BENCH_CACHED_CALLS (default 1,000,000).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { SystemStatus } from '../clients/node/src';
import { Client } from '../clients/node/src';
import { GovernanceServiceClient } from '../gen/ts/btv/v1/governance';
import { OperationsServiceClient } from '../gen/ts/btv/v1/operations';
import { AiSystem, OperationalStatus as OS, RiskClassification } from '../gen/ts/btv/v1/types';
import { mintToken } from '../src/auth/tokens';
import type { Role } from '../src/domain/context';
import type { ServerProcess } from '../test/helpers/process';
import { spawnServer } from '../test/helpers/process';
import { database, intEnv, stats, stopProcess } from './_support';
import type { Benchmark, BenchTable } from './run';

const TARGET_CACHED_US = 5;
const TARGET_FANOUT_P99_MS = 20;
const now = () => Number(process.hrtime.bigint()) / 1e6;
const atMost = (value: number, target: number) => (value <= target ? 'PASS' : 'MISS');

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

/** Resolves when every client's cache holds `status` for the system; records when each got it. */
function allSee(
  clients: Client[],
  systemId: string,
  status: string,
  arrivals: number[] | undefined,
  timeoutMs = 10_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let left = clients.filter((c) => c.status(systemId)?.operationalStatus !== status).length;
    if (left === 0) return resolve();
    const listeners: [Client, (s: SystemStatus) => void][] = [];
    const done = (err?: Error) => {
      clearTimeout(timer);
      for (const [c, l] of listeners) c.off('change', l);
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(
      () => done(new Error(`${left} of ${clients.length} caches did not see ${status} in ${timeoutMs} ms`)),
      timeoutMs,
    );
    for (const c of clients) {
      if (c.status(systemId)?.operationalStatus === status) continue;
      const l = (s: SystemStatus) => {
        if (s.systemId !== systemId || s.operationalStatus !== status) return;
        arrivals?.push(now());
        c.off('change', l);
        if (--left === 0) done();
      };
      listeners.push([c, l]);
      c.on('change', l);
    }
  });
}

async function run(): Promise<BenchTable[]> {
  const clientCount = intEnv('BTV_BENCH_CLIENTS', 1000);
  const cycles = intEnv('BTV_BENCH_CLIENT_CYCLES', 200);
  const cachedCalls = intEnv('BTV_BENCH_CACHED_CALLS', 1_000_000);
  const db = await database();
  if ('skip' in db) return [{ title: 'Client library: skipped', columns: ['reason'], rows: [[db.skip]] }];

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'btv-bench-clients-'));
  const checkpointKeyFile = path.join(dir, 'checkpoint.pem');
  fs.writeFileSync(
    checkpointKeyFile,
    crypto.generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }),
    { mode: 0o600 },
  );
  const secret = crypto.randomBytes(48).toString('base64url');
  let server: ServerProcess | undefined;
  const clients: Client[] = [];
  const closers: (() => void)[] = [];
  try {
    server = await spawnServer({
      BTV_ENV: 'production',
      BTV_DATABASE_URL: db.url,
      BTV_JWT_SECRET: secret,
      BTV_LEDGER_KEYS: `k1:${crypto.randomBytes(32).toString('base64')}`,
      BTV_CHECKPOINT_KEY_FILE: checkpointKeyFile,
      BTV_DATA_DIR: path.join(dir, 'data'),
      // 1,000 services on one host: room for their connections and watches.
      BTV_MAX_CONNECTIONS: String(clientCount + 100),
      BTV_MAX_CONNECTIONS_PER_PEER: String(clientCount + 100),
      BTV_WATCH_MAX_PER_TENANT: String(clientCount + 100),
      BTV_MAX_STREAMS_PER_CONNECTION: String(clientCount + 100),
    });
    const address = `127.0.0.1:${server.port}`;
    const tenantId = crypto.randomUUID();
    const key = crypto.createSecretKey(Buffer.from(secret));
    const token = (role: Role) =>
      mintToken({ tenantId, role, subject: `bench-${role}`, ttlSeconds: 3600, algorithm: 'HS256', key });
    const admin = new grpc.Metadata();
    admin.set('authorization', `Bearer ${token('admin')}`);
    const governance = new GovernanceServiceClient(address, grpc.credentials.createInsecure());
    const operations = new OperationsServiceClient(address, grpc.credentials.createInsecure(), {
      channelOverride: governance.getChannel(),
    });
    closers.push(() => governance.close());
    const register = (id: string) =>
      unary(
        governance,
        governance.registerSystem,
        {
          system: AiSystem.fromPartial({
            id,
            name: 'Client bench',
            risk: RiskClassification.RISK_CLASSIFICATION_LIMITED,
            loggingEnabled: true,
          }),
        },
        admin,
      );
    const stopped = 'bench-clients-stopped';
    const fanned = 'bench-clients-fanout';
    await register(stopped);
    await register(fanned);
    await unary(
      operations,
      operations.emergencyStop,
      { systemId: stopped, reason: 'bench', operatorId: '', requestId: '' },
      admin,
    );

    // 1. Cached answers.
    const app = token('app');
    const one = new Client(address, app);
    clients.push(one);
    one.watch();
    await allSee([one], stopped, 'EMERGENCY_STOP', undefined);
    let fromCache = 0;
    for (let i = 0; i < 10_000; i++)
      fromCache += (await one.enforce(stopped, 'production', { prompt: 'warm up' })).source === 'cache' ? 1 : 0;
    fromCache = 0;
    const t0 = now();
    for (let i = 0; i < cachedCalls; i++)
      fromCache +=
        (await one.enforce(stopped, 'production', { prompt: 'Summarise the credit policy' })).source === 'cache'
          ? 1
          : 0;
    const cachedUs = ((now() - t0) * 1000) / cachedCalls;
    const rpc: number[] = [];
    for (let i = 0; i < 220; i++) {
      const s = now();
      const r = await one.enforce(fanned, 'production', { prompt: 'Summarise the credit policy' });
      if (r.source !== 'server') throw new Error(`expected a server decision, got ${r.source}: ${r.reason}`);
      if (i >= 20) rpc.push((now() - s) * 1000);
    }
    const rpcStats = stats(rpc);

    // 2. Fan-out to 1,000 caches: as the library does by default (the clients of one process share
    // one watch stream), and with a stream and a connection per client (shareWatch: false), the
    // server's fan-out cost when the 1,000 caches are in 1,000 processes.
    const fanOut = async (label: string, make: () => Client) => {
      const group: Client[] = [];
      for (let i = 0; i < clientCount; i++) {
        const c = make();
        clients.push(c);
        group.push(c);
        c.watch([fanned]);
      }
      await allSee(group, fanned, 'ACTIVE', undefined, 60_000);
      const latencies: number[] = [];
      const stopCalls: number[] = [];
      const afterAck: number[] = [];
      for (let i = 0; i < cycles + 3; i++) {
        const arrivals: number[] = [];
        const seen = allSee(group, fanned, 'EMERGENCY_STOP', arrivals);
        const start = now();
        await unary(
          operations,
          operations.emergencyStop,
          { systemId: fanned, reason: 'bench', operatorId: '', requestId: '' },
          admin,
        );
        const returned = now();
        await seen;
        if (i >= 3) {
          latencies.push(...arrivals.map((t) => t - start));
          stopCalls.push(returned - start);
          afterAck.push(...arrivals.map((t) => Math.max(0, t - returned)));
        }
        const released = allSee(group, fanned, 'ACTIVE', undefined);
        await unary(
          operations,
          operations.setOperationalStatus,
          {
            systemId: fanned,
            operationalStatus: OS.OPERATIONAL_STATUS_ACTIVE,
            reason: 'bench',
            operatorId: '',
            requestId: '',
          },
          admin,
        );
        await released;
      }
      for (const c of group) c.close();
      const f = stats(latencies);
      const sc = stats(stopCalls);
      const ack = stats(afterAck);
      return [
        label,
        cycles,
        f.n,
        sc.p50,
        sc.p99,
        f.p50,
        f.p99,
        f.max,
        ack.p99,
        `≤ ${TARGET_FANOUT_P99_MS} ms`,
        atMost(f.p99, TARGET_FANOUT_P99_MS),
      ];
    };
    one.close();
    const sharedRow = await fanOut(
      'shared watch (library default): one stream per process',
      () => new Client(address, app),
    );
    const ownRow = await fanOut(
      'one stream and one connection per client (shareWatch: false)',
      () => new Client(address, app, { shareWatch: false, channelOptions: { 'grpc.use_local_subchannel_pool': 1 } }),
    );

    return [
      {
        title: 'Client library (Node): cached kill-switch answer vs a real Enforce call',
        columns: ['path', 'calls', 'mean µs', 'p50 µs', 'p99 µs', 'target', 'verdict'],
        rows: [
          [
            'enforce, stopped system in the watch cache (no RPC)',
            cachedCalls,
            cachedUs,
            NaN,
            NaN,
            `≤ ${TARGET_CACHED_US} µs`,
            atMost(cachedUs, TARGET_CACHED_US),
          ],
          [
            'enforce, real Enforce RPC (same client)',
            rpc.length,
            rpc.reduce((a, b) => a + b, 0) / rpc.length,
            rpcStats.p50,
            rpcStats.p99,
            '-',
            '-',
          ],
        ],
        notes: [
          `${fromCache.toLocaleString('en-US')} of ${cachedCalls.toLocaleString('en-US')} cached calls answered BLOCKED from the cache; a cached answer is ${(rpcStats.p50 / cachedUs).toFixed(0)}x cheaper than the RPC's p50`,
        ],
      },
      {
        title: `Client library (Node): a stop reaching ${clientCount.toLocaleString('en-US')} client caches in one process`,
        columns: [
          'clients',
          'stops',
          'samples',
          'stop call p50 ms',
          'stop call p99 ms',
          'p50 ms',
          'p99 ms',
          'max ms',
          'p99 after ack ms',
          'target p99',
          'verdict',
        ],
        rows: [sharedRow, ownRow],
        notes: [
          'p50/p99/max: from sending EmergencyStop to each cache holding EMERGENCY_STOP (the stop call included); the target is judged on the library default',
          'after ack: from EmergencyStop returning to each cache holding it (0 when the cache had it first)',
        ],
      },
    ];
  } finally {
    for (const c of clients) c.close();
    for (const c of closers) c();
    if (server) await stopProcess(server);
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const benchmark: Benchmark = {
  name: 'clients',
  description: 'Node client library: cached kill-switch answer cost, stop fan-out to 1,000 client caches',
  run,
};
