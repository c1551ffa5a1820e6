import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../config';

export const MIN_LEDGER_KEY_BYTES = 32;
const KID_RE = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * HMAC keys by key id. One key signs new entries; every key verifies the
 * entries it signed, so rotating is adding a key and making it active.
 */
export class KeyRing {
  constructor(
    readonly activeKid: string,
    private readonly keys: ReadonlyMap<string, crypto.KeyObject>,
  ) {
    if (!keys.has(activeKid)) throw new ConfigError(`ledger key "${activeKid}" is active but not in the key ring`);
  }

  get active(): crypto.KeyObject {
    return this.keys.get(this.activeKid)!;
  }

  get(kid: string): crypto.KeyObject | undefined {
    return this.keys.get(kid);
  }

  get kids(): string[] {
    return [...this.keys.keys()];
  }
}

/** Parses "kid1:secret1,kid2:secret2" (secrets base64 or base64url). */
export function parseKeySpec(spec: string, where: string): Map<string, crypto.KeyObject> {
  const keys = new Map<string, crypto.KeyObject>();
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const i = part.indexOf(':');
    const kid = part.slice(0, i);
    if (i < 1 || !KID_RE.test(kid))
      throw new ConfigError(`${where}: each key must be "kid:base64secret" with kid matching ${KID_RE.source}`);
    const secret = Buffer.from(part.slice(i + 1), 'base64');
    if (secret.length < MIN_LEDGER_KEY_BYTES)
      throw new ConfigError(`${where}: key "${kid}" must be at least ${MIN_LEDGER_KEY_BYTES} bytes`);
    if (keys.has(kid)) throw new ConfigError(`${where}: key "${kid}" appears twice`);
    keys.set(kid, crypto.createSecretKey(secret));
  }
  if (keys.size === 0) throw new ConfigError(`${where}: no keys`);
  return keys;
}

export const newKeySpecEntry = (kid: string): string => `${kid}:${crypto.randomBytes(32).toString('base64')}`;

export interface KeyRingSource {
  env: 'development' | 'production';
  dataDir: string;
  /** BTV_LEDGER_KEYS */
  keys?: string;
  /** BTV_LEDGER_ACTIVE_KEY */
  activeKid?: string;
}

export const DEV_LEDGER_KEYS_FILE = 'ledger-keys';

/**
 * Production needs BTV_LEDGER_KEYS (no default key, ever). Development keeps a
 * generated key ring in the data folder (mode 0600) so entries stay verifiable
 * across restarts.
 */
export function loadKeyRing(src: KeyRingSource): KeyRing {
  let spec = src.keys;
  let where = 'BTV_LEDGER_KEYS';
  if (!spec) {
    if (src.env === 'production') throw new ConfigError('BTV_LEDGER_KEYS is required in production');
    const file = path.join(src.dataDir, DEV_LEDGER_KEYS_FILE);
    where = file;
    if (!fs.existsSync(file)) {
      fs.mkdirSync(src.dataDir, { recursive: true });
      try {
        fs.writeFileSync(file, newKeySpecEntry('dev-1') + '\n', { mode: 0o600, flag: 'wx' });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    }
    spec = fs.readFileSync(file, 'utf8').trim();
  }
  const keys = parseKeySpec(spec, where);
  // The last key listed is active unless one is named: rotation appends a key.
  const activeKid = src.activeKid || [...keys.keys()].pop()!;
  return new KeyRing(activeKid, keys);
}
