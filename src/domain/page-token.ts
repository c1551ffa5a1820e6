import { DomainError } from './errors';

/**
 * Page tokens are opaque to clients and bound to the tenant that received
 * them: a token replayed by another tenant is rejected rather than paging
 * through someone else's key space. The cursor is the sort key of the last
 * item returned (one or more strings).
 */
export function encodePageToken(tenantId: string, cursor: string[]): string {
  return Buffer.from(JSON.stringify({ v: 1, t: tenantId, a: cursor })).toString('base64url');
}

export const invalidPageToken = (): DomainError =>
  new DomainError({
    kind: 'invalid_argument',
    reason: 'INVALID_PAGE_TOKEN',
    message: 'page_token: not a token issued for this tenant',
    metadata: { field: 'page_token' },
    fieldViolations: [{ field: 'page_token', description: 'not a token issued by this server for this tenant' }],
  });

/** The times a cursor may hold: years 1..9999, which PostgreSQL and the clients' date types all hold. */
const MIN_CURSOR_TIME = Date.parse('0001-01-01T00:00:00.000Z');
const MAX_CURSOR_TIME = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * A cursor part that holds a time, exactly as Date#toISOString wrote it, or INVALID_PAGE_TOKEN.
 * Date.parse alone also reads other forms and years no timestamp column holds; a query sent one
 * fails in the database and the call answers INTERNAL instead of naming the bad token.
 */
export function cursorTime(part: string): Date {
  const ms = Date.parse(part);
  if (!(ms >= MIN_CURSOR_TIME && ms <= MAX_CURSOR_TIME)) throw invalidPageToken();
  const at = new Date(ms);
  if (at.toISOString() !== part) throw invalidPageToken();
  return at;
}

/** Returns the cursor, which has `parts` strings, or throws INVALID_PAGE_TOKEN. */
export function decodePageToken(tenantId: string, token: string, parts: number): string[] {
  const bad = invalidPageToken;
  if (token.length > 1024) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  const p = parsed as { v?: unknown; t?: unknown; a?: unknown };
  // A NUL cannot be stored, so no cursor holds one (and one would fail the query, not page).
  if (
    !p ||
    p.v !== 1 ||
    p.t !== tenantId ||
    !Array.isArray(p.a) ||
    p.a.length !== parts ||
    !p.a.every((x) => typeof x === 'string' && !x.includes('\u0000'))
  ) {
    throw bad();
  }
  return p.a as string[];
}
