import { DomainError } from '../domain/errors';

/**
 * Open watch streams per tenant on this process: one tenant cannot take all of
 * a server's streams and the memory their queues hold.
 */
export class WatchAdmission {
  private readonly open = new Map<string, number>();

  constructor(private readonly maxPerTenant: number) {}

  /** Admits one more stream for the tenant, or refuses it; the returned function gives the slot back once. */
  admit(tenantId: string): () => void {
    const held = this.open.get(tenantId) ?? 0;
    if (held >= this.maxPerTenant) {
      throw new DomainError({
        kind: 'resource_exhausted',
        reason: 'RATE_LIMITED',
        message: `this tenant already holds ${held} watch streams on this server: close one first`,
        metadata: { group: 'watch', limit: String(this.maxPerTenant) },
        retryAfterMs: 1000,
      });
    }
    this.open.set(tenantId, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(tenantId) ?? 1) - 1;
      if (left > 0) this.open.set(tenantId, left);
      else this.open.delete(tenantId);
    };
  }
}
