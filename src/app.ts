import { loadLedgerKeys } from './ledger-keys';
import type { Config } from './config';
import { loadVerificationKey } from './auth/keys';
import { TokenVerifier } from './auth/verifier';
import { ComplianceService } from './audit/compliance';
import { EnforcementService } from './enforcement/service';
import { ReviewService } from './audit/reviews';
import { LedgerService } from './audit/ledger';
import { loadClassifier } from './engine/classifier';
import { baselineRisk } from './engine/decide';
import { loadRuleSet } from './engine/rules';
import { KillSwitchService } from './killswitch/service';
import { StatusCache } from './killswitch/cache';
import { StatusHub } from './killswitch/hub';
import { PgStatusListener } from './killswitch/pg-listener';
import { SystemService } from './domain/systems';
import { TenantService } from './domain/tenants';
import type { Logger } from './logger';
import { RateLimits } from './transport/rate-limits';
import type { RunningServer } from './server';
import { listen } from './server';
import { ServingMonitor, within } from './serving';
import type { Connected } from './store/connect';
import { connectDatabase } from './store/connect';
import { secureDataDir } from './data-dir';
import { serverUser } from './store/embedded-postgres';
import { SpecCache } from './enforcement/spec-cache';
import { RolloutService } from './enforcement/rollout';
import { KnexStorage } from './store/storage';
import { domainInstruments } from './telemetry/instruments';
import { Metrics } from './telemetry/metrics';
import type { MetricsServer } from './telemetry/metrics-server';
import { listenMetrics } from './telemetry/metrics-server';
import type { Tracing } from './telemetry/tracing';
import { startTracing } from './telemetry/tracing';

/** Longest wait for each step of a stop after the calls are drained. */
const STOP_STEP_MS = 5000;

export interface App {
  port: number;
  /** The Prometheus listener's port; undefined when BTV_METRICS_PORT is unset. */
  metricsPort?: number;
  storage: KnexStorage;
  ledger: LedgerService;
  hub: StatusHub;
  statusCache: StatusCache;
  listener: PgStatusListener;
  /** Graceful stop: drain gRPC (bounded by the configured grace), then close the database. */
  stop(): Promise<void>;
}

/** Wires config -> keys -> database -> domain services -> gRPC server. */
export async function startApp(config: Config, logger: Logger): Promise<App> {
  // Before anything is written there: development secrets and the embedded database.
  if (!config.databaseUrl || config.env === 'development')
    secureDataDir(config.dataDir, config.databaseUrl ? {} : serverUser());
  const { key, source } = loadVerificationKey(config);
  const verifier = new TokenVerifier({
    algorithm: config.jwt.algorithm,
    key,
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
    maxLifetimeS: config.jwt.maxLifetimeS,
  });
  const { keyRing, signer } = loadLedgerKeys(config);
  const clock = () => new Date();
  // Rules before the database: a bad rule file stops the server before it touches anything.
  const classifier = loadClassifier(config.configDir);
  const rules = loadRuleSet(config.configDir, classifier.rulesHash);
  const database: Connected = await connectDatabase({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    timeouts: config.database.timeouts,
    maxConnections: config.database.poolMax,
    logger,
    server: true,
  });
  if (database.migrations.length) logger.info({ migrations: database.migrations }, 'migrations applied');
  const t = config.telemetry;
  // Created before the stores, which report to it; its gauges read them only at scrape time.
  let sources: { storage?: KnexStorage; hub?: StatusHub } = {};
  const metrics =
    t.metricsPort === undefined
      ? undefined
      : new Metrics(t.tenantLabel, {
          statusVerified: () => sources.hub?.healthy ?? false,
          stopped: (byTenant) => sources.storage!.status.countStopped(byTenant),
        });
  const tracing: Tracing | undefined = t.otlpTracesUrl ? startTracing(t.otlpTracesUrl) : undefined;
  const instruments = domainInstruments(metrics, tracing?.calls);
  const storage = new KnexStorage(database.db, {
    keyRing,
    clock,
    onCommit: metrics && ((s, n) => metrics.committed(s, n)),
  });
  const ledger = new LedgerService(
    storage.ledger,
    keyRing,
    signer,
    clock,
    Math.floor(config.maxMessageBytes / 4),
    instruments,
  );
  const hub = new StatusHub(metrics && ((c) => metrics.statusPropagated(c.tenantId, c.revision, c.createdAt)));
  sources = { storage, hub };
  const statusCache = new StatusCache(hub, storage.status);
  const listener = new PgStatusListener(database.url, hub, (t, r) => storage.status.change(t, r), logger);
  try {
    await listener.start();
  } catch (e) {
    await storage.close();
    await database.close();
    throw e;
  }
  const killSwitch = new KillSwitchService(storage, storage.status, statusCache, (c) => hub.publish(c), clock);
  const specs = new SpecCache(storage.systems, storage.tenants, config.specCacheMs);
  const enforcement = new EnforcementService(
    storage,
    specs,
    statusCache,
    classifier,
    rules,
    clock,
    config.enforce,
    instruments,
  );
  const reviews = new ReviewService(storage, storage.reviewQueries, clock);
  const compliance = new ComplianceService(
    storage.ledger,
    ledger,
    storage.systems,
    storage.reviewQueries,
    rules,
    clock,
    storage.impact,
  );
  const knownRules: ReadonlySet<string> = new Set(Object.keys(rules.policy.customRules));
  const limits = RateLimits.create(config.rateLimits, storage.db);
  const server = await listen(config, {
    verifier,
    logger,
    limits,
    rollout: new RolloutService(storage, clock),
    metrics,
    tracer: tracing?.calls,
    tenants: new TenantService(storage, clock, (t) => specs.invalidate(t), knownRules),
    systems: new SystemService(storage, clock, (t, id) => specs.invalidate(t, id), {
      maxRecordBytes: config.maxRecordBytes,
      pageBytes: Math.floor(config.maxMessageBytes / 4),
      knownRules,
      baseline: (s) => baselineRisk(rules, s),
    }),
    enforcement,
    ledger,
    reviews,
    compliance,
    killSwitch,
    hub,
    watchStore: storage.status,
    watch: {
      heartbeatMs: config.watch.heartbeatMs,
      maxQueue: config.watch.maxQueue,
      maxPerTenant: config.watch.maxPerTenant,
    },
  });
  let metricsServer: MetricsServer | undefined;
  if (metrics) {
    try {
      metricsServer = await listenMetrics(metrics, t.metricsHost, t.metricsPort!, logger);
    } catch (e) {
      // A port taken: nothing of this start may linger.
      await tracing?.shutdown();
      await server.shutdown(0, 0);
      await storage.close();
      await listener.stop();
      await database.close();
      throw e;
    }
  }
  const pruneTimer = setInterval(
    () => {
      storage.status
        .prune(new Date(Date.now() - config.watch.retentionMs))
        .catch((err) => logger.warn({ err: (err as Error).message }, 'change log pruning failed'));
    },
    Math.min(config.watch.retentionMs, 3_600_000),
  ).unref();
  const checkpointTimer =
    config.ledger.checkpointIntervalMs > 0
      ? setInterval(() => {
          ledger
            .checkpointMoved()
            .catch((err) => logger.warn({ err: (err as Error).message }, 'periodic checkpoint failed'));
        }, config.ledger.checkpointIntervalMs).unref()
      : undefined;
  logger.info(
    {
      port: server.port,
      metrics_port: metricsServer?.port,
      tracing: tracing ? 'otlp' : undefined,
      env: config.env,
      database: database.description,
      jwt_algorithm: config.jwt.algorithm,
      jwt_key: source,
      ledger_keys: keyRing.kids,
      ledger_active_key: keyRing.activeKid,
      checkpoint_key_id: signer.keyId,
      rules_hash: rules.hash,
      environments: Object.keys(rules.policy.autonomyMatrix),
    },
    'listening',
  );
  const serving = new ServingMonitor({
    probe: () => storage.probe(),
    probeWrite: () => storage.probeWrite(),
    hub,
    storage: storage.health,
    health: server.health,
    logger,
  });
  // Each step of a stop is bounded: a database that froze must not keep the process from exiting.
  const step = (p: Promise<unknown>, ms: number, what: string) =>
    within(p, ms, what).catch((err) => logger.warn({ err: (err as Error).message }, `${what} failed`));
  let stopping: Promise<void> | undefined;
  return {
    port: server.port,
    metricsPort: metricsServer?.port,
    storage,
    ledger,
    hub,
    statusCache,
    listener,
    stop: () =>
      (stopping ??= (async (s: RunningServer) => {
        if (checkpointTimer) clearInterval(checkpointTimer);
        clearInterval(pruneTimer);
        serving.stop();
        await s.shutdown(config.shutdownGraceMs, config.shutdownDrainDelayMs);
        // A last checkpoint so a restart can tell if the ledger was cut back while the server was down.
        await step(ledger.checkpointMoved(), STOP_STEP_MS, 'final checkpoint');
        await step(listener.stop(), STOP_STEP_MS, 'closing the status listener');
        await step(storage.close(), STOP_STEP_MS, 'closing the database pool');
        await step(database.close(), STOP_STEP_MS * 3, 'stopping the embedded database');
        if (metricsServer) await step(metricsServer.close(), STOP_STEP_MS, 'closing the metrics listener');
        if (tracing) await step(tracing.shutdown(), STOP_STEP_MS, 'sending the last spans');
        logger.info({ ...storage.writer.stats }, 'group commit totals');
      })(server)),
  };
}
