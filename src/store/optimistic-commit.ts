import type { Knex } from 'knex';
import { LedgerRecord } from '../ledger/entry';
import { Head } from './knex-ledger';
import { encodeNotification, STATUS_CHANNEL, StatusChangeRecord, SystemStatusView } from './knex-status';

export interface ExpectedStatus extends Pick<SystemStatusView, 'operationalStatus' | 'lifecyclePhase'> {
  tenantId: string;
  systemId: string;
}

export interface OptimisticBatch {
  records: LedgerRecord[];
  heads: { tenantId: string; from: Head; to: Head }[];
  expected: ExpectedStatus[];
  changes: StatusChangeRecord[];
}

/**
 * The optimistic commit: one autocommit call of btv_commit_if_current
 * (migration 000005), no lock taken first. Each tenant's entries and status
 * changes are written, and its head moved, only if its head is still `from`
 * and every expected status still holds; otherwise nothing of that tenant is
 * written. Returns the tenants that were written.
 */
export async function commitIfCurrent(db: Knex, b: OptimisticBatch): Promise<Set<string>> {
  const batch = {
    channel: STATUS_CHANNEL,
    heads: b.heads.map((h) => ({ tenant_id: h.tenantId, from_sequence: h.from.sequence, to_sequence: h.to.sequence, to_hash: h.to.headHash })),
    expected: b.expected.map((x) => ({
      tenant_id: x.tenantId,
      system_id: x.systemId,
      operational_status: x.operationalStatus,
      lifecycle_phase: x.lifecyclePhase,
    })),
    entries: b.records.map((r) => ({
      tenant_id: r.tenantId,
      sequence: r.sequence,
      created_at: r.timestamp,
      event_type: r.eventType,
      actor_subject: r.actorSubject,
      actor_role: r.actorRole,
      request_id: r.requestId,
      payload: r.payload,
      prev_hash: r.prevHash,
      entry_hash: r.entryHash,
      key_id: r.keyId,
      signature: r.signature,
    })),
    changes: b.changes.map((c) => ({
      tenant_id: c.tenantId,
      revision: c.revision,
      system_id: c.systemId,
      kind: c.kind,
      previous_status: c.previousStatus,
      new_status: c.newStatus,
      previous_phase: c.previousPhase,
      new_phase: c.newPhase,
      reason: c.reason,
      operator: c.operator,
      actor_subject: c.actorSubject,
      idempotency_key: c.idempotencyKey,
      ledger_sequence: c.ledgerSequence,
      created_at: c.createdAt.toISOString(),
      notification: encodeNotification(c),
    })),
  };
  const { rows }: { rows: { tenant_id: string }[] } = await db.raw('SELECT btv_commit_if_current(?::jsonb) AS tenant_id', [JSON.stringify(batch)]);
  return new Set(rows.map((r) => r.tenant_id));
}
