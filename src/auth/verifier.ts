import type * as crypto from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { JwtAlgorithm } from '../config';
import { DEFAULT_JWT_MAX_LIFETIME_S } from '../config';
import type { Role } from '../domain/context';
import { ROLES } from '../domain/context';
import { unauthenticated } from '../domain/errors';
import { CONTROL_RE } from '../domain/validation';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

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
  /** Longest accepted exp - iat (exp - now without iat), in seconds: BTV_JWT_MAX_LIFETIME_S. */
  maxLifetimeS?: number;
}

/** How far ahead of this server's clock an issuer's clock may be when it stamps `iat`. */
const CLOCK_SKEW_S = 60;

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
  private readonly maxLifetimeS: number;

  constructor(private readonly opts: VerifierOptions) {
    // Pinning the algorithm list is what rejects `alg: none` and HS/RS confusion.
    this.options = { algorithms: [opts.algorithm], issuer: opts.issuer, audience: opts.audience };
    this.maxLifetimeS = opts.maxLifetimeS ?? DEFAULT_JWT_MAX_LIFETIME_S;
  }

  /**
   * Verifies the raw `authorization` metadata: one value, or every value the call carried.
   * Two values are refused rather than one picked: a proxy in front may have judged the other.
   */
  verifyHeader(values: string | readonly unknown[] | undefined): Principal {
    if (typeof values === 'object' && values.length > 1) {
      throw unauthenticated('TOKEN_MALFORMED', 'authorization metadata must be sent once: "Bearer <JWT>"');
    }
    const header = typeof values === 'object' ? values[0] : values;
    if (typeof header !== 'string' || header === '') {
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
    checkSegments(token);
    return claims(payload, this.maxLifetimeS);
  }
}

/**
 * What jsonwebtoken lets through in a token it verified: a key named twice in the header or the
 * payload (JSON.parse keeps the last one; a gateway's parser may keep the first and see another
 * role or tenant), and a `crit` header (it lists extensions the issuer requires us to understand,
 * and we implement none). Runs after the signature check, so both segments are JSON it parsed.
 */
function checkSegments(token: string): void {
  const dot = token.indexOf('.');
  const headerKeys = objectKeys(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8'));
  const payloadKeys = objectKeys(
    Buffer.from(token.slice(dot + 1, token.indexOf('.', dot + 1)), 'base64url').toString('utf8'),
  );
  if (!headerKeys || !payloadKeys)
    throw unauthenticated('TOKEN_MALFORMED', 'token header or payload names a key twice');
  if (headerKeys.has('crit'))
    throw unauthenticated('TOKEN_INVALID', 'token header has crit: no JWS extension is supported');
}

/**
 * The top-level keys of JSON text JSON.parse accepts, or undefined when an object at any depth
 * names a key twice. One pass over the characters (tokens are small), no regular expression.
 */
function objectKeys(json: string): Set<string> | undefined {
  // One entry per open container: the keys seen so far of an object, null for an array.
  const open: (Set<string> | null)[] = [];
  let top: Set<string> | undefined;
  let keyNext = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      let escaped = false;
      for (i++; i < json.length && json.charCodeAt(i) !== 0x22; i++) {
        if (json.charCodeAt(i) === 0x5c /* \ */) {
          escaped = true;
          i++;
        }
      }
      if (!keyNext) continue;
      // Unescaped, so that "r\u006fle" and "role" are the same key, as they are to JSON.parse.
      const key = escaped ? (JSON.parse(json.slice(start, i + 1)) as string) : json.slice(start + 1, i);
      const keys = open[open.length - 1]!;
      if (keys.has(key)) return undefined;
      keys.add(key);
      keyNext = false;
    } else if (c === 0x7b /* { */) {
      const keys = new Set<string>();
      if (open.length === 0) top = keys;
      open.push(keys);
      keyNext = true;
    } else if (c === 0x5b /* [ */) {
      open.push(null);
      keyNext = false;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      open.pop();
      keyNext = false;
    } else if (c === 0x2c /* , */) {
      keyNext = open[open.length - 1] instanceof Set;
    }
  }
  return top ?? new Set();
}

function claims(p: jwt.JwtPayload, maxLifetimeS: number): Principal {
  const bad = (claim: string, why: string) =>
    unauthenticated('TOKEN_CLAIMS_INVALID', `claim ${claim} ${why}`, { claim });
  if (typeof p.exp !== 'number') throw bad('exp', 'is required');
  // JSON.parse reads 1e400 as Infinity: a token that never expires, and never leaves the cache.
  if (!Number.isFinite(p.exp)) throw bad('exp', 'must be a finite number');
  const now = Math.floor(Date.now() / 1000);
  if (p.iat !== undefined) {
    if (typeof p.iat !== 'number' || !Number.isFinite(p.iat)) throw bad('iat', 'must be a finite number');
    if (p.iat > now + CLOCK_SKEW_S) throw bad('iat', 'lies in the future');
  }
  // A stolen token is good until exp: bound how long that can be, whatever the issuer chose.
  if (p.exp - (p.iat ?? now) > maxLifetimeS) {
    throw bad('exp', `must be at most ${maxLifetimeS} s after iat (or after now, without iat)`);
  }
  const tenantId = p.tenant_id;
  if (typeof tenantId !== 'string' || !UUID.test(tenantId)) throw bad('tenant_id', 'must be a UUID');
  if (typeof p.sub !== 'string' || p.sub.trim() === '' || p.sub.length > 256) {
    throw bad('sub', 'must be a non-empty string of at most 256 characters');
  }
  // The subject is written to the ledger, logs and reports as the actor: no control or bidi characters
  // (a NUL cannot even be stored) and no unpaired surrogate (JSON's \u escapes can carry one).
  if (CONTROL_RE.test(p.sub) || UNPAIRED_SURROGATE.test(p.sub))
    throw bad('sub', 'must not contain control or bidirectional formatting characters, or unpaired surrogates');
  if (typeof p.role !== 'string' || !ROLES.includes(p.role as Role)) {
    throw bad('role', `must be one of ${ROLES.join(', ')}`);
  }
  return { tenantId: tenantId.toLowerCase(), subject: p.sub, role: p.role as Role, expiresAt: p.exp };
}
