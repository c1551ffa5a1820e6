import type { StatusChangeRecord } from '../store/ports';

/** resync: notifications flow again, state may have been missed; unverified: they stopped, nothing may be vouched for. */
export type HubEvent =
  { type: 'change'; change: StatusChangeRecord } | { type: 'resync' } | { type: 'unverified' } | { type: 'close' };
type Listener = (e: HubEvent) => void;

/**
 * In-process fan-out of committed status changes, per tenant. Changes made
 * here are published directly; changes from other processes arrive through
 * PostgreSQL NOTIFY. Order and completeness are each subscriber's job
 * (revision numbers plus the change log): the hub may deliver a change twice
 * or out of order, and says "resync" when it may have missed some.
 */
export class StatusHub {
  private readonly byTenant = new Map<string, Set<Listener>>();
  private readonly everyone = new Set<Listener>();
  private healthyNow = true;
  private readonly healthListeners = new Set<() => void>();
  /** Changes waiting for the next turn of the event loop to reach the tenants' watchers. */
  private deferred: StatusChangeRecord[] = [];

  /** onFanOut: told of each change as it is handed to this process's watchers (metrics). */
  constructor(private readonly onFanOut?: (change: StatusChangeRecord) => void) {}

  /** False while notifications may be missed: status must not be trusted (fail closed). */
  get healthy(): boolean {
    return this.healthyNow;
  }

  subscribe(tenantId: string, listener: Listener): () => void {
    let set = this.byTenant.get(tenantId);
    if (!set) this.byTenant.set(tenantId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.byTenant.delete(tenantId);
    };
  }

  /** Every change of every tenant (the status cache). */
  subscribeAll(listener: Listener): () => void {
    this.everyone.add(listener);
    return () => this.everyone.delete(listener);
  }

  /**
   * The status cache hears the change at once, so the very next Enforce here
   * sees it. Watchers hear it on the next turn of the event loop: a stop
   * fanned out to many streams first would hold back the operator's answer.
   */
  publish(change: StatusChangeRecord): void {
    const e: HubEvent = { type: 'change', change };
    for (const l of this.everyone) l(e);
    if (!this.byTenant.has(change.tenantId)) return;
    if (this.deferred.push(change) === 1) setImmediate(() => this.fanOut());
  }

  private fanOut(): void {
    const changes = this.deferred;
    this.deferred = [];
    for (const change of changes) {
      const listeners = this.byTenant.get(change.tenantId);
      if (!listeners) continue;
      this.onFanOut?.(change);
      for (const l of listeners) l({ type: 'change', change });
    }
  }

  setHealthy(healthy: boolean): void {
    const changed = healthy !== this.healthyNow;
    this.healthyNow = healthy;
    if (changed) this.broadcast({ type: healthy ? 'resync' : 'unverified' });
    if (changed) for (const l of this.healthListeners) l();
  }

  /** Called whenever `healthy` changes. */
  onHealthChange(listener: () => void): () => void {
    this.healthListeners.add(listener);
    return () => this.healthListeners.delete(listener);
  }

  close(): void {
    this.broadcast({ type: 'close' });
  }

  get subscriberCount(): number {
    let n = 0;
    for (const s of this.byTenant.values()) n += s.size;
    return n;
  }

  private broadcast(e: HubEvent): void {
    for (const l of this.everyone) l(e);
    for (const set of [...this.byTenant.values()]) for (const l of [...set]) l(e);
  }
}
