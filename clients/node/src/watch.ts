import * as grpc from '@grpc/grpc-js';
import { OperationsServiceClient, WatchSystemStatusResponse } from './gen/btv/v1/operations';
import { StatusEventType } from './gen/btv/v1/types';
import { BuildToValueError, errorDetails, isCallerFault } from './errors';
import { cachedBlock, EnforceResult, SystemStatus, toSystemStatus } from './status';

export interface WatchOptions {
  /** A stream silent this long is taken as dead and reopened (the server's heartbeat is 5 s by default). */
  heartbeatTimeoutMs: number;
  minBackoffMs: number;
  maxBackoffMs: number;
}

export interface WatchState {
  connected: boolean;
  /** The tenant revision the cache is current to: the next stream resumes after it. */
  revision: number;
  reconnects: number;
  /** The last error of the stream; a caller-fault error (bad token, unknown system) stops the watch. */
  lastError?: BuildToValueError;
  stopped: boolean;
}

interface Entry {
  status: SystemStatus;
  /** Precomputed so a cached answer costs a map lookup. */
  block: EnforceResult | undefined;
}

/**
 * A WatchSystemStatus stream that keeps the local status cache: snapshot, then changes in revision
 * order; on any break it reopens with `since_revision` after a backoff, so no change is missed.
 */
export class StatusWatch {
  private readonly cache = new Map<string, Entry>();
  private call?: grpc.ClientReadableStream<WatchSystemStatusResponse>;
  private timer?: NodeJS.Timeout;
  private idle?: NodeJS.Timeout;
  private backoff: number;
  readonly state: WatchState = { connected: false, revision: 0, reconnects: 0, stopped: false };

  /** Every Client sharing this watch hears each status it receives. */
  readonly listeners = new Set<(s: SystemStatus) => void>();

  constructor(
    private readonly ops: OperationsServiceClient,
    private readonly metadata: () => grpc.Metadata,
    private readonly systemIds: string[],
    private readonly o: WatchOptions,
  ) {
    this.backoff = o.minBackoffMs;
    this.open();
  }

  get(systemId: string): SystemStatus | undefined {
    return this.cache.get(systemId)?.status;
  }

  block(systemId: string): EnforceResult | undefined {
    return this.cache.get(systemId)?.block;
  }

  stop(): void {
    this.state.stopped = true;
    this.state.connected = false;
    clearTimeout(this.timer);
    clearTimeout(this.idle);
    this.call?.cancel();
    this.call = undefined;
    this.ops.close();
  }

  private open(): void {
    if (this.state.stopped) return;
    const call = this.ops.watchSystemStatus({ systemIds: this.systemIds, sinceRevision: this.state.revision }, this.metadata());
    this.call = call;
    this.armIdle(call);
    call.on('data', (r: WatchSystemStatusResponse) => {
      if (this.call !== call) return;
      this.state.connected = true;
      this.backoff = this.o.minBackoffMs;
      this.armIdle(call);
      const e = r.event;
      if (!e) return;
      if (e.type === StatusEventType.STATUS_EVENT_TYPE_SNAPSHOT || e.type === StatusEventType.STATUS_EVENT_TYPE_CHANGE) {
        const s = toSystemStatus(e.systemId, e.newStatus, e.newPhase, e.revision, e.reason, e.operator, e.timestamp);
        this.cache.set(e.systemId, { status: s, block: cachedBlock(s) });
        this.state.revision = Math.max(this.state.revision, e.revision);
        for (const l of this.listeners) l(s);
      } else if (e.type === StatusEventType.STATUS_EVENT_TYPE_HEARTBEAT) {
        this.state.revision = Math.max(this.state.revision, e.revision);
      }
    });
    call.on('error', (err: grpc.ServiceError) => this.broken(call, err));
    call.on('end', () => this.broken(call));
  }

  private armIdle(call: grpc.ClientReadableStream<WatchSystemStatusResponse>): void {
    clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      if (this.call === call) call.cancel();
    }, this.o.heartbeatTimeoutMs);
    this.idle.unref();
  }

  private broken(call: grpc.ClientReadableStream<WatchSystemStatusResponse>, err?: grpc.ServiceError): void {
    if (this.call !== call || this.state.stopped) return;
    this.call = undefined;
    this.state.connected = false;
    clearTimeout(this.idle);
    let delay = this.backoff;
    if (err) {
      const d = errorDetails(err);
      this.state.lastError = new BuildToValueError(d);
      if (err.code === grpc.status.OUT_OF_RANGE) {
        // The change log no longer reaches back to our revision: start over from a snapshot.
        this.state.revision = 0;
        delay = 0;
      } else if (isCallerFault(err.code)) {
        // Retrying a bad token or an unknown system cannot succeed; what the cache holds stays (it only ever blocks).
        this.state.stopped = true;
        return;
      }
    }
    this.backoff = Math.min(this.o.maxBackoffMs, this.backoff * 2);
    // Jitter, so that a fleet of clients does not reconnect in lockstep after a server restart.
    this.timer = setTimeout(() => {
      this.state.reconnects++;
      this.open();
    }, delay * (0.8 + Math.random() * 0.4));
  }
}

/**
 * Clients of one process with the same target, token, credentials and systems share one watch:
 * one stream, one cache, so a stop costs the server one message per process, not one per client.
 */
const shared = new Map<string, { watch: StatusWatch; refs: number }>();

export function acquireWatch(key: string, create: () => StatusWatch): StatusWatch {
  let s = shared.get(key);
  if (!s || s.watch.state.stopped) {
    s = { watch: create(), refs: 0 };
    shared.set(key, s);
  }
  s.refs++;
  return s.watch;
}

export function releaseWatch(key: string, watch: StatusWatch): void {
  const s = shared.get(key);
  if (!s || s.watch !== watch) return watch.stop();
  if (--s.refs > 0) return;
  shared.delete(key);
  watch.stop();
}
