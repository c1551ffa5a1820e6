import { DomainError, systemNotFound } from '../domain/errors';
import type { LifecyclePhase, OperationalStatus } from '../domain/model';
import type { StatusChangeRecord, SystemStatusView } from '../store/ports';
import type { HubEvent, StatusHub } from './hub';

export interface WatchEvent {
  type: 'snapshot' | 'change' | 'heartbeat';
  systemId: string;
  previousStatus?: OperationalStatus;
  newStatus?: OperationalStatus;
  previousPhase?: LifecyclePhase;
  newPhase?: LifecyclePhase;
  revision: number;
  timestamp: Date;
  reason: string;
  operator: string;
}

/** Where a session writes: write() returning false means "stop until drain". */
export interface WatchSink {
  write(e: WatchEvent): boolean;
  onceDrain(fn: () => void): void;
}

export interface WatchStore {
  snapshot(tenantId: string, systemIds: string[]): Promise<{ head: number; views: SystemStatusView[] }>;
  currentAll(tenantId: string, systemIds: string[]): Promise<SystemStatusView[]>;
  head(tenantId: string): Promise<number>;
  oldestRetained(tenantId: string): Promise<number | undefined>;
  changesAfter(tenantId: string, afterRevision: number, limit: number): Promise<StatusChangeRecord[]>;
}

export interface WatchOptions {
  heartbeatMs: number;
  /** Events buffered for a client that does not read before it is cut off. */
  maxQueue: number;
  /** Open watch streams one tenant may hold on this process. */
  maxPerTenant: number;
}

const PAGE = 500;

/** While notifications may be missed no revision can be vouched for: the watch ends, and resumes elsewhere or later. */
const unverified = () =>
  new DomainError({
    kind: 'unavailable',
    reason: 'STATUS_UNVERIFIED',
    message:
      'this server lost its status notifications and cannot vouch for the current status: reconnect with since_revision',
  });
const MAX_TIMER_MS = 2 ** 31 - 1;

const changeEvent = (c: StatusChangeRecord): WatchEvent => ({
  type: 'change',
  systemId: c.systemId,
  previousStatus: c.previousStatus,
  newStatus: c.newStatus,
  previousPhase: c.previousPhase,
  newPhase: c.newPhase,
  revision: c.revision,
  timestamp: c.createdAt,
  reason: c.reason,
  operator: c.operator,
});

/**
 * One WatchSystemStatus stream: a snapshot (or, on resume, exactly the missed
 * changes from the change log), then every change in revision order with no
 * gap and no duplicate, heartbeats when idle. Memory is bounded: a client that
 * stops reading is cut off with WATCHER_TOO_SLOW and can resume.
 */
export class WatchSession {
  readonly done: Promise<void>;
  private settle!: (err?: DomainError) => void;
  private lastSent = 0;
  private lastWrite = Date.now();
  private writable = true;
  private queue: WatchEvent[] = [];
  private catchingUp = false;
  private behind = false;
  private ended = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private unsubscribe: () => void = () => undefined;
  private readonly filter: Set<string> | undefined;

  constructor(
    private readonly store: WatchStore,
    private readonly hub: StatusHub,
    private readonly o: WatchOptions,
    private readonly tenantId: string,
    systemIds: string[],
    private readonly expiresAt: number,
    private readonly sink: WatchSink,
  ) {
    this.filter = systemIds.length ? new Set(systemIds) : undefined;
    this.done = new Promise<void>((resolve, reject) => {
      this.settle = (err) => (err ? reject(err) : resolve());
    });
    // The session may end (shutdown, expiry) while start() is still reading, before the transport
    // awaits done: without a handler that rejection would count as unhandled and, in a server
    // without an unhandledRejection hook, take the process down mid-shutdown.
    this.done.catch(() => undefined);
  }

  async start(sinceRevision: number): Promise<void> {
    if (!this.hub.healthy) return this.end(unverified());
    // Subscribe before reading so nothing committed meanwhile is lost; until lastSent is known,
    // changes only mark the session behind (the catch-up below reads them from the change log).
    this.catchingUp = true;
    this.unsubscribe = this.hub.subscribe(this.tenantId, (e) => this.onHub(e));
    const ids = this.filter ? [...this.filter] : [];
    try {
      if (sinceRevision === 0) {
        const { head, views } = await this.store.snapshot(this.tenantId, ids);
        this.checkKnown(ids, views);
        for (const v of views) {
          await this.writableAgain();
          this.send({
            type: 'snapshot',
            systemId: v.systemId,
            newStatus: v.operationalStatus,
            newPhase: v.lifecyclePhase,
            revision: v.revision,
            timestamp: v.updatedAt,
            reason: v.reason,
            operator: v.operator,
          });
        }
        this.lastSent = head;
      } else {
        const [head, oldest, views] = await Promise.all([
          this.store.head(this.tenantId),
          this.store.oldestRetained(this.tenantId),
          ids.length ? this.store.currentAll(this.tenantId, ids) : Promise.resolve([]),
        ]);
        this.checkKnown(ids, views);
        if (sinceRevision > head || (sinceRevision < head && (oldest === undefined || oldest > sinceRevision + 1))) {
          throw new DomainError({
            kind: 'out_of_range',
            reason: 'REVISION_OUT_OF_RANGE',
            message: `since_revision ${sinceRevision} is outside the retained change log (head ${head}${oldest ? `, oldest ${oldest}` : ''}): watch again with since_revision 0`,
            metadata: { head: String(head), oldest: String(oldest ?? head + 1) },
          });
        }
        this.lastSent = sinceRevision;
      }
      this.catchingUp = false;
      this.startTimers();
      await this.catchUp();
    } catch (e) {
      this.end(e instanceof DomainError ? e : undefined, e);
    }
  }

  /** The client went away. */
  cancel(): void {
    this.end();
  }

  private checkKnown(ids: string[], views: SystemStatusView[]): void {
    const known = new Set(views.map((v) => v.systemId));
    const missing = ids.find((id) => !known.has(id));
    if (missing) throw systemNotFound(missing);
  }

  private startTimers(): void {
    const beat = Math.max(10, this.o.heartbeatMs);
    this.timers.push(
      setInterval(() => {
        // A heartbeat vouches for lastSent being current: never while changes may be missed.
        if (Date.now() - this.lastWrite >= beat && this.queue.length === 0 && this.hub.healthy) {
          this.send({
            type: 'heartbeat',
            systemId: '',
            revision: this.lastSent,
            timestamp: new Date(),
            reason: '',
            operator: '',
          });
        }
      }, beat),
    );
    this.expireAtTokenExpiry();
  }

  /** Ends the watch when its token expires; a timer holds at most ~24.8 days, so a longer wait is re-armed. */
  private expireAtTokenExpiry(): void {
    const ttl = this.expiresAt * 1000 - Date.now();
    this.timers.push(
      setTimeout(
        () => {
          if (ttl > MAX_TIMER_MS) return this.expireAtTokenExpiry();
          this.end(
            new DomainError({
              kind: 'unauthenticated',
              reason: 'TOKEN_EXPIRED',
              message: 'token expired: the watch ended; reconnect with a fresh token and since_revision',
            }),
          );
        },
        Math.min(Math.max(0, ttl), MAX_TIMER_MS),
      ),
    );
  }

  private onHub(e: HubEvent): void {
    if (this.ended) return;
    if (e.type === 'close') {
      this.end(
        new DomainError({
          kind: 'unavailable',
          reason: 'SHUTTING_DOWN',
          message: 'the server is shutting down: reconnect with since_revision',
        }),
      );
      return;
    }
    if (e.type === 'unverified') {
      this.end(unverified());
      return;
    }
    if (e.type === 'change' && e.change.revision <= this.lastSent) return;
    // A client that stopped reading falls behind by whole revisions, whether the
    // events wait in the queue or still in the change log: cut it off either way.
    if (e.type === 'change' && !this.writable && e.change.revision - this.lastSent > this.o.maxQueue) {
      this.end(
        new DomainError({
          kind: 'resource_exhausted',
          reason: 'WATCHER_TOO_SLOW',
          message: `the client fell more than ${this.o.maxQueue} changes behind: resume with since_revision`,
        }),
      );
      return;
    }
    if (e.type === 'change' && e.change.revision === this.lastSent + 1 && !this.catchingUp) {
      this.emit(e.change);
      return;
    }
    // A gap, or a resync after lost notifications: read what we missed from the change log.
    void this.catchUp();
  }

  private async catchUp(): Promise<void> {
    if (this.catchingUp) {
      this.behind = true;
      return;
    }
    this.catchingUp = true;
    try {
      do {
        this.behind = false;
        for (;;) {
          if (this.ended) return;
          const page = await this.store.changesAfter(this.tenantId, this.lastSent, PAGE);
          for (const c of page) {
            if (c.revision !== this.lastSent + 1) continue;
            // Read from the log only as fast as the client takes it: a catch-up must not fill the slow-client queue.
            await this.writableAgain();
            if (this.ended) return;
            this.emit(c);
          }
          if (page.length < PAGE) break;
        }
      } while (this.behind);
    } catch (e) {
      this.end(
        e instanceof DomainError
          ? e
          : new DomainError({
              kind: 'unavailable',
              reason: 'STORAGE_UNAVAILABLE',
              message: 'change log unavailable: reconnect with since_revision',
            }),
        e,
      );
    } finally {
      this.catchingUp = false;
    }
  }

  private async writableAgain(): Promise<void> {
    while (!this.writable && !this.ended) await new Promise<void>((r) => this.sink.onceDrain(r));
  }

  private emit(c: StatusChangeRecord): void {
    this.lastSent = c.revision;
    if (!this.filter || this.filter.has(c.systemId)) this.send(changeEvent(c));
  }

  private send(e: WatchEvent): void {
    if (this.ended) return;
    if (!this.writable || this.queue.length > 0) {
      this.queue.push(e);
      if (this.queue.length > this.o.maxQueue) {
        this.end(
          new DomainError({
            kind: 'resource_exhausted',
            reason: 'WATCHER_TOO_SLOW',
            message: `the client did not read ${this.o.maxQueue} events: resume with since_revision`,
          }),
        );
      }
      return;
    }
    this.lastWrite = Date.now();
    if (!this.sink.write(e)) this.waitDrain();
  }

  private waitDrain(): void {
    this.writable = false;
    this.sink.onceDrain(() => {
      this.writable = true;
      while (this.queue.length && this.writable && !this.ended) {
        this.lastWrite = Date.now();
        if (!this.sink.write(this.queue.shift()!)) this.waitDrain();
      }
    });
  }

  private end(err?: DomainError, cause?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.queue = [];
    this.timers.forEach((t) => clearTimeout(t));
    this.unsubscribe();
    if (cause && !(cause instanceof DomainError)) {
      this.settle(
        new DomainError({
          kind: 'unavailable',
          reason: 'STORAGE_UNAVAILABLE',
          message: 'the watch failed: reconnect with since_revision',
        }),
      );
      return;
    }
    this.settle(err);
  }
}
