import { Config } from './config';
import { loadVerificationKey } from './auth/keys';
import { TokenVerifier } from './auth/verifier';
import { LedgerService } from './domain/ledger';
import { SystemService } from './domain/systems';
import { CheckpointSigner, loadCheckpointKey } from './ledger/checkpoint';
import { loadKeyRing } from './ledger/keyring';
import { TenantService } from './domain/tenants';
import { Logger } from './logger';
import { listen, RunningServer } from './server';
import { describeDatabase, migrate, openDatabase } from './store/database';
import { KnexStorage } from './store/storage';

export interface App {
  port: number;
  storage: KnexStorage;
  ledger: LedgerService;
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
  const keyRing = loadKeyRing({ env: config.env, dataDir: config.dataDir, keys: config.ledger.keys, activeKid: config.ledger.activeKey });
  const signer = new CheckpointSigner(
    loadCheckpointKey({ env: config.env, dataDir: config.dataDir, keyFile: config.ledger.checkpointKeyFile }),
  );
  const clock = () => new Date();
  const dbOptions = { url: config.databaseUrl, dataDir: config.databaseUrl ? undefined : config.dataDir };
  const db = openDatabase(dbOptions);
  let storage: KnexStorage;
  try {
    const applied = await migrate(db);
    if (applied.length) logger.info({ migrations: applied }, 'migrations applied');
    storage = new KnexStorage(db, { keyRing, clock });
  } catch (e) {
    await db.destroy().catch(() => undefined);
    throw e;
  }
  const ledger = new LedgerService(storage.ledger, keyRing, signer, clock);
  const server = await listen(config, {
    verifier,
    logger,
    tenants: new TenantService(storage, clock),
    systems: new SystemService(storage, clock),
    ledger,
  });
  const checkpointTimer =
    config.ledger.checkpointIntervalMs > 0
      ? setInterval(() => {
          ledger.checkpointMoved().catch((err) => logger.warn({ err: (err as Error).message }, 'periodic checkpoint failed'));
        }, config.ledger.checkpointIntervalMs).unref()
      : undefined;
  logger.info(
    {
      port: server.port,
      env: config.env,
      database: describeDatabase(dbOptions),
      jwt_algorithm: config.jwt.algorithm,
      jwt_key: source,
      ledger_keys: keyRing.kids,
      ledger_active_key: keyRing.activeKid,
      checkpoint_key_id: signer.keyId,
    },
    'listening',
  );
  let stopping: Promise<void> | undefined;
  return {
    port: server.port,
    storage,
    ledger,
    stop: () =>
      (stopping ??= (async (s: RunningServer) => {
        if (checkpointTimer) clearInterval(checkpointTimer);
        await s.shutdown(config.shutdownGraceMs);
        // A last checkpoint so a restart can tell if the ledger was cut back while the server was down.
        await ledger.checkpointMoved().catch((err) => logger.warn({ err: (err as Error).message }, 'final checkpoint failed'));
        await storage.close();
      })(server)),
  };
}
