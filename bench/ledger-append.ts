/**
 * Ledger append throughput: one append per commit versus group commit.
 *
 *   single   N appends, each awaited before the next: every append is its own one-entry commit.
 *   batched  N appends with BTV_BENCH_IN_FLIGHT (default 64) submitted at any time: the
 *            group-commit writer puts whatever is queued into one transaction.
 *
 * Runs against the embedded PostgreSQL (in a temporary folder, as the server uses it) and, when
 * BTV_BENCH_DATABASE_URL or BTV_TEST_DATABASE_URL is set, that PostgreSQL. Appends go to a fresh
 * tenant per run; the chain is verified afterwards (outside the timing).
 *
 * Environment: BTV_BENCH_N (appends per mode, default 2000), BTV_BENCH_IN_FLIGHT (default 64).
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KeyRing, newKeySpecEntry, parseKeySpec } from '../src/ledger/keyring';
import { verifyRecords } from '../src/ledger/verify';
import type { Connected } from '../src/store/connect';
import { connectDatabase } from '../src/store/connect';
import type { LedgerEvent } from '../src/store/ports';
import { KnexStorage } from '../src/store/storage';
import type { Benchmark, BenchTable, Cell } from './run';

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

interface ModeResult {
  entries: number;
  seconds: number;
  perSecond: number;
  meanBatch: number;
  p50: number;
  p99: number;
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

// A real event type (the port takes only those), about the size of the entries it stands for.
function event(n: number): LedgerEvent {
  return {
    type: 'review.opened',
    actor: { subject: 'bench', role: 'admin' },
    requestId: `bench-${n}`,
    body: {
      review_id: `REV-bench-${n}`,
      decision_id: `bench-${n}`,
      system_id: `bench-system-${n % 97}`,
      risk_score: n % 100,
    },
  };
}

/** Runs n appends with at most `inFlight` outstanding; returns per-append latencies (ms) and writer stats. */
async function appends(
  storage: KnexStorage,
  tenantId: string,
  n: number,
  inFlight: number,
  offset: number,
): Promise<ModeResult> {
  const latencies: number[] = new Array(n);
  const before = { ...storage.writer.stats };
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const t0 = process.hrtime.bigint();
      await storage.transaction(tenantId, (uow) => uow.ledger.append(tenantId, event(offset + i)));
      latencies[i] = Number(process.hrtime.bigint() - t0) / 1e6;
    }
  };
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.min(inFlight, n) }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const stats = storage.writer.stats;
  const sorted = latencies.sort((a, b) => a - b);
  return {
    entries: stats.entries - before.entries,
    seconds,
    perSecond: n / seconds,
    meanBatch: (stats.entries - before.entries) / Math.max(1, stats.batches - before.batches),
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
  };
}

interface Target {
  name: string;
  connect: () => Promise<Connected>;
  cleanup?: () => void;
}

function targets(): Target[] {
  const list: Target[] = [];
  let dir: string | undefined;
  list.push({
    name: 'embedded PostgreSQL (temp dir)',
    connect: () => connectDatabase({ dataDir: (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'btv-bench-'))) }),
    cleanup: () => dir && fs.rmSync(dir, { recursive: true, force: true }),
  });
  const url = process.env.BTV_BENCH_DATABASE_URL || process.env.BTV_TEST_DATABASE_URL;
  if (url) list.push({ name: 'PostgreSQL', connect: () => connectDatabase({ url, dataDir: os.tmpdir() }) });
  return list;
}

async function runTarget(t: Target, n: number, inFlight: number): Promise<Cell[][]> {
  const database = await t.connect();
  const db = database.db;
  const keyRing = new KeyRing('bench', parseKeySpec(newKeySpecEntry('bench'), 'bench'));
  const storage = new KnexStorage(db, { keyRing, clock: () => new Date() });
  try {
    const tenantId = randomUUID();
    // Warm up the connection pool, the JIT and the tenant's head row.
    await appends(storage, tenantId, 50, 1, 0);
    await appends(storage, tenantId, 200, inFlight, 50);
    const single = await appends(storage, tenantId, n, 1, 250);
    const batched = await appends(storage, tenantId, n, inFlight, 250 + n);

    const records = [];
    for (let after = 0; ;) {
      const page = await storage.ledger.list(tenantId, after, 1000);
      records.push(...page);
      if (page.length < 1000) break;
      after = page[page.length - 1].sequence;
    }
    const v = verifyRecords(records, { key: (kid) => keyRing.get(kid) });
    if (!v.valid || v.entriesChecked !== 250 + 2 * n) {
      throw new Error(`${t.name}: chain check failed after the benchmark: ${JSON.stringify(v)}`);
    }
    const row = (mode: string, flight: number, r: ModeResult, ratio: string): Cell[] => [
      t.name,
      mode,
      r.entries,
      flight,
      Math.round(r.perSecond),
      r.meanBatch,
      r.p50,
      r.p99,
      ratio,
    ];
    return [
      row('single', 1, single, '1.00x'),
      row('batched', inFlight, batched, `${(batched.perSecond / single.perSecond).toFixed(2)}x`),
    ];
  } finally {
    await storage.close();
    await database.close();
    t.cleanup?.();
  }
}

export const benchmark: Benchmark = {
  name: 'ledger-append',
  description: 'signed ledger appends per second, one commit each vs group commit',
  async run(): Promise<BenchTable[]> {
    const n = intEnv('BTV_BENCH_N', 2000);
    const inFlight = intEnv('BTV_BENCH_IN_FLIGHT', 64);
    const rows: Cell[][] = [];
    const list = targets();
    for (const t of list) rows.push(...(await runTarget(t, n, inFlight)));
    const notes = [
      'single: each append awaited before the next (a one-entry commit each); batched: appends submitted concurrently, group-committed.',
      'latency: from submit to commit of one append; mean batch: entries per commit (writer.stats).',
      `N = BTV_BENCH_N (${n}), in flight = BTV_BENCH_IN_FLIGHT (${inFlight}).`,
    ];
    if (!list.some((t) => t.name === 'PostgreSQL'))
      notes.push('PostgreSQL skipped: set BTV_BENCH_DATABASE_URL (or BTV_TEST_DATABASE_URL) to include it.');
    return [
      {
        title: 'Ledger append',
        columns: [
          'database',
          'mode',
          'entries',
          'in flight',
          'entries/s',
          'mean batch',
          'p50 ms',
          'p99 ms',
          'vs single',
        ],
        rows,
        notes,
      },
    ];
  },
};
