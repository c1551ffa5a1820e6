import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { projectRoot } from './paths';
import type { DatabaseTimeouts } from './store/database';
import { DEFAULT_DATABASE_TIMEOUTS } from './store/database';
import type { ConnectionLimits } from './transport/connection-limits';
import { DEFAULT_CONNECTION_LIMITS } from './transport/connection-limits';

export type JwtAlgorithm = 'HS256' | 'RS256' | 'ES256';
export const JWT_ALGORITHMS: readonly JwtAlgorithm[] = ['HS256', 'RS256', 'ES256'];
/** BTV_JWT_MAX_LIFETIME_S default: 90 days. */
export const DEFAULT_JWT_MAX_LIFETIME_S = 90 * 86_400;

/** Config is read once at start; nothing else reads process.env. */
export interface Config {
  env: 'development' | 'production';
  host: string;
  port: number;
  /** PostgreSQL connection string; undefined selects the embedded PostgreSQL in dataDir. */
  databaseUrl?: string;
  /** BTV_DB_*_TIMEOUT_MS: bounds on every database connection; BTV_DB_POOL_MAX: pool size. */
  database: { timeouts: DatabaseTimeouts; poolMax: number };
  dataDir: string;
  /** BTV_CONFIG_DIR: policy, threat taxonomy, penalty tables and models (default: the project's config/). */
  configDir: string;
  jwt: {
    algorithm: JwtAlgorithm;
    /** HS256 shared secret; in development a generated one is kept in dataDir. */
    secret?: string;
    /** PEM public key file for RS256 / ES256. */
    publicKeyFile?: string;
    issuer?: string;
    audience?: string;
    /** BTV_JWT_MAX_LIFETIME_S: longest accepted token lifetime, exp - iat (exp - now without iat). */
    maxLifetimeS: number;
  };
  ledger: {
    /** BTV_LEDGER_KEYS: "kid:base64secret,..."; unset in development = a generated key ring in dataDir. */
    keys?: string;
    /** BTV_LEDGER_ACTIVE_KEY: the kid that signs new entries (default: the last one listed). */
    activeKey?: string;
    /** BTV_CHECKPOINT_KEY_FILE: Ed25519 private key PEM that signs checkpoints. */
    checkpointKeyFile?: string;
    /** BTV_CHECKPOINT_INTERVAL_MS: how often heads that moved get a checkpoint (0 = only on demand). */
    checkpointIntervalMs: number;
    /** BTV_LOG_ORIGIN: checkpoint notes name tenant T's log `<origin>/<T>` (origin line and key name). */
    logOrigin: string;
  };
  watch: {
    /** BTV_WATCH_HEARTBEAT_MS: heartbeat interval of idle watch streams. */
    heartbeatMs: number;
    /** BTV_WATCH_MAX_QUEUE: events buffered for a slow watcher before it is cut off. */
    maxQueue: number;
    /** BTV_WATCH_MAX_PER_TENANT: open watch streams one tenant may hold on one process. */
    maxPerTenant: number;
    /** BTV_STATUS_RETENTION_MS: how long the change log keeps changes for resuming watchers. */
    retentionMs: number;
  };
  /** BTV_RATE_LIMIT_{TENANTS,SYSTEMS,ENFORCE,AUDIT,OPERATIONS} (calls a minute per tenant; 0 = none) and BTV_RATE_LIMIT_STORE. */
  rateLimits: RateLimitConfig;
  /** BTV_SPEC_CACHE_MS: how long Enforce may use a system record or tenant policy read from another replica's change. */
  specCacheMs: number;
  logLevel: string;
  /** How long graceful shutdown waits for calls in flight before cancelling them. */
  shutdownGraceMs: number;
  maxMessageBytes: number;
  /** BTV_ENFORCE_MAX_INPUT_CHARS, BTV_ENFORCE_MAX_MESSAGES: what one Enforce may ask to classify. */
  enforce: { maxInputChars: number; maxMessages: number };
  /** BTV_MAX_RECORD_BYTES: the most one registration may store (as JSON), so every entry, report and page fits a response. */
  maxRecordBytes: number;
  /** BTV_MAX_CONNECTIONS, BTV_MAX_STREAMS_PER_CONNECTION, BTV_REQUEST_TIMEOUT_MS, BTV_CONNECTION_IDLE_MS. */
  connections: ConnectionLimits;
  /** BTV_SHUTDOWN_DRAIN_DELAY_MS: how long health says NOT_SERVING while calls are still served, before draining. */
  shutdownDrainDelayMs: number;
  telemetry: TelemetryConfig;
}

export interface TelemetryConfig {
  /** BTV_METRICS_PORT: the Prometheus listener's port (0 picks a free one); undefined = no metrics at all. */
  metricsPort?: number;
  /** BTV_METRICS_HOST: its bind address (default 127.0.0.1). */
  metricsHost: string;
  /** BTV_METRICS_TENANT_LABEL=true: a tenant label on the per-call series (one series per tenant: mind the cardinality). */
  tenantLabel: boolean;
  /**
   * Where spans are POSTed (OTLP/HTTP, JSON): OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as given, else
   * OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces (the OTLP exporter spec); undefined = no tracing.
   */
  otlpTracesUrl?: string;
}

/**
 * The RPC groups API.md gives quotas for, and `operations` (status and phase changes). The kill
 * switch (EmergencyStop, or SetOperationalStatus to emergency stop), watches, health and
 * reflection have none.
 */
export type RpcGroup = 'tenants' | 'systems' | 'enforce' | 'audit' | 'operations';

export interface RateLimitConfig {
  /** Calls a minute per tenant and group; 0 turns that group's limit off. */
  perMinute: Record<RpcGroup, number>;
  /** postgres: one count per tenant and group shared by every replica on the database. */
  store: 'memory' | 'postgres';
}

/** The reference API's defaults; operations has none there and gets the systems group's. */
export const DEFAULT_RATE_LIMITS: Record<RpcGroup, number> = {
  tenants: 10,
  systems: 50,
  enforce: 100,
  audit: 20,
  operations: 50,
};

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

export const DEFAULT_LOG_ORIGIN = 'buildtovalue.dev/ledger';

/** A schema-less URL without spaces or '+' (c2sp.org/tlog-checkpoint), no trailing slash. */
function logOrigin(v: string | undefined): string {
  const origin = v || DEFAULT_LOG_ORIGIN;
  if (/[\s+]/u.test(origin) || origin.endsWith('/'))
    throw new ConfigError('BTV_LOG_ORIGIN: no spaces, no "+", no trailing "/"');
  return origin;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

function rateLimits(env: Env): RateLimitConfig {
  const store = env.BTV_RATE_LIMIT_STORE || 'memory';
  if (store !== 'memory' && store !== 'postgres')
    throw new ConfigError(`BTV_RATE_LIMIT_STORE must be "memory" or "postgres", got "${store}"`);
  const perMinute = (group: RpcGroup) =>
    int(env, `BTV_RATE_LIMIT_${group.toUpperCase()}`, DEFAULT_RATE_LIMITS[group], 0, 1_000_000_000);
  return {
    store,
    perMinute: {
      tenants: perMinute('tenants'),
      systems: perMinute('systems'),
      enforce: perMinute('enforce'),
      audit: perMinute('audit'),
      operations: perMinute('operations'),
    },
  };
}

/**
 * Optional YAML file (BTV_CONFIG) whose keys are the environment variable names
 * without the BTV_ prefix, lower-cased (port, database_url, jwt_issuer, ...).
 * Environment variables win over the file.
 */
function fileEnv(env: Env): Env {
  const file = env.BTV_CONFIG;
  if (!file) return {};
  let doc: unknown;
  try {
    doc = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`BTV_CONFIG ${file}: ${(e as Error).message}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`BTV_CONFIG ${file}: expected a mapping`);
  const out: Env = {};
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    if (v !== null && typeof v === 'object') throw new ConfigError(`BTV_CONFIG ${file}: ${k} must be a scalar`);
    out[`BTV_${k.toUpperCase()}`] = v === null ? undefined : String(v);
  }
  return out;
}

export function loadConfig(processEnv: Env = process.env): Config {
  const env: Env = { ...fileEnv(processEnv), ...processEnv };
  const mode = env.BTV_ENV || 'development';
  if (mode !== 'development' && mode !== 'production') {
    throw new ConfigError(`BTV_ENV must be "development" or "production", got "${mode}"`);
  }
  const algorithm = (env.BTV_JWT_ALGORITHM || 'HS256') as JwtAlgorithm;
  if (!JWT_ALGORITHMS.includes(algorithm)) {
    throw new ConfigError(`BTV_JWT_ALGORITHM must be one of ${JWT_ALGORITHMS.join(', ')}, got "${algorithm}"`);
  }
  return {
    env: mode,
    host: env.BTV_HOST || '0.0.0.0',
    port: int(env, 'BTV_PORT', 50051, 0, 65535),
    databaseUrl: env.BTV_DATABASE_URL || undefined,
    database: {
      timeouts: {
        queryMs: int(env, 'BTV_DB_QUERY_TIMEOUT_MS', DEFAULT_DATABASE_TIMEOUTS.queryMs, 100, 600_000),
        statementMs: int(env, 'BTV_DB_STATEMENT_TIMEOUT_MS', DEFAULT_DATABASE_TIMEOUTS.statementMs, 100, 3_600_000),
        idleInTransactionMs: int(
          env,
          'BTV_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS',
          DEFAULT_DATABASE_TIMEOUTS.idleInTransactionMs,
          100,
          3_600_000,
        ),
        connectMs: int(env, 'BTV_DB_CONNECT_TIMEOUT_MS', DEFAULT_DATABASE_TIMEOUTS.connectMs, 100, 600_000),
      },
      poolMax: int(env, 'BTV_DB_POOL_MAX', 10, 1, 1000),
    },
    dataDir: path.resolve(env.BTV_DATA_DIR || './data'),
    configDir: path.resolve(env.BTV_CONFIG_DIR || path.join(projectRoot(), 'config')),
    jwt: {
      algorithm,
      secret: env.BTV_JWT_SECRET || undefined,
      publicKeyFile: env.BTV_JWT_PUBLIC_KEY_FILE || undefined,
      issuer: env.BTV_JWT_ISSUER || undefined,
      audience: env.BTV_JWT_AUDIENCE || undefined,
      maxLifetimeS: int(env, 'BTV_JWT_MAX_LIFETIME_S', DEFAULT_JWT_MAX_LIFETIME_S, 60, 3650 * 86_400),
    },
    ledger: {
      keys: env.BTV_LEDGER_KEYS || undefined,
      activeKey: env.BTV_LEDGER_ACTIVE_KEY || undefined,
      checkpointKeyFile: env.BTV_CHECKPOINT_KEY_FILE || undefined,
      checkpointIntervalMs: int(env, 'BTV_CHECKPOINT_INTERVAL_MS', 60_000, 0, 86_400_000),
      logOrigin: logOrigin(env.BTV_LOG_ORIGIN),
    },
    watch: {
      heartbeatMs: int(env, 'BTV_WATCH_HEARTBEAT_MS', 5000, 10, 3_600_000),
      maxQueue: int(env, 'BTV_WATCH_MAX_QUEUE', 1000, 1, 1_000_000),
      maxPerTenant: int(env, 'BTV_WATCH_MAX_PER_TENANT', 1000, 1, 1_000_000),
      retentionMs: int(env, 'BTV_STATUS_RETENTION_MS', 7 * 86_400_000, 60_000, 3650 * 86_400_000),
    },
    rateLimits: rateLimits(env),
    specCacheMs: int(env, 'BTV_SPEC_CACHE_MS', 1000, 0, 60_000),
    logLevel: env.BTV_LOG_LEVEL || 'info',
    shutdownGraceMs: int(env, 'BTV_SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    maxMessageBytes: int(env, 'BTV_MAX_MESSAGE_BYTES', 4 * 1024 * 1024, 1024, 64 * 1024 * 1024),
    maxRecordBytes: int(env, 'BTV_MAX_RECORD_BYTES', 65_536, 1024, 1 << 20),
    enforce: {
      maxInputChars: int(env, 'BTV_ENFORCE_MAX_INPUT_CHARS', 100_000, 1, 1_000_000),
      maxMessages: int(env, 'BTV_ENFORCE_MAX_MESSAGES', 64, 1, 1000),
    },
    connections: {
      maxConnections: int(env, 'BTV_MAX_CONNECTIONS', DEFAULT_CONNECTION_LIMITS.maxConnections, 1, 1_000_000),
      maxConnectionsPerPeer: int(
        env,
        'BTV_MAX_CONNECTIONS_PER_PEER',
        DEFAULT_CONNECTION_LIMITS.maxConnectionsPerPeer,
        1,
        1_000_000,
      ),
      handshakeMs: int(env, 'BTV_CONNECTION_HANDSHAKE_MS', DEFAULT_CONNECTION_LIMITS.handshakeMs, 100, 600_000),
      maxStreamsPerConnection: int(
        env,
        'BTV_MAX_STREAMS_PER_CONNECTION',
        DEFAULT_CONNECTION_LIMITS.maxStreamsPerConnection,
        1,
        100_000,
      ),
      requestTimeoutMs: int(env, 'BTV_REQUEST_TIMEOUT_MS', DEFAULT_CONNECTION_LIMITS.requestTimeoutMs, 100, 3_600_000),
      connectionIdleMs: int(
        env,
        'BTV_CONNECTION_IDLE_MS',
        DEFAULT_CONNECTION_LIMITS.connectionIdleMs,
        1000,
        86_400_000,
      ),
    },
    shutdownDrainDelayMs: int(env, 'BTV_SHUTDOWN_DRAIN_DELAY_MS', 1000, 0, 600_000),
    telemetry: telemetry(env),
  };
}

function telemetry(env: Env): TelemetryConfig {
  const flag = env.BTV_METRICS_TENANT_LABEL || 'false';
  if (flag !== 'true' && flag !== 'false')
    throw new ConfigError(`BTV_METRICS_TENANT_LABEL must be "true" or "false", got "${flag}"`);
  // The OpenTelemetry variables keep their standard names (no BTV_ prefix, not read from BTV_CONFIG) so collectors' docs apply as written.
  const url = (name: string) => {
    const v = env[name];
    if (v && !/^https?:\/\/\S+$/.test(v)) throw new ConfigError(`${name} must be an http:// or https:// URL`); // not echoed: a URL may carry credentials
    return v || undefined;
  };
  const traces = url('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const base = url('OTEL_EXPORTER_OTLP_ENDPOINT');
  return {
    metricsPort: env.BTV_METRICS_PORT ? int(env, 'BTV_METRICS_PORT', 0, 0, 65535) : undefined,
    // Loopback unless asked: /metrics needs no token, so it is not offered to the network by default.
    metricsHost: env.BTV_METRICS_HOST || '127.0.0.1',
    tenantLabel: flag === 'true',
    otlpTracesUrl: traces ?? (base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined),
  };
}
