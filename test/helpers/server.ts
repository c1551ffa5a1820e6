import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { App } from '../../src/app';
import { startApp } from '../../src/app';
import { mintToken } from '../../src/auth/tokens';
import { loadConfig } from '../../src/config';
import type { Role } from '../../src/domain/context';
import { createLogger } from '../../src/logger';
import { UNLIMITED } from './process';

/**
 * The database every test server shares (each with its own tenant): set by test/run.ts, which
 * `npm test` runs: CI's PostgreSQL, or an embedded PostgreSQL started for the run.
 */
export const TEST_DATABASE_URL: string = (() => {
  const url = process.env.BTV_TEST_DATABASE_URL;
  if (!url)
    throw new Error(
      'BTV_TEST_DATABASE_URL is not set: run the tests through `npm test` (test/run.ts), which provides a database',
    );
  return url;
})();
/** For test titles: which database the suite runs on. */
export const TEST_DATABASE_KIND = process.env.BTV_TEST_DATABASE_KIND || 'PostgreSQL';

export interface TestServer {
  address: string;
  /** A fresh tenant per server, so suites never see each other's data. */
  tenantId: string;
  dataDir: string;
  secret: string;
  app: App;
  mint(role: Role, claims?: { tenantId?: string; sub?: string; ttlSeconds?: number }): string;
  stop(): Promise<void>;
}

export interface TestServerOptions {
  /** Reuse a data folder (restart tests); default: a new temporary one. */
  dataDir?: string;
  secret?: string;
  env?: Record<string, string>;
  /** Run on the server's own embedded PostgreSQL in dataDir (the default of `npm start`), not the shared test database. */
  embedded?: boolean;
}

export async function startTestServer(o: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = o.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'btv-test-'));
  const secret = o.secret ?? crypto.randomBytes(48).toString('base64url');
  const config = loadConfig({
    BTV_HOST: '127.0.0.1',
    BTV_PORT: '0',
    BTV_DATA_DIR: dataDir,
    BTV_JWT_SECRET: secret,
    BTV_SHUTDOWN_GRACE_MS: '2000',
    BTV_SHUTDOWN_DRAIN_DELAY_MS: '0',
    ...(o.embedded ? {} : { BTV_DATABASE_URL: TEST_DATABASE_URL }),
    ...UNLIMITED,
    ...o.env,
  });
  const app = await startApp(config, createLogger(process.env.BTV_TEST_LOG || 'silent'));
  const tenantId = crypto.randomUUID();
  const key = crypto.createSecretKey(Buffer.from(secret));
  return {
    address: `127.0.0.1:${app.port}`,
    tenantId,
    dataDir,
    secret,
    app,
    mint: (role, c = {}) =>
      mintToken({
        tenantId: c.tenantId ?? tenantId,
        role,
        subject: c.sub ?? `test-${role}`,
        ttlSeconds: c.ttlSeconds ?? 600,
        algorithm: 'HS256',
        key,
        issuer: config.jwt.issuer,
        audience: config.jwt.audience,
      }),
    stop: () => app.stop(),
  };
}
