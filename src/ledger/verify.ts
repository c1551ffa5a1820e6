import * as crypto from 'node:crypto';
import { Checkpoint, verifyCheckpointSignature } from './checkpoint';
import { canonicalForm, GENESIS_HASH, hmacHex, LedgerRecord, sha256Hex } from './entry';

export type Problem =
  | 'modified'
  | 'deleted'
  | 'inserted'
  | 'reordered'
  | 'bad_signature'
  | 'unknown_key'
  | 'broken_link'
  | 'truncated'
  | 'rolled_back'
  | 'bad_checkpoint';

export interface VerifyOptions {
  /** HMAC key by id; without it signatures are not checked (the hash chain still is). */
  key?: (kid: string) => crypto.KeyObject | undefined;
  /** Checkpoints the verifier trusts, e.g. kept from an earlier export. */
  checkpoints?: Checkpoint[];
  /** Ed25519 public key that signed the checkpoints. */
  checkpointKey?: crypto.KeyObject;
}

export interface VerifyResult {
  valid: boolean;
  entriesChecked: number;
  /** 0 when valid. */
  firstInvalidSequence: number;
  problem: Problem | '';
  detail: string;
  signaturesChecked: boolean;
  checkpointsChecked: number;
}

/** How far from its position a moved entry is looked for. */
const MOVE_WINDOW = 16;

/**
 * Verifies one tenant's records, in stored (or file) order. The first problem
 * wins, named by kind: see docs/ledger.md for the rules that tell a deleted,
 * inserted or reordered entry from a modified one.
 */
export function verifyRecords(records: LedgerRecord[], o: VerifyOptions = {}): VerifyResult {
  const ok = (n: number, cps: number): VerifyResult => ({
    valid: true,
    entriesChecked: n,
    firstInvalidSequence: 0,
    problem: '',
    detail: '',
    signaturesChecked: Boolean(o.key),
    checkpointsChecked: cps,
  });
  const bad = (checked: number, seq: number, problem: Problem, detail: string): VerifyResult => ({
    ...ok(checked, 0),
    valid: false,
    firstInvalidSequence: seq,
    problem,
    detail,
  });

  /** Does r hash (and sign) as the entry with this sequence? Checks the link too when prev is given. */
  const authenticAt = (r: LedgerRecord, sequence: number, prev?: string): boolean => {
    if (prev !== undefined && r.prevHash !== prev) return false;
    let form: string;
    try {
      form = canonicalForm({ ...r, sequence });
    } catch {
      return false;
    }
    if (sha256Hex(form) !== r.entryHash) return false;
    if (!o.key) return true;
    const key = o.key(r.keyId);
    return key !== undefined && safeEqualHex(hmacHex(key, form), r.signature);
  };
  const trueSequence = (r: LedgerRecord, around: number): number | undefined => {
    for (let d = 1; d <= MOVE_WINDOW; d++) {
      for (const k of [around + d, around - d]) if (k >= 1 && authenticAt(r, k)) return k;
    }
    return undefined;
  };
  const authenticSomewhere = (seq: number, except: number) =>
    records.some((x, j) => j !== except && (x.sequence === seq || Math.abs(j + 1 - seq) <= MOVE_WINDOW) && authenticAt(x, seq));

  let prev = GENESIS_HASH;
  for (let i = 0; i < records.length; i++) {
    const expected = i + 1;
    const r = records[i];
    if (r.sequence !== expected) {
      if (r.sequence < expected) {
        const dup = records.slice(0, i).some((x) => x.sequence === r.sequence);
        return bad(i, expected, dup ? 'inserted' : 'reordered', `entry ${r.sequence} found where ${expected} was expected`);
      }
      return authenticSomewhere(expected, i)
        ? bad(i, expected, 'reordered', `entry ${expected} is out of place`)
        : bad(i, expected, 'deleted', `entry ${expected} is missing`);
    }
    if (o.key && !o.key(r.keyId)) return bad(i, expected, 'unknown_key', `key id "${r.keyId}" is not in the key ring`);
    if (!authenticAt(r, expected, prev)) {
      const k = trueSequence(r, expected);
      if (k !== undefined) {
        if (k > expected && !authenticSomewhere(expected, i)) {
          return bad(i, expected, 'deleted', `entry ${expected} is missing (the entries after it were renumbered)`);
        }
        return bad(i, expected, k > expected ? 'reordered' : 'inserted', `the entry stored as ${expected} was written as ${k}`);
      }
      const next = records[i + 1];
      if (next && authenticAt(next, expected, prev)) return bad(i, expected, 'inserted', `entry ${expected} was inserted before the real one`);
      let form: string | undefined;
      try {
        form = canonicalForm(r);
      } catch {
        form = undefined;
      }
      if (form === undefined || sha256Hex(form) !== r.entryHash) return bad(i, expected, 'modified', `entry ${expected} does not match its hash`);
      if (r.prevHash !== prev) return bad(i, expected, 'broken_link', `entry ${expected} does not chain to entry ${expected - 1}`);
      return bad(i, expected, 'bad_signature', `entry ${expected} has a bad signature`);
    }
    prev = r.entryHash;
  }

  const n = records.length;
  const cps = [...(o.checkpoints ?? [])].sort((a, b) => a.size - b.size);
  for (const cp of cps) {
    if (o.checkpointKey && !verifyCheckpointSignature(cp, o.checkpointKey)) {
      return bad(n, cp.size, 'bad_checkpoint', `checkpoint at size ${cp.size} has a bad signature`);
    }
    if (cp.size > n) {
      return bad(n, n + 1, 'truncated', `a checkpoint of ${cp.time} saw ${cp.size} entries; only ${n} are left`);
    }
    if (cp.size > 0 && records[cp.size - 1].entryHash !== cp.headHash) {
      return bad(n, cp.size, 'rolled_back', `entry ${cp.size} differs from the checkpoint of ${cp.time}: the ledger was rewritten`);
    }
  }
  return ok(n, cps.length);
}

function safeEqualHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && crypto.timingSafeEqual(x, y);
}
