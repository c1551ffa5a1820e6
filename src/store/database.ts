import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Knex } from 'knex';
import { knex } from 'knex';
// knex's own PostgreSQL dialect, extended below; it has no typings of its own.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ClientPg: new (config: Knex.Config) => PgDialect = require('knex/lib/dialects/postgres');

interface PgDialect {
  _query(connection: PgConnection, obj: unknown): Promise<unknown>;
}

interface PgConnection {
  __knex__disposed?: unknown;
  connection?: { stream?: { destroy(): void } };
}

/** Bounds on every pool connection, so one dead or frozen connection cannot hold requests forever. */
export interface DatabaseTimeouts {
  /** Client side: a query (a commit too) with no answer in this time fails and its connection is discarded. */
  queryMs: number;
  /** Server side statement_timeout. */
  statementMs: number;
  /** Server side idle_in_transaction_session_timeout: a client that froze mid-transaction releases its locks. */
  idleInTransactionMs: number;
  /** Connecting and waiting for a pool connection. */
  connectMs: number;
}

export const DEFAULT_DATABASE_TIMEOUTS: DatabaseTimeouts = {
  queryMs: 5000,
  statementMs: 15_000,
  idleInTransactionMs: 15_000,
  connectMs: 5000,
};

export interface DatabaseOptions {
  /** PostgreSQL connection string (the embedded server's, or BTV_DATABASE_URL). */
  url: string;
  timeouts?: DatabaseTimeouts;
  /** Pool size. */
  maxConnections?: number;
  /** Where knex's own warnings go (lost connections, pool timeouts); by default nowhere. */
  log?: (message: string) => void;
}

export const QUERY_TIMEOUT_MESSAGE = 'Query read timeout';
/** Set on a timed-out query's error (knex rewrites its message, prefixing the SQL). */
export const QUERY_TIMEOUT_CODE = 'BTV_QUERY_TIMEOUT';

/**
 * pg's query_timeout answers the caller but leaves the connection behind its
 * unanswered query, and knex would hand it out again: every later query on it
 * would wait too. A timed-out connection is closed and never reused.
 */
class GuardedPg extends ClientPg {
  async _query(connection: PgConnection, obj: unknown): Promise<unknown> {
    try {
      return await super._query(connection, obj);
    } catch (e) {
      if ((e as Error).message === QUERY_TIMEOUT_MESSAGE) {
        (e as { code?: string }).code = QUERY_TIMEOUT_CODE;
        connection.__knex__disposed = e;
        connection.connection?.stream?.destroy();
      }
      throw e;
    }
  }
}

export function openDatabase(o: DatabaseOptions): Knex {
  const t = o.timeouts ?? DEFAULT_DATABASE_TIMEOUTS;
  return knex({
    client: GuardedPg as unknown as typeof Knex.Client,
    connection: {
      connectionString: o.url,
      // Notice peers that vanished without a reset (a cable, a rebooted host).
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      connectionTimeoutMillis: t.connectMs,
      query_timeout: t.queryMs,
      statement_timeout: t.statementMs,
      idle_in_transaction_session_timeout: t.idleInTransactionMs,
    } as Knex.PgConnectionConfig,
    pool: { min: 0, max: o.maxConnections ?? 10 },
    acquireConnectionTimeout: t.connectMs,
    // Never the console: a driver message may hold SQL; the caller decides where (and at which level) it goes.
    log: {
      warn: (m: unknown) => o.log?.(String(m)),
      error: (m: unknown) => o.log?.(String(m)),
      deprecate: () => undefined,
      debug: () => undefined,
    },
  });
}

export function describeDatabase(url: string | undefined, dataDir: string): string {
  if (!url) return `embedded PostgreSQL in ${path.join(dataDir, 'postgres')}`;
  try {
    const u = new URL(url);
    return `postgresql://${u.host}${u.pathname}`; // never the password
  } catch {
    return 'postgresql';
  }
}

const MIGRATIONS_DIR = path.resolve(__dirname, '../../migrations');

/**
 * Lists migrations by name without extension, so the same database migrates
 * whether the code runs from TypeScript sources (tsx) or compiled JavaScript.
 */
class MigrationSource implements Knex.MigrationSource<string> {
  private readonly ext = path.extname(__filename);

  async getMigrations(): Promise<string[]> {
    return fs
      .readdirSync(MIGRATIONS_DIR)
      .filter((f) => f.endsWith(this.ext) && !f.endsWith('.d.ts'))
      .map((f) => f.slice(0, -this.ext.length))
      .sort();
  }

  getMigrationName(name: string): string {
    return name;
  }

  async getMigration(name: string): Promise<Knex.Migration> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(path.join(MIGRATIONS_DIR, name + this.ext));
  }
}

export async function migrate(db: Knex): Promise<string[]> {
  const [, applied] = await db.migrate.latest({ migrationSource: new MigrationSource() });
  return applied as string[];
}

/** The migrations as knex sees them, for tools that step through them (tests of a migration's data work). */
export const migrationSource = (): Knex.MigrationSource<string> => new MigrationSource();
