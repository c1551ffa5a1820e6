import { unavailable } from '../domain/errors';
import { canonicalJson } from '../ledger/canonical';
import type { SealedRecord } from '../ledger/entry';
import { sealLeaf } from '../ledger/entry';
import type { KeyRing } from '../ledger/keyring';
import { appendLeaf, popcount } from '../ledger/merkle';
import type { Head } from './knex-ledger';
import type { LedgerEvent, LedgerWriter } from './ports';

/**
 * A job's ledger writer: it seals the job's entries against the running heads of its batch, and grows
 * the tenant's Merkle tree with them: the nodes each entry completes are written with it, in the
 * same statement, and the head carries the new frontier.
 */
export function batchLedger(
  jobTenantId: string,
  heads: Map<string, Head>,
  records: SealedRecord[],
  o: { keyRing: KeyRing; clock: () => Date },
): LedgerWriter {
  const appendEntry = async (
    tenantId: string,
    event: LedgerEvent,
  ): Promise<{ sequence: number; entryHash: string }> => {
    if (tenantId !== jobTenantId) throw new Error('a job may only append to its own tenant ledger');
    const head = heads.get(tenantId)!;
    // A tree of n leaves has one frontier node per set bit of n: anything else is a damaged head,
    // and no entry may be written that the tree would not cover.
    if (head.frontier.length !== popcount(head.sequence))
      throw unavailable('the ledger tree head is damaged: nothing can be appended', 'STORAGE_DAMAGED');
    // The sealed record is this call's own object: completed in place rather than copied (hot path).
    const sealed = seal(tenantId, head, event, o) as SealedRecord;
    const tree = appendLeaf(head.frontier, head.sequence, sealed.leafHash);
    sealed.treeHashes = Buffer.concat(tree.completed);
    records.push(sealed);
    heads.set(tenantId, { sequence: sealed.sequence, headHash: sealed.entryHash, frontier: tree.frontier });
    return { sequence: sealed.sequence, entryHash: sealed.entryHash };
  };
  return {
    appendEntry,
    append: async (tenantId: string, event: LedgerEvent): Promise<number> =>
      (await appendEntry(tenantId, event)).sequence,
  };
}

function seal(tenantId: string, head: Head, e: LedgerEvent, o: { keyRing: KeyRing; clock: () => Date }) {
  return sealLeaf(
    {
      tenantId,
      sequence: head.sequence + 1,
      timestamp: o.clock().toISOString(),
      eventType: e.type,
      actorSubject: e.actor.subject,
      actorRole: e.actor.role,
      requestId: e.requestId,
      payload: canonicalJson(e.body),
      prevHash: head.headHash,
      keyId: o.keyRing.activeKid,
    },
    o.keyRing.active,
    true, // the payload is canonicalJson's output just above
  );
}
