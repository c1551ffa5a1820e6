// First: the pg instrumentation must be in place before the database code loads pg.
import './telemetry/preload';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startApp } from './app';
import { loadVerificationKey } from './auth/keys';
import { mintToken } from './auth/tokens';
import type { Config } from './config';
import { ConfigError, loadConfig } from './config';
import { ThreatConfigError } from './engine/classifier';
import { RulesError } from './engine/rules';
import { createLogger } from './logger';
import { DataDirError, writePrivateFile } from './data-dir';

const DEV_TOKEN_TTL_SECONDS = 24 * 3600;

/** The development tenant is kept in the data folder so the printed token keeps working across restarts. */
function devTenant(dataDir: string): string {
  const file = path.join(dataDir, 'dev-tenant-id');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    const id = randomUUID();
    writePrivateFile(file, id + '\n');
    return id;
  }
}

function printDevBanner(config: Config, port: number): void {
  if (config.env !== 'development' || config.jwt.algorithm !== 'HS256') return;
  const target = `localhost:${port}`;
  if (config.jwt.secret !== undefined) {
    // A secret someone supplied may be a real one: no admin token for it goes to a log.
    process.stdout.write(
      `\nBuildToValue gRPC is serving on ${target} (development mode). Mint a token with: npm run btv -- token --help\n\n`,
    );
    return;
  }
  const tenantId = devTenant(config.dataDir);
  const token = mintToken({
    tenantId,
    role: 'admin',
    subject: 'dev-admin',
    ttlSeconds: DEV_TOKEN_TTL_SECONDS,
    algorithm: 'HS256',
    key: loadVerificationKey(config).key,
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
  });
  const auth = `-H "authorization: Bearer $TOKEN"`;
  const system = JSON.stringify({
    system: {
      id: 'credit-scoring',
      name: 'Credit Scoring',
      sector: 'SECTOR_BANKING',
      risk: 'RISK_CLASSIFICATION_HIGH',
      logging_enabled: true,
      jurisdiction: 'EU',
    },
  });
  process.stdout.write(
    [
      '',
      `BuildToValue gRPC is serving on ${target} (development mode).`,
      `Admin token for development tenant ${tenantId}, valid 24 h (mint others with: npm run btv -- token --help):`,
      '',
      `export TOKEN=${token}`,
      `grpcurl -plaintext ${target} list`,
      `grpcurl -plaintext ${auth} -d '${system}' ${target} btv.v1.GovernanceService/RegisterSystem`,
      `grpcurl -plaintext ${auth} -d '{"system_id":"credit-scoring"}' ${target} btv.v1.GovernanceService/GetSystem`,
      '',
    ].join('\n') + '\n',
  );
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    process.stderr.write(`configuration error: ${(e as Error).message}\n`);
    process.exit(2);
  }
  const logger = createLogger(config.logLevel);
  let app;
  try {
    app = await startApp(config, logger);
  } catch (e) {
    if (
      e instanceof ConfigError ||
      e instanceof RulesError ||
      e instanceof ThreatConfigError ||
      e instanceof DataDirError
    ) {
      process.stderr.write(`configuration error: ${e.message}\n`);
      process.exit(2);
    }
    logger.fatal({ err: e }, 'start-up failed');
    process.exit(1);
  }
  printDevBanner(config, app.port);
  const stop = (signal: string) => {
    logger.info({ signal, grace_ms: config.shutdownGraceMs }, 'shutting down');
    app.stop().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

void main();
