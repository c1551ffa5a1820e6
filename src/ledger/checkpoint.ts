import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../config';
import { canonicalJson } from './canonical';

/**
 * A signed statement "tenant T's ledger had `size` entries ending in
 * `headHash` at `time`". Anyone with the Ed25519 public key can check it, so a
 * ledger later cut back or rewritten below `size` is caught.
 */
export interface Checkpoint {
  tenantId: string;
  size: number;
  headHash: string;
  time: string;
  keyId: string;
  /** Ed25519 signature (base64) of checkpointForm(). */
  signature: string;
}

export function checkpointForm(c: Omit<Checkpoint, 'signature'>): string {
  return canonicalJson({ v: 1, type: 'checkpoint', tenant_id: c.tenantId, size: c.size, head_hash: c.headHash, time: c.time, key_id: c.keyId });
}

/** Key id of a public key: the first 16 hex digits of the SHA-256 of its SPKI DER. */
export function publicKeyId(publicKey: crypto.KeyObject): string {
  return crypto.createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

export class CheckpointSigner {
  readonly publicKey: crypto.KeyObject;
  readonly keyId: string;

  constructor(private readonly privateKey: crypto.KeyObject) {
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new ConfigError('the checkpoint key must be an Ed25519 private key');
    this.publicKey = crypto.createPublicKey(privateKey);
    this.keyId = publicKeyId(this.publicKey);
  }

  sign(tenantId: string, size: number, headHash: string, time: Date): Checkpoint {
    const unsigned = { tenantId, size, headHash, time: time.toISOString(), keyId: this.keyId };
    return { ...unsigned, signature: crypto.sign(null, Buffer.from(checkpointForm(unsigned)), this.privateKey).toString('base64') };
  }

  publicKeyPem(): string {
    return this.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }
}

export function verifyCheckpointSignature(c: Checkpoint, publicKey: crypto.KeyObject): boolean {
  if (c.keyId !== publicKeyId(publicKey)) return false;
  try {
    return crypto.verify(null, Buffer.from(checkpointForm(c)), publicKey, Buffer.from(c.signature, 'base64'));
  } catch {
    return false;
  }
}

export const DEV_CHECKPOINT_KEY_FILE = 'checkpoint-ed25519.pem';

/** Production needs BTV_CHECKPOINT_KEY_FILE; development generates a key in the data folder. */
export function loadCheckpointKey(src: { env: 'development' | 'production'; dataDir: string; keyFile?: string }): crypto.KeyObject {
  let file = src.keyFile;
  if (!file) {
    if (src.env === 'production') throw new ConfigError('BTV_CHECKPOINT_KEY_FILE is required in production');
    file = path.join(src.dataDir, DEV_CHECKPOINT_KEY_FILE);
    if (!fs.existsSync(file)) {
      fs.mkdirSync(src.dataDir, { recursive: true });
      const { privateKey } = crypto.generateKeyPairSync('ed25519');
      try {
        fs.writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    }
  }
  try {
    return crypto.createPrivateKey(fs.readFileSync(file));
  } catch {
    throw new ConfigError(`${file}: not a readable PEM private key`);
  }
}
