import type { Head } from './knex-ledger';

/** After another process wrote a tenant's ledger, that tenant skips the optimistic path this long. */
const CONTENDED_MS = 1000;

/**
 * What this process knows of each tenant's ledger from its own commits: the
 * head it last wrote, and the status revision at that head. The optimistic
 * path seals entries against these and builds status changes on them; its
 * commit checks they are still current.
 */
export class HeadCache {
  /** Heads as of this process's last commit per tenant; absent when unknown. */
  private readonly heads = new Map<string, Head>();
  /**
   * Per tenant in heads: the status revision at that head (read under the lock, or set by a change
   * this process wrote). Valid exactly as long as the head is (every status change moves the head).
   */
  private readonly statusRevisions = new Map<string, number>();
  private readonly contendedUntil = new Map<string, number>();

  head(tenantId: string): Head | undefined {
    return this.heads.get(tenantId);
  }

  statusRevision(tenantId: string): number | undefined {
    return this.statusRevisions.get(tenantId);
  }

  /** The head is known and the tenant not contended at `now` (ms): the optimistic path may be tried. */
  usable(tenantId: string, now: number): boolean {
    return this.heads.has(tenantId) && (this.contendedUntil.get(tenantId) ?? 0) <= now;
  }

  /** The status revision at `head` if this process wrote that head and knows it; else undefined. */
  revisionAt(tenantId: string, head: Head): number | undefined {
    const mine = this.heads.get(tenantId);
    const known = this.statusRevisions.get(tenantId);
    return known !== undefined && mine?.sequence === head.sequence && mine.headHash === head.headHash
      ? known
      : undefined;
  }

  /** A commit of this process left the tenant's ledger at `head` and its status revision at `revision`. */
  set(tenantId: string, head: Head, revision: number): void {
    this.heads.set(tenantId, head);
    this.statusRevisions.set(tenantId, revision);
  }

  /** An optimistic commit moved the head; the status revision moves only with a change (setRevision). */
  advance(tenantId: string, head: Head): void {
    this.heads.set(tenantId, head);
  }

  setRevision(tenantId: string, revision: number): void {
    this.statusRevisions.set(tenantId, revision);
  }

  forget(tenantId: string): void {
    this.heads.delete(tenantId);
    this.statusRevisions.delete(tenantId);
  }

  /** Another process wrote the tenant's ledger (or a status assumed there changed): lock from now on, for a while. */
  contend(tenantId: string, now: number): void {
    this.forget(tenantId);
    this.contendedUntil.set(tenantId, now + CONTENDED_MS);
  }
}
