import type * as crypto from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { JwtAlgorithm } from '../config';
import type { Role } from '../domain/context';

export interface MintOptions {
  tenantId: string;
  role: Role;
  subject: string;
  ttlSeconds: number;
  algorithm: JwtAlgorithm;
  /** The HS256 secret or the RS256/ES256 private key. */
  key: crypto.KeyObject;
  issuer?: string;
  audience?: string;
}

/** Mints a token the server accepts; used by `btv token`, the dev banner and the tests. */
export function mintToken(o: MintOptions): string {
  return jwt.sign({ tenant_id: o.tenantId, role: o.role }, o.key, {
    algorithm: o.algorithm,
    subject: o.subject,
    expiresIn: o.ttlSeconds,
    // jsonwebtoken rejects explicit undefined values for these options.
    ...(o.issuer ? { issuer: o.issuer } : {}),
    ...(o.audience ? { audience: o.audience } : {}),
  });
}
