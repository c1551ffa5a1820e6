import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../config';
import { canonicalJson } from './canonical';
import { DEFAULT_LOG_ORIGIN } from '../config';
import { checkpointText, openNote, parseCheckpointText, signNote, verifierKey } from './note';

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
  /** RFC 9162 root hash (hex) of the tenant's Merkle tree at `size`; absent on checkpoints made before the tree. */
  rootHash?: string;
  /** The same size and root as a C2SP tlog-checkpoint signed note (origin `<log origin>/<tenant id>`). */
  note?: string;
}

export function checkpointForm(c: Omit<Checkpoint, 'signature'>): string {
  return canonicalJson({
    v: 1,
    type: 'checkpoint',
    tenant_id: c.tenantId,
    size: c.size,
    head_hash: c.headHash,
    time: c.time,
    key_id: c.keyId,
  });
}

/** Key id of a public key: the first 16 hex digits of the SHA-256 of its SPKI DER. */
export function publicKeyId(publicKey: crypto.KeyObject): string {
  return crypto
    .createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

export class CheckpointSigner {
  readonly publicKey: crypto.KeyObject;
  readonly keyId: string;

  constructor(
    private readonly privateKey: crypto.KeyObject,
    /** Tenant T's log is `<logOrigin>/<T>`: the note's origin line and key name. */
    readonly logOrigin = DEFAULT_LOG_ORIGIN,
  ) {
    if (privateKey.asymmetricKeyType !== 'ed25519')
      throw new ConfigError('the checkpoint key must be an Ed25519 private key');
    this.publicKey = crypto.createPublicKey(privateKey);
    this.keyId = publicKeyId(this.publicKey);
  }

  origin(tenantId: string): string {
    return logOriginOf(this.logOrigin, tenantId);
  }

  /** The signed-note verifier key of a tenant's log (`name+keyid+key`), as note tools take it. */
  verifierKey(tenantId: string): string {
    return verifierKey(this.origin(tenantId), this.publicKey);
  }

  /** Signs the head (JSON form, as before the tree) and, given the tree's root, the checkpoint note too. */
  sign(tenantId: string, size: number, headHash: string, time: Date, rootHash?: Buffer): Checkpoint {
    const unsigned = { tenantId, size, headHash, time: time.toISOString(), keyId: this.keyId };
    const cp: Checkpoint = {
      ...unsigned,
      signature: crypto.sign(null, Buffer.from(checkpointForm(unsigned)), this.privateKey).toString('base64'),
    };
    if (rootHash) {
      const origin = this.origin(tenantId);
      cp.rootHash = rootHash.toString('hex');
      cp.note = signNote(checkpointText({ origin, size, rootHash }), origin, this.privateKey);
    }
    return cp;
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

export const logOriginOf = (logOrigin: string, tenantId: string) => `${logOrigin}/${tenantId}`;

/**
 * Checks a checkpoint's signed note against the public key: signed by the key
 * named as its origin line, the origin ending in `/<tenant id>`, and the size
 * and root the same as the checkpoint's fields. Returns a problem, or undefined.
 */
export function checkNote(c: Checkpoint, publicKey: crypto.KeyObject): string | undefined {
  if (!c.note) return c.rootHash ? 'the checkpoint has a root hash but no signed note' : undefined;
  const origin = c.note.slice(0, c.note.indexOf('\n'));
  if (!origin.endsWith(`/${c.tenantId}`))
    return `the note's origin ${JSON.stringify(origin)} is not tenant ${c.tenantId}'s log`;
  let body;
  try {
    body = parseCheckpointText(openNote(c.note, origin, publicKey));
  } catch (e) {
    return `the signed note does not verify: ${(e as Error).message}`;
  }
  if (body.size !== c.size || body.rootHash.toString('hex') !== c.rootHash)
    return "the signed note does not match the checkpoint's size and root hash";
  return undefined;
}

export const DEV_CHECKPOINT_KEY_FILE = 'checkpoint-ed25519.pem';

/** Production needs BTV_CHECKPOINT_KEY_FILE; development generates a key in the data folder. */
export function loadCheckpointKey(src: {
  env: 'development' | 'production';
  dataDir: string;
  keyFile?: string;
}): crypto.KeyObject {
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
