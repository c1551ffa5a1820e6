import type { LifecyclePhase, OperationalStatus } from '../domain/model';
import type { SystemStatusView } from '../store/ports';
import type { StatusHub } from './hub';

export interface StatusLookup {
  current(tenantId: string, systemId: string): Promise<SystemStatusView | undefined>;
}

export type CachedStatus =
  { verified: true; status: OperationalStatus; phase: LifecyclePhase; revision: number } | { verified: false };

/** The status a caller may act on without a read: verified, or not to be trusted (fail closed). */
export interface StatusSource {
  get(tenantId: string, systemId: string): Promise<CachedStatus | undefined>;
}

const MAX_ENTRIES = 100_000;

/**
 * Status of systems for the enforcement hot path. Entries are kept current by
 * the hub (local commits and NOTIFY from other processes); a change only
 * replaces an entry with an older revision. While the hub cannot vouch for
 * what it has (notification connection lost) every lookup is unverified, and
 * enforcement must treat the system as stopped.
 */
export class StatusCache implements StatusSource {
  private readonly entries = new Map<string, { status: OperationalStatus; phase: LifecyclePhase; revision: number }>();

  constructor(
    private readonly hub: StatusHub,
    private readonly store: StatusLookup,
  ) {
    hub.subscribeAll((e) => {
      if (e.type === 'resync') this.entries.clear();
      if (e.type !== 'change') return;
      const c = e.change;
      const key = `${c.tenantId}/${c.systemId}`;
      const cur = this.entries.get(key);
      if (cur && cur.revision < c.revision)
        this.entries.set(key, { status: c.newStatus, phase: c.newPhase, revision: c.revision });
      // A system not cached yet is loaded fresh on its next lookup.
    });
  }

  async get(tenantId: string, systemId: string): Promise<CachedStatus | undefined> {
    if (!this.hub.healthy) return { verified: false };
    const key = `${tenantId}/${systemId}`;
    const hit = this.entries.get(key);
    if (hit) return { verified: true, ...hit };
    const view = await this.store.current(tenantId, systemId);
    if (!view) return undefined;
    if (!this.hub.healthy) return { verified: false };
    const fresh = { status: view.operationalStatus, phase: view.lifecyclePhase, revision: view.revision };
    const now = this.entries.get(key);
    // A change that arrived while we were reading wins.
    if (!now || now.revision < fresh.revision) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      this.entries.set(key, fresh);
    }
    return { verified: true, ...(this.entries.get(key) ?? fresh) };
  }
}
