import * as crypto from 'node:crypto';
import { CanonicalText, canonicalJson } from './canonical';
import { leafHash } from './merkle';

/** prev_hash of a tenant's first entry. */
export const GENESIS_HASH = '0'.repeat(64);
export const FORMAT_VERSION = 1;

/** One ledger entry as stored, exported and verified (docs/ledger.md). */
export interface LedgerRecord {
  tenantId: string;
  sequence: number;
  /** ISO 8601 UTC with milliseconds. */
  timestamp: string;
  eventType: string;
  actorSubject: string;
  actorRole: string;
  requestId: string;
  /** The event body as canonical JSON text. */
  payload: string;
  prevHash: string;
  keyId: string;
  /** SHA-256 (hex) of the canonical form. */
  entryHash: string;
  /** HMAC-SHA256 (hex) of the canonical form under keyId. */
  signature: string;
}

export type UnsignedRecord = Omit<LedgerRecord, 'entryHash' | 'signature'>;

/** A record under the snake_case names of the ledger_entries columns and of the export file. */
export const entryColumns = (r: LedgerRecord) => ({
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
});

/**
 * The canonical form that is hashed and signed: every field but the hash and
 * signature, with the payload parsed so that its canonical JSON is embedded.
 * payloadIsCanonical: the payload is canonicalJson output already (as the
 * writer produces it), so it is embedded as it is, without a parse.
 */
export function canonicalForm(r: UnsignedRecord, payloadIsCanonical = false): string {
  // Keys in canonical order already (canonicalJson then skips its sort).
  return canonicalJson({
    actor_role: r.actorRole,
    actor_subject: r.actorSubject,
    event_type: r.eventType,
    key_id: r.keyId,
    payload: payloadIsCanonical ? new CanonicalText(r.payload) : JSON.parse(r.payload),
    prev_hash: r.prevHash,
    request_id: r.requestId,
    sequence: r.sequence,
    tenant_id: r.tenantId,
    timestamp: r.timestamp,
    v: FORMAT_VERSION,
  });
}

export const sha256Hex = (s: string): string => crypto.hash('sha256', s, 'hex');
export const hmacHex = (key: crypto.KeyObject, s: string): string =>
  crypto.createHmac('sha256', key).update(s).digest('hex');

export function sealRecord(r: UnsignedRecord, key: crypto.KeyObject, payloadIsCanonical = false): LedgerRecord {
  const form = canonicalForm(r, payloadIsCanonical);
  return { ...r, entryHash: sha256Hex(form), signature: hmacHex(key, form) };
}

/** A record as the writer appends it: with its RFC 9162 leaf hash, SHA-256(0x00 || canonical form). */
export interface SealedRecord extends LedgerRecord {
  leafHash: Buffer;
  /** The tree nodes this entry completes, level 0 (the leaf) first, 32 bytes each (src/ledger/merkle.ts). */
  treeHashes: Buffer;
}

/** sealRecord, also returning the leaf hash, from the same canonical form. */
export function sealLeaf(
  r: UnsignedRecord,
  key: crypto.KeyObject,
  payloadIsCanonical = false,
): LedgerRecord & { leafHash: Buffer } {
  const form = canonicalForm(r, payloadIsCanonical);
  return { ...r, entryHash: sha256Hex(form), signature: hmacHex(key, form), leafHash: leafHash(form) };
}
