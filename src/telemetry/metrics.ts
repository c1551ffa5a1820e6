import type { OpenMetricsContentType } from 'prom-client';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Read at scrape time: how many systems are in emergency stop, in total and per tenant. */
export type StoppedCounter = (byTenant: boolean) => Promise<{ tenantId: string | null; count: number }[]>;

export interface MetricsSources {
  /** True while status changes can be trusted; false = every Enforce fails closed. */
  statusVerified: () => boolean;
  stopped: StoppedCounter;
}

/** Latencies of calls and commits: from a cached answer (0.5 ms) to a stalled database (10 s). */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** The classifier runs in process: tens of microseconds for a prompt, tens of milliseconds for 100k characters. */
const CLASSIFY_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000];

/**
 * Every btv_* series and the default process metrics, in one registry served as OpenMetrics text.
 * Labels are bounded sets (method, code, outcome, threat domain, env, group); the tenant label
 * is only added with BTV_METRICS_TENANT_LABEL=true, since it makes one series per tenant.
 */
export class Metrics {
  readonly registry = new Registry<OpenMetricsContentType>();
  private readonly rpcDuration: Histogram;
  private readonly decisions: Counter;
  private readonly classify: Histogram;
  private readonly commitSeconds: Histogram;
  private readonly commitBatch: Histogram;
  private readonly verifyFailures: Counter;
  private readonly watchStreams: Gauge;
  private readonly propagation: Histogram;
  private readonly rateLimited: Counter;
  /** The per-call series' children by label values: labels() validates and hashes its arguments on every call. */
  private readonly rpcChildren = new Map<string, Histogram.Internal<string>>();
  private readonly decisionChildren = new Map<string, Counter.Internal>();
  /** Per tenant, the newest status revision already timed. */
  private readonly propagated = new Map<string, number>();

  constructor(
    readonly tenantLabel: boolean,
    sources: MetricsSources,
  ) {
    const r = [this.registry];
    const t = tenantLabel ? ['tenant'] : [];
    this.registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    collectDefaultMetrics({ register: this.registry });
    this.rpcDuration = new Histogram({
      name: 'btv_rpc_duration_seconds',
      help: 'gRPC calls by method and status code, from the call arriving to its answer (streams: to their end)',
      labelNames: ['method', 'code', ...t],
      buckets: LATENCY_BUCKETS,
      registers: r,
    });
    this.decisions = new Counter({
      name: 'btv_enforce_decisions_total',
      help: 'Enforce decisions answered, by outcome, first threat domain (none without one) and environment',
      labelNames: ['outcome', 'domain', 'env', ...t],
      registers: r,
    });
    this.classify = new Histogram({
      name: 'btv_enforce_classify_seconds',
      help: 'Classifying the input of one Enforce',
      buckets: CLASSIFY_BUCKETS,
      registers: r,
    });
    this.commitSeconds = new Histogram({
      name: 'btv_ledger_commit_seconds',
      help: 'One ledger commit (a group of decisions and changes written together), database round trips included',
      buckets: LATENCY_BUCKETS,
      registers: r,
    });
    this.commitBatch = new Histogram({
      name: 'btv_ledger_commit_batch_size',
      help: 'Requests written by one ledger commit',
      buckets: BATCH_BUCKETS,
      registers: r,
    });
    this.verifyFailures = new Counter({
      name: 'btv_ledger_verify_failures_total',
      help: 'Ledger verifications (VerifyLedger, compliance reports) that found a ledger invalid, by problem',
      labelNames: ['problem', ...t],
      registers: r,
    });
    this.watchStreams = new Gauge({
      name: 'btv_watch_streams',
      help: 'Open WatchSystemStatus streams on this process',
      labelNames: t,
      registers: r,
    });
    this.propagation = new Histogram({
      name: 'btv_status_propagation_seconds',
      help: 'A status change, from its commit to being handed to the watch streams of this process',
      buckets: LATENCY_BUCKETS,
      registers: r,
    });
    new Gauge({
      name: 'btv_systems_stopped',
      help: 'Systems in emergency stop (read from the database at scrape time: every replica reports the same)',
      labelNames: t,
      registers: r,
      async collect() {
        let rows;
        try {
          rows = await sources.stopped(tenantLabel);
        } catch {
          // The database is unreachable: keep the last value (btv_fail_closed tells that story).
          return;
        }
        this.reset();
        if (!tenantLabel) this.set(rows[0]?.count ?? 0);
        else for (const row of rows) this.set({ tenant: row.tenantId ?? '' }, row.count);
      },
    });
    new Gauge({
      name: 'btv_fail_closed',
      help: '1 while this process cannot verify system status (status notifications lost): every Enforce is blocked',
      registers: r,
      collect() {
        this.set(sources.statusVerified() ? 0 : 1);
      },
    });
    this.rateLimited = new Counter({
      name: 'btv_rate_limited_total',
      help: 'Calls refused by a tenant quota, by RPC group',
      labelNames: ['group', ...t],
      registers: r,
    });
  }

  rpc(method: string, code: string, seconds: number, tenantId: string | undefined): void {
    const labels = this.tenantLabel ? [method, code, tenantId ?? ''] : [method, code];
    const key = labels.join('\n');
    let c = this.rpcChildren.get(key);
    if (!c) this.rpcChildren.set(key, (c = this.rpcDuration.labels(...labels)));
    c.observe(seconds);
  }

  decision(tenantId: string, outcome: string, domain: string, env: string): void {
    const labels = this.tenantLabel ? [outcome, domain, env, tenantId] : [outcome, domain, env];
    const key = labels.join('\n');
    let c = this.decisionChildren.get(key);
    if (!c) this.decisionChildren.set(key, (c = this.decisions.labels(...labels)));
    c.inc();
  }

  classified(seconds: number): void {
    this.classify.observe(seconds);
  }

  committed(seconds: number, batchSize: number): void {
    this.commitSeconds.observe(seconds);
    this.commitBatch.observe(batchSize);
  }

  ledgerVerifyFailed(tenantId: string, problem: string): void {
    this.verifyFailures.inc(this.tenantLabel ? { problem, tenant: tenantId } : { problem });
  }

  watchOpened(tenantId: string, delta: 1 | -1): void {
    if (this.tenantLabel) this.watchStreams.inc({ tenant: tenantId }, delta);
    else this.watchStreams.inc(delta);
  }

  /**
   * A change handed to watchers. The hub may hand over one change twice (this process's own
   * publish, then its NOTIFY): only the first time counts.
   */
  statusPropagated(tenantId: string, revision: number, committedAt: Date): void {
    if ((this.propagated.get(tenantId) ?? 0) >= revision) return;
    if (this.propagated.size >= 100_000) this.propagated.clear();
    this.propagated.set(tenantId, revision);
    this.propagation.observe(Math.max(0, (Date.now() - committedAt.getTime()) / 1000));
  }

  limited(group: string, tenantId: string): void {
    this.rateLimited.inc(this.tenantLabel ? { group, tenant: tenantId } : { group });
  }

  /** The exposition, and its content type (OpenMetrics text 1.0.0). */
  async scrape(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
