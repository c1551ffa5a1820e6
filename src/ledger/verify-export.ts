import type * as crypto from 'node:crypto';
import type { Checkpoint } from './checkpoint';
import type { ParsedExport } from './export';
import type { KeyRing } from './keyring';
import type { VerifyResult } from './verify';
import { verifyRecords } from './verify';

export interface ExportTrust {
  /** HMAC keys, where this machine has the ring; without them only hashes, links and checkpoints are checked. */
  keyRing?: KeyRing;
  /** The checkpoint public key the verifier trusts (--public-key, or this machine's own). Never the file's. */
  checkpointKey?: crypto.KeyObject;
  /** Checkpoints kept from earlier exports. */
  earlier?: Checkpoint[];
}

export interface ExportVerdict extends VerifyResult {
  tenantId: string;
  notes: string[];
}

/**
 * Verifies an exported ledger offline. Valid means: every entry belongs to the header's tenant,
 * the chain (and, with the key ring, every HMAC) holds, every checkpoint is signed by the trusted
 * key, and one of them covers the last entry. Anything less is a problem, not a note: without a
 * trusted key anybody can recompute a chain, and without a checkpoint at the end, entries can be
 * cut off unseen.
 */
export function verifyExport(file: ParsedExport, trust: ExportTrust): ExportVerdict {
  const tenantId = file.header?.tenant_id ?? file.records[0]?.tenantId ?? '';
  const notes: string[] = [];
  if (!trust.keyRing)
    notes.push('no ledger key ring here (BTV_LEDGER_KEYS): hashes, chain and checkpoints checked, HMAC signatures not');
  const verdict = (r: VerifyResult): ExportVerdict => ({ tenantId, ...r, notes });
  const bad = (seq: number, problem: VerifyResult['problem'], detail: string, checked = 0) =>
    verdict({
      valid: false,
      entriesChecked: checked,
      firstInvalidSequence: seq,
      problem,
      detail,
      signaturesChecked: Boolean(trust.keyRing),
      checkpointsChecked: 0,
    });

  const foreign = file.records.find((r) => r.tenantId !== tenantId);
  if (foreign)
    return bad(
      foreign.sequence,
      'wrong_tenant',
      `entry ${foreign.sequence} belongs to tenant ${foreign.tenantId}, not the export's tenant ${tenantId}`,
    );
  const foreignCp = file.checkpoints.find((c) => c.tenantId !== tenantId);
  if (foreignCp)
    return bad(
      foreignCp.size,
      'bad_checkpoint',
      `the checkpoint at size ${foreignCp.size} is of tenant ${foreignCp.tenantId}, not ${tenantId}`,
    );
  if (!trust.checkpointKey) {
    return bad(
      1,
      'untrusted',
      "no trusted checkpoint key: pass --public-key with the server's checkpoint public key (the key inside an export is never trusted)",
    );
  }
  const checkpoints = [...file.checkpoints, ...(trust.earlier ?? []).filter((c) => c.tenantId === tenantId)];
  const result = verifyRecords(file.records, {
    key: trust.keyRing ? (kid) => trust.keyRing!.get(kid) : undefined,
    checkpoints,
    checkpointKey: trust.checkpointKey,
  });
  if (!result.valid) return verdict(result);
  const n = file.records.length;
  const covered = Math.max(0, ...checkpoints.filter((c) => c.size <= n).map((c) => c.size));
  if (covered < n) {
    return verdict({
      ...result,
      valid: false,
      firstInvalidSequence: covered + 1,
      problem: 'unanchored',
      detail: `no signed checkpoint covers entries ${covered + 1} to ${n}: entries after ${covered} could have been cut off or replaced unseen`,
    });
  }
  return verdict(result);
}
