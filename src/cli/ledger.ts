import { loadLedgerKeys } from '../ledger-keys';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../config';
import { loadConfig } from '../config';
import { LedgerService } from '../audit/ledger';
import { UUID_RE } from '../domain/validation';
import { DEV_CHECKPOINT_KEY_FILE } from '../ledger/checkpoint';
import { parseJsonl, toJsonl } from '../ledger/export';
import { DEV_LEDGER_KEYS_FILE, KeyRing, loadKeyRing, newKeySpecEntry, parseKeySpec } from '../ledger/keyring';
import { verifyExport } from '../ledger/verify-export';
import { buildReceipt, verifyReceipt } from '../ledger/receipt';
import { connectDatabase } from '../store/connect';
import { KnexStorage } from '../store/storage';

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

export const LEDGER_USAGE = `  btv ledger export --tenant UUID [--out FILE] [--no-checkpoint]
      Export the tenant's entries and checkpoints as JSONL (signs a checkpoint of the current head first).
  btv ledger verify FILE [--checkpoints EARLIER_EXPORT]... [--public-key PEM]
      Verify an export offline; exit 1 naming the first bad sequence and the kind of problem.
  btv ledger checkpoint --tenant UUID
      Sign a checkpoint of the tenant's current head.
  btv ledger receipt DECISION_ID --tenant UUID [--out FILE]
      Write a decision's receipt (entry, inclusion proof, a freshly signed checkpoint) as JSON.
  btv ledger verify-receipt FILE --public-key PEM
      Check a receipt offline with the checkpoint public key alone; exit 1 when it does not hold.
  btv ledger rotate-key [--kid NAME]
      Add a new HMAC key that signs new entries after a restart; old keys keep verifying old entries.`;

export interface CliContext {
  config: Config;
  storage: KnexStorage;
  ledger: LedgerService;
  clock: () => Date;
}

/** Opens the configured database and ledger keys the way the server does, for one CLI command. */
export async function withLedger<T>(fn: (ledger: LedgerService, cli: CliContext) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const clock = () => new Date();
  const { keyRing, signer } = loadLedgerKeys(config);
  const database = await connectDatabase({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    timeouts: config.database.timeouts,
  });
  const storage = new KnexStorage(database.db, { keyRing, clock });
  try {
    const ledger = new LedgerService(storage.ledger, keyRing, signer, clock);
    return await fn(ledger, { config, storage, ledger, clock });
  } finally {
    await storage.close();
    await database.close();
  }
}

function tenantArg(tenant: string | undefined): string {
  if (!tenant || !UUID_RE.test(tenant)) throw new CliError('--tenant: a tenant UUID is required');
  return tenant.toLowerCase();
}

async function exportLedger(args: string[]): Promise<string> {
  const { values } = parseArgs({
    args,
    options: { tenant: { type: 'string' }, out: { type: 'string' }, 'no-checkpoint': { type: 'boolean' } },
  });
  const tenantId = tenantArg(values.tenant);
  const text = await withLedger(async (ledger) => {
    if (!values['no-checkpoint']) await ledger.checkpoint(tenantId);
    const { records, checkpoints } = await ledger.snapshot(tenantId);
    return toJsonl(
      { tenant_id: tenantId, exported_at: new Date().toISOString(), checkpoint_public_key: ledger.publicKeyPem },
      records,
      checkpoints,
    );
  });
  if (!values.out) return text.trimEnd();
  fs.writeFileSync(values.out, text);
  return `wrote ${values.out}`;
}

/** The configured key ring, if this machine has one; verification without it checks hashes and checkpoints only. */
function configuredKeyRing(): KeyRing | undefined {
  const config = loadConfig();
  if (config.ledger.keys) {
    const keys = parseKeySpec(config.ledger.keys, 'BTV_LEDGER_KEYS');
    return new KeyRing(config.ledger.activeKey || [...keys.keys()].pop()!, keys);
  }
  const file = path.join(config.dataDir, DEV_LEDGER_KEYS_FILE);
  if (!fs.existsSync(file)) return undefined;
  return loadKeyRing({ env: 'development', dataDir: config.dataDir });
}

function configuredCheckpointKey(): crypto.KeyObject | undefined {
  const config = loadConfig();
  const file = config.ledger.checkpointKeyFile ?? path.join(config.dataDir, DEV_CHECKPOINT_KEY_FILE);
  if (!fs.existsSync(file)) return undefined;
  return crypto.createPublicKey(crypto.createPrivateKey(fs.readFileSync(file)));
}

async function verifyFile(args: string[]): Promise<string> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { checkpoints: { type: 'string', multiple: true }, 'public-key': { type: 'string' } },
  });
  if (positionals.length !== 1) throw new CliError('verify takes exactly one export file');
  const file = parseJsonl(fs.readFileSync(positionals[0], 'utf8'));
  const earlier = (values.checkpoints ?? []).flatMap((f) => parseJsonl(fs.readFileSync(f, 'utf8')).checkpoints);
  const checkpointKey = values['public-key']
    ? crypto.createPublicKey(fs.readFileSync(values['public-key']))
    : configuredCheckpointKey();
  const { tenantId, notes, ...result } = verifyExport(file, { keyRing: configuredKeyRing(), checkpointKey, earlier });
  const out = JSON.stringify({ tenant_id: tenantId, ...result, notes }, null, 2);
  if (!result.valid) throw new CliError(out, 1);
  return out;
}

async function checkpoint(args: string[]): Promise<string> {
  const { values } = parseArgs({ args, options: { tenant: { type: 'string' } } });
  const tenantId = tenantArg(values.tenant);
  const cp = await withLedger((ledger) => ledger.checkpoint(tenantId));
  return JSON.stringify(cp, null, 2);
}

async function receipt(args: string[]): Promise<string> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { tenant: { type: 'string' }, out: { type: 'string' } },
  });
  const tenantId = tenantArg(values.tenant);
  if (positionals.length !== 1 || !UUID_RE.test(positionals[0]))
    throw new CliError('receipt takes exactly one decision id (a UUID)');
  const decisionId = positionals[0].toLowerCase();
  const text = await withLedger(async (ledger) => {
    const entry = await ledger.decisionEntry(tenantId, decisionId);
    const cp = await ledger.checkpoint(tenantId);
    const proof = await ledger.inclusionProof(tenantId, entry.sequence, cp.size);
    return JSON.stringify(buildReceipt(decisionId, entry, proof, cp), null, 2) + '\n';
  });
  if (!values.out) return text.trimEnd();
  fs.writeFileSync(values.out, text);
  return `wrote the receipt of decision ${decisionId} to ${values.out}`;
}

function verifyReceiptFile(args: string[]): string {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'public-key': { type: 'string' } },
  });
  if (positionals.length !== 1) throw new CliError('verify-receipt takes exactly one receipt file');
  if (!values['public-key'])
    throw new CliError(
      '--public-key: the checkpoint public key (PEM) is required: a receipt is only as good as the key it is checked with',
    );
  let key: crypto.KeyObject;
  try {
    key = crypto.createPublicKey(fs.readFileSync(values['public-key']));
  } catch {
    throw new CliError(`--public-key: ${values['public-key']} is not a readable PEM public key`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(positionals[0], 'utf8'));
  } catch {
    throw new CliError(`${positionals[0]}: not a readable JSON file`);
  }
  const v = verifyReceipt(parsed, key);
  const out = JSON.stringify(v, null, 2);
  if (!v.valid) throw new CliError(out, 1);
  return out;
}

function rotateKey(args: string[]): string {
  const { values } = parseArgs({ args, options: { kid: { type: 'string' } } });
  const kid = values.kid ?? `k${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}`;
  const config = loadConfig();
  const entry = newKeySpecEntry(kid);
  if (config.ledger.keys) {
    if (parseKeySpec(config.ledger.keys, 'BTV_LEDGER_KEYS').has(kid)) throw new CliError(`key "${kid}" already exists`);
    return [
      'Set this and restart every server (the last key listed signs new entries; keep the old ones, they verify old entries):',
      `BTV_LEDGER_KEYS=${config.ledger.keys},${entry}`,
      'If BTV_LEDGER_ACTIVE_KEY is set, set it to ' + kid + '.',
    ].join('\n');
  }
  if (config.env === 'production') throw new CliError('BTV_LEDGER_KEYS is required in production');
  const ring = loadKeyRing({ env: config.env, dataDir: config.dataDir });
  if (ring.get(kid)) throw new CliError(`key "${kid}" already exists`);
  const file = path.join(config.dataDir, DEV_LEDGER_KEYS_FILE);
  const spec = fs.readFileSync(file, 'utf8').trim();
  fs.writeFileSync(file, `${spec},${entry}\n`, { mode: 0o600 });
  return `added key "${kid}" to ${file}; restart the server to sign with it`;
}

export function ledgerCommand(args: string[]): Promise<string> | string {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'export':
      return exportLedger(rest);
    case 'verify':
      return verifyFile(rest);
    case 'checkpoint':
      return checkpoint(rest);
    case 'receipt':
      return receipt(rest);
    case 'verify-receipt':
      return verifyReceiptFile(rest);
    case 'rotate-key':
      return rotateKey(rest);
    default:
      throw new CliError(`unknown ledger command "${sub ?? ''}"\n\n${LEDGER_USAGE}`);
  }
}
