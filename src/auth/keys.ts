import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Config } from '../config';
import { ConfigError } from '../config';

/** HS256 secrets shorter than this are refused in production (RFC 7518 §3.2). */
export const MIN_SECRET_BYTES = 32;
const DEV_SECRET_FILE = 'jwt-secret';

export interface VerificationKey {
  /** A KeyObject, built once: handing jsonwebtoken a string rebuilds a key on every call. */
  key: crypto.KeyObject;
  /** Where the key came from, for the start-up log (never the key itself). */
  source: string;
}

/**
 * Loads the key that verifies tokens. In development with no secret configured
 * it creates one in the data folder (mode 0600) and reuses it across restarts.
 */
export function loadVerificationKey(config: Config): VerificationKey {
  const { jwt } = config;
  if (jwt.algorithm !== 'HS256') {
    if (!jwt.publicKeyFile) throw new ConfigError(`BTV_JWT_PUBLIC_KEY_FILE is required for ${jwt.algorithm}`);
    let key: crypto.KeyObject;
    try {
      key = crypto.createPublicKey(fs.readFileSync(jwt.publicKeyFile));
    } catch (e) {
      throw new ConfigError(`BTV_JWT_PUBLIC_KEY_FILE ${jwt.publicKeyFile}: not a readable PEM public key`);
    }
    const expected = jwt.algorithm === 'RS256' ? 'rsa' : 'ec';
    if (key.asymmetricKeyType !== expected) {
      throw new ConfigError(
        `BTV_JWT_PUBLIC_KEY_FILE holds a ${key.asymmetricKeyType} key, ${jwt.algorithm} needs ${expected}`,
      );
    }
    if (expected === 'ec' && key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new ConfigError('BTV_JWT_PUBLIC_KEY_FILE: ES256 needs a P-256 (prime256v1) key');
    }
    if (expected === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048 && config.env === 'production') {
      throw new ConfigError('BTV_JWT_PUBLIC_KEY_FILE: RSA keys under 2048 bits are refused in production');
    }
    return { key, source: jwt.publicKeyFile };
  }
  if (jwt.secret) {
    if (Buffer.byteLength(jwt.secret) < MIN_SECRET_BYTES && config.env === 'production') {
      throw new ConfigError(`BTV_JWT_SECRET must be at least ${MIN_SECRET_BYTES} bytes in production`);
    }
    return { key: crypto.createSecretKey(Buffer.from(jwt.secret)), source: 'BTV_JWT_SECRET' };
  }
  if (config.env === 'production') throw new ConfigError('BTV_JWT_SECRET is required in production');
  const file = path.join(config.dataDir, DEV_SECRET_FILE);
  return { key: crypto.createSecretKey(Buffer.from(readOrCreateDevSecret(file))), source: file };
}

function readDevSecret(file: string): string {
  const secret = fs.readFileSync(file, 'utf8').trim();
  // An empty or cut file would mean an empty HMAC key that anyone can sign with.
  if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
    throw new ConfigError(
      `${file} holds a secret under ${MIN_SECRET_BYTES} bytes: delete it to have a new one generated`,
    );
  }
  return secret;
}

function readOrCreateDevSecret(file: string): string {
  try {
    return readDevSecret(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const secret = crypto.randomBytes(48).toString('base64url');
  // Written whole under a temporary name, then linked into place: link() fails if
  // the file exists, so two processes starting together never see a partial secret
  // nor overwrite each other's.
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
  fs.writeFileSync(tmp, secret + '\n', { mode: 0o600, flag: 'wx' });
  try {
    fs.linkSync(tmp, file);
    return secret;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return readDevSecret(file);
    throw e;
  } finally {
    fs.unlinkSync(tmp);
  }
}
