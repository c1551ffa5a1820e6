import type * as crypto from 'node:crypto';
import type { Checkpoint } from './checkpoint';
import { checkNote } from './checkpoint';
import type { LedgerRecord } from './entry';
import { canonicalForm, sha256Hex } from './entry';
import { parseLedgerPayload } from './events';
import { checkpointColumns, entryLine, parseCheckpoint, parseEntry } from './export';
import { leafHash, verifyInclusion } from './merkle';
import { openNote, parseCheckpointText } from './note';

export const RECEIPT_FORMAT = 'btv-decision-receipt';

/**
 * A decision receipt (docs/ledger.md): the decision's ledger entry, its RFC
 * 9162 inclusion proof and the signed checkpoint the proof leads to. Checking
 * it needs the checkpoint public key and nothing else: no HMAC key, no server.
 */
export interface Receipt {
  format: typeof RECEIPT_FORMAT;
  version: 1;
  decision_id: string;
  entry: ReturnType<typeof entryLine>;
  /** Hex: SHA-256(0x00 || canonical form of the entry). */
  leaf_hash: string;
  tree_size: number;
  /** Hex hashes, leaf level first. */
  inclusion_proof: string[];
  checkpoint: ReturnType<typeof checkpointColumns>;
}

export function buildReceipt(
  decisionId: string,
  entry: LedgerRecord,
  proof: { leafHash: Buffer; treeSize: number; proof: Buffer[] },
  checkpoint: Checkpoint,
): Receipt {
  return {
    format: RECEIPT_FORMAT,
    version: 1,
    decision_id: decisionId,
    entry: entryLine(entry),
    leaf_hash: proof.leafHash.toString('hex'),
    tree_size: proof.treeSize,
    inclusion_proof: proof.proof.map((p) => p.toString('hex')),
    checkpoint: checkpointColumns(checkpoint),
  };
}

export interface ReceiptVerdict {
  valid: boolean;
  /** What failed, for humans (empty when valid). */
  problem: string;
  decisionId?: string;
  tenantId?: string;
  sequence?: number;
  treeSize?: number;
  origin?: string;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Checks a receipt against the trusted checkpoint public key. */
export function verifyReceipt(input: unknown, publicKey: crypto.KeyObject): ReceiptVerdict {
  const bad = (problem: string): ReceiptVerdict => ({ valid: false, problem });
  const o = input as Record<string, unknown>;
  if (!o || typeof o !== 'object' || o.format !== RECEIPT_FORMAT || o.version !== 1)
    return bad(`not a ${RECEIPT_FORMAT} version 1 file`);
  let entry: LedgerRecord;
  let cp: Checkpoint;
  try {
    entry = parseEntry(o.entry as Record<string, unknown>, 0);
    cp = parseCheckpoint(o.checkpoint as Record<string, unknown>, 0);
  } catch (e) {
    return bad(`malformed receipt: ${(e as Error).message.replace(/^line 0: /, '')}`);
  }
  const proof = o.inclusion_proof;
  if (!Array.isArray(proof) || !proof.every((p) => typeof p === 'string' && HEX64.test(p)))
    return bad('inclusion_proof must be a list of hex SHA-256 hashes');
  if (typeof o.tree_size !== 'number' || !Number.isSafeInteger(o.tree_size)) return bad('tree_size must be an integer');

  let form: string;
  try {
    form = canonicalForm(entry);
  } catch {
    return bad('the entry payload is not JSON');
  }
  if (sha256Hex(form) !== entry.entryHash)
    return bad(`entry ${entry.sequence} does not match its entry_hash: it was changed`);
  // (canonicalForm above parsed the payload already: it is JSON)
  if (entry.eventType !== 'decision' || parseLedgerPayload('decision', entry.payload).decision_id !== o.decision_id)
    return bad(`entry ${entry.sequence} is not the ledger entry of decision ${String(o.decision_id)}`);
  const leaf = leafHash(form);
  if (o.leaf_hash !== leaf.toString('hex')) return bad('leaf_hash is not the hash of the entry');

  if (!cp.note) return bad('the checkpoint has no signed note');
  if (cp.tenantId !== entry.tenantId)
    return bad(`the checkpoint is of tenant ${cp.tenantId}, the entry of ${entry.tenantId}`);
  const noteProblem = checkNote(cp, publicKey);
  if (noteProblem) return bad(noteProblem);
  const origin = cp.note.slice(0, cp.note.indexOf('\n'));
  const body = parseCheckpointText(openNote(cp.note, origin, publicKey));
  if (body.size !== o.tree_size)
    return bad(`the proof is for a tree of ${o.tree_size} entries, the checkpoint signs ${body.size}`);
  if (
    !verifyInclusion(
      entry.sequence - 1,
      body.size,
      leaf,
      proof.map((p: string) => Buffer.from(p, 'hex')),
      body.rootHash,
    )
  ) {
    return bad(
      `the inclusion proof does not lead from entry ${entry.sequence} to the signed root of ${body.size} entries`,
    );
  }
  return {
    valid: true,
    problem: '',
    decisionId: String(o.decision_id),
    tenantId: entry.tenantId,
    sequence: entry.sequence,
    treeSize: body.size,
    origin,
  };
}
