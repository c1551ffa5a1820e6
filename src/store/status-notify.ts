import type { StatusChangeRecord } from './ports';

/** The PostgreSQL NOTIFY channel every committed status change is announced on. */
export const STATUS_CHANNEL = 'btv_status';

/** NOTIFY payloads carry the whole change (well under PostgreSQL's 8000 bytes: reason <= 1000, operator <= 256). */
export function encodeNotification(c: StatusChangeRecord): string {
  return JSON.stringify({ ...c, createdAt: c.createdAt.toISOString() });
}

export function decodeNotification(payload: string): StatusChangeRecord | undefined {
  try {
    const o = JSON.parse(payload);
    if (typeof o.tenantId !== 'string' || !Number.isInteger(o.revision) || typeof o.systemId !== 'string')
      return undefined;
    return { ...o, createdAt: new Date(o.createdAt) } as StatusChangeRecord;
  } catch {
    return undefined;
  }
}
