import { Config } from './config';
import { loadVerificationKey } from './auth/keys';
import { TokenVerifier } from './auth/verifier';
import { SystemService } from './domain/systems';
import { TenantService } from './domain/tenants';
import { Logger } from './logger';
import { listen, RunningServer } from './server';
import { describeDatabase, migrate, openDatabase } from './store/database';
import { KnexStorage } from './store/storage';

export interface App {
  port: number;
  storage: KnexStorage;
  /** Graceful stop: drain gRPC (bounded by the configured grace), then close the database. */
  stop(): Promise<void>;
}

/** Wires config -> keys -> database -> domain services -> gRPC server. */
export async function startApp(config: Config, logger: Logger): Promise<App> {
  const { key, source } = loadVerificationKey(config);
  const verifier = new TokenVerifier({
    algorithm: config.jwt.algorithm,
    key,
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
  });
  const dbOptions = { url: config.databaseUrl, dataDir: config.databaseUrl ? undefined : config.dataDir };
  const db = openDatabase(dbOptions);
  let storage: KnexStorage;
  try {
    const applied = await migrate(db);
    if (applied.length) logger.info({ migrations: applied }, 'migrations applied');
    // The signed ledger (hash chain + HMAC) plugs in here; until then appends are accepted and dropped.
    storage = new KnexStorage(db, () => ({ append: async () => undefined }));
  } catch (e) {
    await db.destroy().catch(() => undefined);
    throw e;
  }
  const clock = () => new Date();
  const server = await listen(config, {
    verifier,
    logger,
    tenants: new TenantService(storage, clock),
    systems: new SystemService(storage, clock),
  });
  logger.info(
    { port: server.port, env: config.env, database: describeDatabase(dbOptions), jwt_algorithm: config.jwt.algorithm, jwt_key: source },
    'listening',
  );
  let stopping: Promise<void> | undefined;
  return {
    port: server.port,
    storage,
    stop: () =>
      (stopping ??= (async (s: RunningServer) => {
        await s.shutdown(config.shutdownGraceMs);
        await storage.close();
      })(server)),
  };
}
