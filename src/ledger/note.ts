import * as crypto from 'node:crypto';

/**
 * C2SP signed notes (c2sp.org/signed-note) with Ed25519 signatures, and the
 * tlog-checkpoint body (c2sp.org/tlog-checkpoint): origin, tree size, base64
 * root hash. Any implementation of those specifications (Go's
 * golang.org/x/mod/sumdb/note, transparency-dev, our Python verifier) checks
 * our checkpoints with the verifier key alone.
 */

const ED25519 = 0x01;
const DASH = '\u2014 ';
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** The 32-byte RFC 8032 encoding of an Ed25519 public key. */
export function rawPublicKey(key: crypto.KeyObject): Buffer {
  const der = key.export({ type: 'spki', format: 'der' });
  return der.subarray(der.length - 32);
}

export const publicKeyFromRaw = (raw: Buffer): crypto.KeyObject =>
  crypto.createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
export const privateKeyFromSeed = (seed: Buffer): crypto.KeyObject =>
  crypto.createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });

/** Key names must be non-empty, without spaces or '+'. */
export const validKeyName = (name: string): boolean => name.length > 0 && !/[\s+]/u.test(name);

/** key ID = SHA-256(key name || 0x0A || 0x01 || 32-byte public key)[:4] */
export function noteKeyId(name: string, publicKey: crypto.KeyObject): Buffer {
  return crypto
    .createHash('sha256')
    .update(Buffer.concat([Buffer.from(`${name}\n`), Buffer.from([ED25519]), rawPublicKey(publicKey)]))
    .digest()
    .subarray(0, 4);
}

/** The verifier key string `name+hex(key ID)+base64(0x01 || public key)`, as note tools take it. */
export const verifierKey = (name: string, publicKey: crypto.KeyObject): string =>
  `${name}+${noteKeyId(name, publicKey).toString('hex')}+${Buffer.concat([Buffer.from([ED25519]), rawPublicKey(publicKey)]).toString('base64')}`;

export function parseVerifierKey(vkey: string): { name: string; publicKey: crypto.KeyObject } {
  // The name holds no '+' and the key id is hex; the base64 key after them may hold '+'.
  const i = vkey.indexOf('+');
  const j = vkey.indexOf('+', i + 1);
  const [name, hash, material] = [vkey.slice(0, i), vkey.slice(i + 1, j), vkey.slice(j + 1)];
  const raw = Buffer.from(material, 'base64');
  if (
    i < 0 ||
    j < 0 ||
    !validKeyName(name) ||
    raw.length !== 33 ||
    raw[0] !== ED25519 ||
    raw.toString('base64') !== material
  )
    throw new Error('not an Ed25519 verifier key');
  const publicKey = publicKeyFromRaw(raw.subarray(1));
  if (noteKeyId(name, publicKey).toString('hex') !== hash)
    throw new Error('verifier key: the key ID does not match the key');
  return { name, publicKey };
}

/** Signs `text` (which must end in a newline) as a note with one signature line. */
export function signNote(text: string, name: string, privateKey: crypto.KeyObject): string {
  if (!text.endsWith('\n')) throw new Error('note text must end with a newline');
  if (!validKeyName(name)) throw new Error(`note key name ${JSON.stringify(name)} is empty or holds a space or '+'`);
  const publicKey = crypto.createPublicKey(privateKey);
  const sig = crypto.sign(null, Buffer.from(text), privateKey);
  return `${text}\n${DASH}${name} ${Buffer.concat([noteKeyId(name, publicKey), sig]).toString('base64')}\n`;
}

/**
 * The text of a note if a signature by (name, key) on it verifies; otherwise
 * an error. Signatures of other keys are ignored, as the specification asks.
 */
export function openNote(note: string, name: string, publicKey: crypto.KeyObject): string {
  if (/[\u0000-\u0009\u000b-\u001f]/.test(note)) throw new Error('note holds control characters');
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new Error('malformed note: no signature block');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  const id = noteKeyId(name, publicKey);
  let verified = false;
  for (const line of lines) {
    if (!line.startsWith(DASH)) throw new Error('malformed note: a signature line must start with an em dash');
    const [signer, b64, ...more] = line.slice(DASH.length).split(' ');
    const blob = Buffer.from(b64 ?? '', 'base64');
    if (more.length || !validKeyName(signer) || blob.length < 5 || blob.toString('base64') !== b64)
      throw new Error('malformed note: bad signature line');
    if (signer !== name || !blob.subarray(0, 4).equals(id)) continue;
    if (!crypto.verify(null, Buffer.from(text), publicKey, blob.subarray(4)))
      throw new Error('note signature does not verify');
    verified = true;
  }
  if (!verified) throw new Error(`note is not signed by ${name}`);
  return text;
}

export interface CheckpointBody {
  origin: string;
  size: number;
  rootHash: Buffer;
}

export function checkpointText(c: CheckpointBody): string {
  return `${c.origin}\n${c.size}\n${c.rootHash.toString('base64')}\n`;
}

export function parseCheckpointText(text: string): CheckpointBody {
  const [origin, size, root] = text.split('\n');
  const rootHash = Buffer.from(root ?? '', 'base64');
  if (
    !origin ||
    !/^(0|[1-9][0-9]*)$/.test(size ?? '') ||
    rootHash.length !== 32 ||
    rootHash.toString('base64') !== root
  ) {
    throw new Error('not a tlog-checkpoint: origin, tree size and base64 root hash expected');
  }
  return { origin, size: Number(size), rootHash };
}
