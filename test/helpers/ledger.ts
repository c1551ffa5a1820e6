import type { Knex } from 'knex';
import { appendLeaf } from '../../src/ledger/merkle';

/** The Merkle frontier of a tenant's first `size` stored entries: what a careful tamperer writes back with a cut-back head. */
export async function frontierAt(db: Knex, tenantId: string, size: number): Promise<Buffer> {
  const rows = await db('ledger_entries')
    .where({ tenant_id: tenantId })
    .andWhere('sequence', '<=', size)
    .orderBy('sequence')
    .select('tree_hashes');
  let frontier: Buffer[] = [];
  rows.forEach((r, i) => (frontier = appendLeaf(frontier, i, (r.tree_hashes as Buffer).subarray(0, 32)).frontier));
  return Buffer.concat(frontier);
}
