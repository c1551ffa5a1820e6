/**
 * `npm test`: runs mocha against a PostgreSQL database. With BTV_TEST_DATABASE_URL set (CI's
 * PostgreSQL run) that one; otherwise an embedded PostgreSQL (the server's default database) is
 * started in a temporary folder for the run and removed after it, so no server is needed.
 * Arguments are passed to mocha (default: every unit, store and API suite).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEmbeddedPostgres } from '../src/store/embedded-postgres';

const SUITES = ['test/unit/**/*.test.ts', 'test/store/**/*.test.ts', 'test/api/**/*.test.ts'];

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const env = { ...process.env };
  let cleanup = async () => undefined as void;
  if (!env.BTV_TEST_DATABASE_URL) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'btv-testdb-'));
    const pg = await startEmbeddedPostgres(dir);
    env.BTV_TEST_DATABASE_URL = pg.url;
    env.BTV_TEST_DATABASE_KIND = 'embedded PostgreSQL';
    cleanup = async () => {
      await pg.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    };
  }
  const mocha = path.join(__dirname, '..', 'node_modules', '.bin', 'mocha');
  const child = spawn(mocha, args.length ? args : SUITES, { stdio: 'inherit', env });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
  const code = await new Promise<number>((resolve) => child.on('exit', (c, s) => resolve(c ?? (s ? 1 : 0))));
  await cleanup();
  return code;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`test database: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
