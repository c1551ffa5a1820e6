import * as crypto from 'node:crypto';
import type { Checkpoint } from './checkpoint';
import type { LedgerRecord } from './entry';
import { entryColumns } from './entry';

export const EXPORT_FORMAT = 'btv-ledger-export';

export interface ExportHeader {
  kind: 'header';
  format: typeof EXPORT_FORMAT;
  version: 1;
  tenant_id: string;
  exported_at: string;
  /** Convenience only: a verifier should trust a public key it got out of band. */
  checkpoint_public_key: string;
}

/** One JSON object per line: a header, the entries in sequence order, then the checkpoints. */
export function toJsonl(
  header: Omit<ExportHeader, 'kind' | 'format' | 'version'>,
  records: LedgerRecord[],
  checkpoints: Checkpoint[],
): string {
  const lines = [JSON.stringify({ kind: 'header', format: EXPORT_FORMAT, version: 1, ...header })];
  for (const r of records) {
    // The export calls the entry's time `timestamp` (the database column is created_at).
    const { created_at: timestamp, ...columns } = entryColumns(r);
    lines.push(JSON.stringify({ kind: 'entry', ...columns, timestamp }));
  }
  for (const c of checkpoints) {
    lines.push(JSON.stringify({ kind: 'checkpoint', ...checkpointColumns(c) }));
  }
  return lines.join('\n') + '\n';
}

/** A checkpoint under the snake_case names of the export file and the receipt. */
export const checkpointColumns = (c: Checkpoint) => ({
  tenant_id: c.tenantId,
  size: c.size,
  head_hash: c.headHash,
  time: c.time,
  key_id: c.keyId,
  signature: c.signature,
  ...(c.note ? { root_hash: c.rootHash, note: c.note } : {}),
});

export interface ParsedExport {
  header?: ExportHeader;
  records: LedgerRecord[];
  checkpoints: Checkpoint[];
}

export class ExportFormatError extends Error {}

const str = (o: Record<string, unknown>, k: string, line: number): string => {
  if (typeof o[k] !== 'string') throw new ExportFormatError(`line ${line}: "${k}" must be a string`);
  return o[k];
};
const num = (o: Record<string, unknown>, k: string, line: number): number => {
  if (typeof o[k] !== 'number' || !Number.isInteger(o[k]))
    throw new ExportFormatError(`line ${line}: "${k}" must be an integer`);
  return o[k];
};

/** Parses an export; a line that is not valid JSON of a known kind, as the exporter writes it, is a format error naming the line. */
export function parseJsonl(text: string): ParsedExport {
  const out: ParsedExport = { records: [], checkpoints: [] };
  text.split('\n').forEach((read, i) => {
    const line = i + 1;
    // A file that went through a CRLF editor or transfer: its lines are the same without the CR.
    const raw = read.endsWith('\r') ? read.slice(0, -1) : read;
    if (raw.trim() === '') return;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(raw);
    } catch {
      throw new ExportFormatError(`line ${line}: not JSON`);
    }
    // Exactly as the exporter wrote it: a duplicated key would let this verifier read one value and
    // a person (or another JSON reader) the other, so anything re-encoded is refused, not guessed at.
    if (JSON.stringify(o) !== raw)
      throw new ExportFormatError(
        `line ${line}: not in the export's own form (a key given twice, or the line re-encoded); export the ledger again`,
      );
    if (o.kind === 'header') out.header = o as unknown as ExportHeader;
    else if (o.kind === 'entry') {
      out.records.push(parseEntry(o, line));
    } else if (o.kind === 'checkpoint') {
      out.checkpoints.push(parseCheckpoint(o, line));
    } else throw new ExportFormatError(`line ${line}: unknown kind ${JSON.stringify(o.kind)}`);
  });
  return out;
}

export function parseCheckpoint(o: Record<string, unknown>, line: number): Checkpoint {
  const c: Checkpoint = {
    tenantId: str(o, 'tenant_id', line),
    size: num(o, 'size', line),
    headHash: str(o, 'head_hash', line),
    time: str(o, 'time', line),
    keyId: str(o, 'key_id', line),
    signature: str(o, 'signature', line),
  };
  if (o.note !== undefined || o.root_hash !== undefined) {
    c.note = str(o, 'note', line);
    c.rootHash = str(o, 'root_hash', line);
  }
  return c;
}

/** An exported entry line (without its kind) back into a record. */
export function parseEntry(o: Record<string, unknown>, line: number): LedgerRecord {
  return {
    tenantId: str(o, 'tenant_id', line),
    sequence: num(o, 'sequence', line),
    timestamp: str(o, 'timestamp', line),
    eventType: str(o, 'event_type', line),
    actorSubject: str(o, 'actor_subject', line),
    actorRole: str(o, 'actor_role', line),
    requestId: str(o, 'request_id', line),
    payload: str(o, 'payload', line),
    prevHash: str(o, 'prev_hash', line),
    entryHash: str(o, 'entry_hash', line),
    keyId: str(o, 'key_id', line),
    signature: str(o, 'signature', line),
  };
}

/** A record as an export line's fields (the entry's time is called `timestamp` there). */
export function entryLine(r: LedgerRecord) {
  const { created_at: timestamp, ...columns } = entryColumns(r);
  return { ...columns, timestamp };
}

export const publicKeyFromPem = (pem: string): crypto.KeyObject => crypto.createPublicKey(pem);
