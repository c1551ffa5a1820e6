import type { Knex } from 'knex';
import type { SealedRecord } from '../ledger/entry';
import { entryColumns } from '../ledger/entry';
import type { Head } from './knex-ledger';
import { changeColumns } from './knex-status';
import type { AssumedStatus, StatusChangeRecord } from './ports';
import { encodeNotification, STATUS_CHANNEL } from './status-notify';

export interface ExpectedStatus extends AssumedStatus {
  tenantId: string;
}

export interface OptimisticBatch {
  records: SealedRecord[];
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
    heads: b.heads.map((h) => ({
      tenant_id: h.tenantId,
      from_sequence: h.from.sequence,
      to_sequence: h.to.sequence,
      to_hash: h.to.headHash,
      to_frontier: Buffer.concat(h.to.frontier).toString('hex'),
    })),
    expected: b.expected.map((x) => ({
      tenant_id: x.tenantId,
      system_id: x.systemId,
      operational_status: x.operationalStatus,
      lifecycle_phase: x.lifecyclePhase,
    })),
    entries: b.records.map((r) => ({ ...entryColumns(r), tree_hashes: r.treeHashes.toString('hex') })),
    changes: b.changes.map((c) => ({ ...changeColumns(c), notification: encodeNotification(c) })),
  };
  const { rows }: { rows: { tenant_id: string }[] } = await db.raw(
    'SELECT btv_commit_if_current(?::jsonb) AS tenant_id',
    [JSON.stringify(batch)],
  );
  return new Set(rows.map((r) => r.tenant_id));
}
