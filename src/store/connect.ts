import type { Knex } from 'knex';
import type { Logger } from '../logger';
import type { DatabaseTimeouts } from './database';
import { describeDatabase, migrate, openDatabase } from './database';
import type { EmbeddedPostgres } from './embedded-postgres';
import { startEmbeddedPostgres } from './embedded-postgres';

export interface ConnectOptions {
  /** BTV_DATABASE_URL; undefined starts (or joins) the embedded PostgreSQL in dataDir. */
  url?: string;
  dataDir: string;
  timeouts?: DatabaseTimeouts;
  maxConnections?: number;
  logger?: Logger;
  /** The server holds the embedded database's folder alone; the CLI joins whatever runs there. */
  server?: boolean;
}

export interface Connected {
  db: Knex;
  /** The connection string in use (the embedded server's when there is no BTV_DATABASE_URL). */
  url: string;
  /** For logs: never the password. */
  description: string;
  migrations: string[];
  embedded?: EmbeddedPostgres;
  /** Closes the pool, then stops the embedded server if this process started it. */
  close(): Promise<void>;
}

/** Opens the configured database and migrates it, the same way for the server and the CLI. */
export async function connectDatabase(o: ConnectOptions): Promise<Connected> {
  const embedded = o.url
    ? undefined
    : await startEmbeddedPostgres(
        o.dataDir,
        (level, line) => o.logger?.[level]({ postgres: line }, 'embedded database'),
        { server: o.server },
      );
  const url = o.url ?? embedded!.url;
  const db = openDatabase({
    url,
    timeouts: o.timeouts,
    maxConnections: o.maxConnections,
    log: (m) => o.logger?.debug({ knex: m }, 'database driver'),
  });
  const close = async () => {
    await db.destroy().catch(() => undefined);
    await embedded?.stop();
  };
  try {
    const migrations = await migrate(db);
    return { db, url, description: describeDatabase(o.url, o.dataDir), migrations, embedded, close };
  } catch (e) {
    await close();
    throw e;
  }
}
