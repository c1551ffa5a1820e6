import { unavailable } from '../domain/errors';

// Connection-level failures (refused, reset, admin shutdown, pool timeout) mean
// the database is unreachable: the caller gets UNAVAILABLE, never the driver text.
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03']);

export function isConnectionError(e: unknown): boolean {
  const err = e as { code?: string; name?: string; message?: string };
  if (!err || typeof err !== 'object') return false;
  if (err.code && (CONNECTION_CODES.has(err.code) || err.code.startsWith('08'))) return true;
  if (err.name === 'KnexTimeoutError') return true;
  return /Connection terminated|connection is closed|Client has encountered a connection error|Unable to acquire a connection/i.test(err.message ?? '');
}

/** Runs a storage call, turning connection failures into a domain UNAVAILABLE error. */
export async function guard<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (isConnectionError(e)) throw unavailable('storage is unavailable');
    throw e;
  }
}
