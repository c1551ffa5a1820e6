import * as fs from 'node:fs';
import * as path from 'node:path';
import { knex, Knex } from 'knex';
import ClientPgLite from 'knex-pglite';

export interface DatabaseOptions {
  /** PostgreSQL connection string; undefined selects embedded PGlite. */
  url?: string;
  /** PGlite data folder; undefined with no url keeps PGlite in memory (tests). */
  dataDir?: string;
}

export function openDatabase(o: DatabaseOptions): Knex {
  if (o.url) {
    return knex({ client: 'pg', connection: o.url, pool: { min: 0, max: 10 }, acquireConnectionTimeout: 5000 });
  }
  if (o.dataDir) fs.mkdirSync(o.dataDir, { recursive: true });
  return knex({
    client: ClientPgLite as unknown as typeof Knex.Client,
    connection: o.dataDir ? { filename: path.join(o.dataDir, 'pglite') } : {},
  });
}

export function describeDatabase(o: DatabaseOptions): string {
  if (o.url) {
    try {
      const u = new URL(o.url);
      return `postgresql://${u.host}${u.pathname}`; // never the password
    } catch {
      return 'postgresql';
    }
  }
  return o.dataDir ? `embedded PGlite in ${path.join(o.dataDir, 'pglite')}` : 'embedded PGlite in memory';
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
