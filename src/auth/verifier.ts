import * as crypto from 'node:crypto';
import jwt from 'jsonwebtoken';
import { JwtAlgorithm } from '../config';
import { ROLES, Role } from '../domain/context';
import { unauthenticated } from '../domain/errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SUBJECT_UNSAFE = /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export interface Principal {
  tenantId: string;
  subject: string;
  role: Role;
  expiresAt: number;
}

export interface VerifierOptions {
  algorithm: JwtAlgorithm;
  key: crypto.KeyObject;
  issuer?: string;
  audience?: string;
}

/** Verified tokens remembered at most; a full cache drops its oldest entry. */
const CACHE_SIZE = 10_000;

/**
 * TokenVerifier checks bearer tokens; every failure is UNAUTHENTICATED with its own reason.
 *
 * A backend sends the same token on every call until it expires, so a token
 * that verified once is remembered (keyed by its exact text, which only its
 * holder has) and later calls only re-check its expiry: the signature and
 * claims cannot change without changing the text. Failures are never cached.
 */
export class TokenVerifier {
  private readonly options: jwt.VerifyOptions;
  private readonly verified = new Map<string, Principal>();

  constructor(private readonly opts: VerifierOptions) {
    // Pinning the algorithm list is what rejects `alg: none` and HS/RS confusion.
    this.options = { algorithms: [opts.algorithm], issuer: opts.issuer, audience: opts.audience };
  }

  /** Verifies the raw `authorization` metadata value. */
  verifyHeader(header: string | undefined): Principal {
    if (header === undefined || header === '') {
      throw unauthenticated('TOKEN_MISSING', 'missing authorization metadata: expected "Bearer <JWT>"');
    }
    const m = /^Bearer ([A-Za-z0-9_\-.=]+)$/i.exec(header.trim());
    if (!m) throw unauthenticated('TOKEN_MALFORMED', 'authorization metadata must be "Bearer <JWT>"');
    return this.verify(m[1]);
  }

  verify(token: string): Principal {
    const known = this.verified.get(token);
    if (known) {
      // The same test jsonwebtoken applies: expired from the second `exp` names.
      if (Math.floor(Date.now() / 1000) >= known.expiresAt) {
        this.verified.delete(token);
        throw unauthenticated('TOKEN_EXPIRED', 'token expired');
      }
      return known;
    }
    const principal = Object.freeze(this.verifyFully(token));
    if (this.verified.size >= CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, principal);
    return principal;
  }

  private verifyFully(token: string): Principal {
    let payload: jwt.JwtPayload | string;
    try {
      payload = jwt.verify(token, this.opts.key, this.options);
    } catch (e) {
      if (e instanceof jwt.TokenExpiredError) throw unauthenticated('TOKEN_EXPIRED', 'token expired');
      if (e instanceof jwt.NotBeforeError) throw unauthenticated('TOKEN_INVALID', 'token not yet valid');
      const msg = (e as Error).message;
      const claim = /invalid (exp|nbf) value/.exec(msg)?.[1];
      if (claim) throw unauthenticated('TOKEN_CLAIMS_INVALID', `claim ${claim} must be a number`, { claim });
      if (/malformed|invalid token|unexpected token|not a valid|jwt must be/i.test(msg)) {
        throw unauthenticated('TOKEN_MALFORMED', 'token cannot be decoded');
      }
      throw unauthenticated('TOKEN_INVALID', 'token rejected: bad signature, algorithm, issuer or audience');
    }
    if (typeof payload !== 'object' || payload === null) {
      throw unauthenticated('TOKEN_MALFORMED', 'token payload is not a JSON object');
    }
    return claims(payload);
  }
}

function claims(p: jwt.JwtPayload): Principal {
  const bad = (claim: string, why: string) =>
    unauthenticated('TOKEN_CLAIMS_INVALID', `claim ${claim} ${why}`, { claim });
  if (typeof p.exp !== 'number') throw bad('exp', 'is required');
  const tenantId = p.tenant_id;
  if (typeof tenantId !== 'string' || !UUID.test(tenantId)) throw bad('tenant_id', 'must be a UUID');
  if (typeof p.sub !== 'string' || p.sub.trim() === '' || p.sub.length > 256) {
    throw bad('sub', 'must be a non-empty string of at most 256 characters');
  }
  // The subject is written to the ledger, logs and reports as the actor: no control characters
  // (a NUL cannot even be stored) and no unpaired surrogate (JSON's \u escapes can carry one).
  if (SUBJECT_UNSAFE.test(p.sub)) throw bad('sub', 'must not contain control characters or unpaired surrogates');
  if (typeof p.role !== 'string' || !ROLES.includes(p.role as Role)) {
    throw bad('role', `must be one of ${ROLES.join(', ')}`);
  }
  return { tenantId: tenantId.toLowerCase(), subject: p.sub, role: p.role as Role, expiresAt: p.exp };
}
