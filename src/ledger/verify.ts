import * as crypto from 'node:crypto';
import { canonicalJson } from './canonical';
import type { Checkpoint } from './checkpoint';
import { checkNote, verifyCheckpointSignature } from './checkpoint';
import type { LedgerRecord } from './entry';
import { canonicalForm, GENESIS_HASH, hmacHex, sha256Hex } from './entry';
import { appendLeaf, EMPTY_ROOT, leafHash, rootFromFrontier } from './merkle';

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
  | 'bad_checkpoint'
  | 'forked'
  | 'unreadable'
  | 'wrong_tenant'
  | 'untrusted'
  | 'unanchored';

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
  const v = new LedgerVerifier(o);
  return v.push(records) ?? v.finish();
}

/**
 * The same verification over records that arrive in chunks (pages read from
 * the database), holding only the chunk and a window of MOVE_WINDOW entries
 * on each side of the one being checked, so a ledger of any length is checked
 * in bounded memory. A moved entry is recognised within the records held at
 * the time (the whole array for verifyRecords).
 */
export class LedgerVerifier {
  /** Records from global index `offset` on: already checked ones kept as look-behind, then unchecked. */
  private buf: LedgerRecord[] = [];
  private offset = 0;
  /** Global index of the next record to check. */
  private next = 0;
  private prev = GENESIS_HASH;
  private result: VerifyResult | undefined;
  private readonly checkpoints: Checkpoint[];
  /** Entry hash at each checkpoint's size, as the records passed. */
  private readonly hashAt = new Map<number, string>();
  /** The Merkle tree of the entries checked so far (its frontier), and its root at each checkpoint's size. */
  private frontier: Buffer[] = [];
  private readonly rootAt = new Map<number, string>([[0, EMPTY_ROOT.toString('hex')]]);
  /** Canonical form of the record authenticAt last accepted. */
  private lastForm = '';

  constructor(private readonly o: VerifyOptions = {}) {
    this.checkpoints = [...(o.checkpoints ?? [])].sort((a, b) => a.size - b.size);
    for (const cp of this.checkpoints) this.hashAt.set(cp.size, '');
  }

  /** Adds records in order; returns the result as soon as a problem is found (later calls return it again). */
  push(records: LedgerRecord[]): VerifyResult | undefined {
    if (this.result) return this.result;
    for (const r of records) this.buf.push(r);
    // A record is checked once MOVE_WINDOW + 1 records after it are held (or at the end).
    while (!this.result && this.next - this.offset < this.buf.length - MOVE_WINDOW - 1) this.result = this.checkOne();
    this.trim();
    return this.result;
  }

  finish(): VerifyResult {
    while (!this.result && this.next - this.offset < this.buf.length) this.result = this.checkOne();
    if (this.result) return this.result;
    const n = this.next;
    for (const cp of this.checkpoints) {
      if (this.o.checkpointKey && !verifyCheckpointSignature(cp, this.o.checkpointKey)) {
        return this.bad(n, cp.size, 'bad_checkpoint', `checkpoint at size ${cp.size} has a bad signature`);
      }
      const noteProblem = this.o.checkpointKey ? checkNote(cp, this.o.checkpointKey) : undefined;
      if (noteProblem) return this.bad(n, cp.size, 'bad_checkpoint', `checkpoint at size ${cp.size}: ${noteProblem}`);
    }
    // Two signed checkpoints of one size that disagree: the log signed two histories (a fork),
    // whichever of them the entries at hand match.
    for (let i = 1; i < this.checkpoints.length; i++) {
      const [a, b] = [this.checkpoints[i - 1], this.checkpoints[i]];
      if (a.size === b.size && (a.headHash !== b.headHash || (a.rootHash && b.rootHash && a.rootHash !== b.rootHash))) {
        return this.bad(
          n,
          a.size,
          'forked',
          `two signed checkpoints of size ${a.size} (${a.time}, ${b.time}) name different ledgers: a forked history`,
        );
      }
    }
    for (const cp of this.checkpoints) {
      if (cp.size > n) {
        return this.bad(n, n + 1, 'truncated', `a checkpoint of ${cp.time} saw ${cp.size} entries; only ${n} are left`);
      }
      if (cp.size > 0 && this.hashAt.get(cp.size) !== cp.headHash) {
        return this.bad(
          n,
          cp.size,
          'rolled_back',
          `entry ${cp.size} differs from the checkpoint of ${cp.time}: the ledger was rewritten`,
        );
      }
      if (cp.rootHash && this.rootAt.get(cp.size) !== cp.rootHash) {
        return this.bad(
          n,
          cp.size,
          'rolled_back',
          `the Merkle tree of the first ${cp.size} entries differs from the checkpoint of ${cp.time}`,
        );
      }
    }
    return this.ok(n, this.checkpoints.length);
  }

  /** Entries checked so far. */
  get checked(): number {
    return this.next;
  }

  private trim(): void {
    const drop = this.next - this.offset - MOVE_WINDOW;
    if (drop > 1024) {
      this.buf = this.buf.slice(drop);
      this.offset += drop;
    }
  }

  private ok(n: number, cps: number): VerifyResult {
    return {
      valid: true,
      entriesChecked: n,
      firstInvalidSequence: 0,
      problem: '',
      detail: '',
      signaturesChecked: Boolean(this.o.key),
      checkpointsChecked: cps,
    };
  }

  private bad(checked: number, seq: number, problem: Problem, detail: string): VerifyResult {
    return { ...this.ok(checked, 0), valid: false, firstInvalidSequence: seq, problem, detail };
  }

  /** Does r hash (and sign) as the entry with this sequence? Checks the link too when prev is given. */
  private authenticAt(r: LedgerRecord, sequence: number, prev?: string): boolean {
    if (prev !== undefined && r.prevHash !== prev) return false;
    let form: string;
    try {
      form = canonicalForm({ ...r, sequence });
    } catch {
      return false;
    }
    if (sha256Hex(form) !== r.entryHash) return false;
    this.lastForm = form;
    if (!this.o.key) return true;
    const key = this.o.key(r.keyId);
    return key !== undefined && safeEqualHex(hmacHex(key, form), r.signature);
  }

  private trueSequence(r: LedgerRecord, around: number): number | undefined {
    for (let d = 1; d <= MOVE_WINDOW; d++) {
      for (const k of [around + d, around - d]) if (k >= 1 && this.authenticAt(r, k)) return k;
    }
    return undefined;
  }

  /** Is some other held record the authentic entry `seq`? (j: global index to skip.) */
  private authenticSomewhere(seq: number, except: number): boolean {
    return this.buf.some((x, b) => {
      const j = b + this.offset;
      return j !== except && (x.sequence === seq || Math.abs(j + 1 - seq) <= MOVE_WINDOW) && this.authenticAt(x, seq);
    });
  }

  private checkOne(): VerifyResult | undefined {
    const i = this.next;
    const expected = i + 1;
    const r = this.buf[i - this.offset];
    const prev = this.prev;
    const { key } = this.o;
    if (r.sequence !== expected) {
      if (r.sequence < expected) {
        const dup =
          this.buf.slice(0, i - this.offset).some((x) => x.sequence === r.sequence) || r.sequence <= this.offset;
        return this.bad(
          i,
          expected,
          dup ? 'inserted' : 'reordered',
          `entry ${r.sequence} found where ${expected} was expected`,
        );
      }
      return this.authenticSomewhere(expected, i)
        ? this.bad(i, expected, 'reordered', `entry ${expected} is out of place`)
        : this.bad(i, expected, 'deleted', `entry ${expected} is missing`);
    }
    if (key && !key(r.keyId)) return this.bad(i, expected, 'unknown_key', `key id "${r.keyId}" is not in the key ring`);
    // The hash covers the payload as parsed: a payload that is not canonical JSON (a key given twice)
    // would verify while its text reads one way to a person and another to the verifier.
    if (ambiguous(r.payload)) {
      return this.bad(
        i,
        expected,
        'unreadable',
        `entry ${expected}'s payload is not canonical JSON (a key given twice, or re-encoded): it cannot be read one way only`,
      );
    }
    if (!this.authenticAt(r, expected, prev)) {
      const k = this.trueSequence(r, expected);
      if (k !== undefined) {
        if (k > expected && !this.authenticSomewhere(expected, i)) {
          return this.bad(
            i,
            expected,
            'deleted',
            `entry ${expected} is missing (the entries after it were renumbered)`,
          );
        }
        return this.bad(
          i,
          expected,
          k > expected ? 'reordered' : 'inserted',
          `the entry stored as ${expected} was written as ${k}`,
        );
      }
      const next = this.buf[i + 1 - this.offset];
      if (next && this.authenticAt(next, expected, prev))
        return this.bad(i, expected, 'inserted', `entry ${expected} was inserted before the real one`);
      let form: string | undefined;
      try {
        form = canonicalForm(r);
      } catch {
        form = undefined;
      }
      if (form === undefined || sha256Hex(form) !== r.entryHash)
        return this.bad(i, expected, 'modified', `entry ${expected} does not match its hash`);
      if (r.prevHash !== prev)
        return this.bad(i, expected, 'broken_link', `entry ${expected} does not chain to entry ${expected - 1}`);
      return this.bad(i, expected, 'bad_signature', `entry ${expected} has a bad signature`);
    }
    this.prev = r.entryHash;
    this.frontier = appendLeaf(this.frontier, i, leafHash(this.lastForm)).frontier;
    if (this.hashAt.has(expected)) {
      this.hashAt.set(expected, r.entryHash);
      this.rootAt.set(expected, rootFromFrontier(this.frontier).toString('hex'));
    }
    this.next++;
    return undefined;
  }
}

/** Hex digests compared in constant time (a signature check must not leak how much of it matched). */
export function safeEqualHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && crypto.timingSafeEqual(x, y);
}

/** JSON that parses, but not to the same text: a key given twice, or another encoding of it. (Text that is not JSON at all is modified, and said so by its hash.) */
function ambiguous(payload: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return false;
  }
  return canonicalJson(value) !== payload;
}
