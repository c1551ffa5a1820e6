/** What the benchmarks that run real server processes share: a database, stopping a server, statistics. */
import { Client as PgClient } from 'pg';
import type { ServerProcess } from '../test/helpers/process';

const ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

export const intEnv = (name: string, fallback: number) => {
  const n = Number(process.env[name]);
  return Number.isInteger(n) && n > 0 ? n : fallback;
};

export function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50: pct(s, 50), p99: pct(s, 99), max: s.length ? s[s.length - 1] : NaN };
}

export const verdict = (p99: number, target: number) => (p99 < target ? 'PASS' : 'MISS');

/** A database for the run: the configured one, or a temporary one we create and later drop. */
export async function database(): Promise<{ url: string; drop: () => Promise<void> } | { skip: string }> {
  const given = process.env.BTV_BENCH_DATABASE_URL || process.env.BTV_TEST_DATABASE_URL;
  if (given) return { url: given, drop: async () => undefined };
  const name = `btv_bench_${process.pid}_${Date.now()}`;
  const admin = new PgClient({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (e) {
    await admin.end().catch(() => undefined);
    return {
      skip: `PostgreSQL is not reachable at ${ADMIN_URL} (${(e as Error).message}); set BTV_BENCH_DATABASE_URL`,
    };
  }
  await admin.end();
  return {
    url: `postgresql://postgres@127.0.0.1:5432/${name}`,
    drop: async () => {
      const c = new PgClient({ connectionString: ADMIN_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

export async function stopProcess(p: ServerProcess): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const killer = setTimeout(() => p.child.kill('SIGKILL'), 15_000);
  await p.exited;
  clearTimeout(killer);
}
