import { DomainError } from './errors';

/**
 * Page tokens are opaque to clients and bound to the tenant that received
 * them: a token replayed by another tenant is rejected rather than paging
 * through someone else's key space.
 */
export function encodePageToken(tenantId: string, after: string): string {
  return Buffer.from(JSON.stringify({ v: 1, t: tenantId, a: after })).toString('base64url');
}

export function decodePageToken(tenantId: string, token: string): string {
  const bad = () =>
    new DomainError('invalid_argument', 'INVALID_PAGE_TOKEN', 'page_token: not a token issued for this tenant', { field: 'page_token' }, [
      { field: 'page_token', description: 'not a token issued by this server for this tenant' },
    ]);
  if (token.length > 1024) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  const p = parsed as { v?: unknown; t?: unknown; a?: unknown };
  if (!p || p.v !== 1 || p.t !== tenantId || typeof p.a !== 'string') throw bad();
  return p.a;
}
