import { unavailable } from '../domain/errors';
import { QUERY_TIMEOUT_CODE } from './database';

// Connection-level failures (refused, reset, admin shutdown, pool or query timeout) mean the
// database is unreachable: the caller gets UNAVAILABLE, never the driver text.
const CONNECTION_CODES = new Set([
  QUERY_TIMEOUT_CODE,
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'ENOENT',
  '57P01',
  '57P02',
  '57P03',
]);

export type StorageFault = 'connection' | 'resources' | 'read_only' | 'corrupted';

/**
 * What kind of storage fault an error is, if any: lost or frozen connections; the database out of
 * disk, memory or another resource, or failing its own I/O (SQLSTATE classes 53 and 58); data the
 * database found damaged (XX001, XX002: a page that fails its checksum, a broken index); a
 * database that takes no writes (25006: a standby after a failover went wrong, or
 * default_transaction_read_only set by an operator).
 */
export function storageFault(e: unknown): StorageFault | undefined {
  const err = e as { code?: string; name?: string; message?: string };
  if (!err || typeof err !== 'object') return undefined;
  const code = typeof err.code === 'string' ? err.code : '';
  if (code === 'XX001' || code === 'XX002') return 'corrupted';
  if (/^(53|58)[0-9A-Z]{3}$/.test(code)) return 'resources';
  if (code === '25006') return 'read_only';
  if (CONNECTION_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return 'connection';
  if (err.name === 'KnexTimeoutError') return 'connection';
  const message = err.message ?? '';
  return /Connection terminated|connection is closed|Client has encountered a connection error|Client was closed|Unable to acquire a connection/i.test(
    message,
  )
    ? 'connection'
    : undefined;
}

export const isConnectionError = (e: unknown): boolean => storageFault(e) === 'connection';

/** Every store reports faults here; health and the writer read it. */
export class StorageHealth {
  private damagedBy: string | undefined;
  private writesFailingBy: string | undefined;
  private readonly listeners = new Set<() => void>();

  /** Set once the database reported damaged data: writes are refused until an operator restarts. */
  get damaged(): string | undefined {
    return this.damagedBy;
  }

  /**
   * Set while the database answers but refuses writes (full disk, out of memory, read-only):
   * every Enforce fails closed then, so health must send callers elsewhere until a write succeeds.
   */
  get writesFailing(): string | undefined {
    return this.writesFailingBy;
  }

  noteFault(e: unknown): void {
    const fault = storageFault(e);
    const code = (e as { code?: string }).code;
    if (fault === 'corrupted' && !this.damagedBy) {
      this.damagedBy = `the database reported damaged data (SQLSTATE ${code})`;
      this.changed();
    } else if ((fault === 'resources' || fault === 'read_only') && !this.writesFailingBy) {
      this.writesFailingBy = `the database refused a write (SQLSTATE ${code})`;
      this.changed();
    }
  }

  /** A write committed: the database takes writes again. */
  noteWriteOk(): void {
    if (!this.writesFailingBy) return;
    this.writesFailingBy = undefined;
    this.changed();
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

const MESSAGES: Record<StorageFault, string> = {
  connection: 'storage is unavailable',
  resources: 'storage is out of space or another resource: nothing was written',
  read_only: 'storage is read-only: nothing was written',
  corrupted: 'storage reported damaged data: the operator must repair the database',
};

/** The domain error a storage fault is answered with; anything else is returned as it was. */
export function toStorageError(e: unknown, connectionMessage = MESSAGES.connection): unknown {
  const fault = storageFault(e);
  if (!fault) return e;
  if (fault === 'corrupted') return unavailable(MESSAGES.corrupted, 'STORAGE_DAMAGED');
  return unavailable(fault === 'connection' ? connectionMessage : MESSAGES[fault]);
}

/** Runs a storage call, turning storage faults into a domain UNAVAILABLE error. */
export async function guard<T>(p: Promise<T>, health?: StorageHealth): Promise<T> {
  try {
    return await p;
  } catch (e) {
    health?.noteFault(e);
    throw toStorageError(e);
  }
}
