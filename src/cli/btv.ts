import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { loadVerificationKey } from '../auth/keys';
import { mintToken } from '../auth/tokens';
import type { Role } from '../domain/context';
import { ROLES } from '../domain/context';
import { UUID_RE } from '../domain/validation';
import { ConfigError, loadConfig } from '../config';
import { connectDatabase } from '../store/connect';
import { ExportFormatError } from '../ledger/export';
import { CliError, LEDGER_USAGE, ledgerCommand } from './ledger';
import { REPORT_USAGE, reportCommand } from './report';

const USAGE = `btv — BuildToValue gRPC operator tool

Commands:
  btv token --tenant UUID --role admin|dev|auditor|app [--sub ID] [--ttl 1h] [--key PRIVATE_KEY_PEM]
      Mint a bearer token the server accepts (HS256 uses BTV_JWT_SECRET or the
      development secret in BTV_DATA_DIR; RS256/ES256 need --key).
  btv migrate
      Apply database migrations to BTV_DATABASE_URL (or the embedded database).
${LEDGER_USAGE}
${REPORT_USAGE}

Configuration comes from the same BTV_* environment variables as the server.`;

export class UsageError extends Error {}

/** Accepts seconds or a number with s/m/h/d. */
export function parseTtl(s: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(s.trim());
  if (!m) throw new UsageError(`--ttl: expected seconds or a number with s/m/h/d, got "${s}"`);
  const n = Number(m[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  if (n <= 0 || n > 366 * 86400) throw new UsageError('--ttl: must be from 1 second to 366 days');
  return n;
}

function token(args: string[]): string {
  const { values } = parseArgs({
    args,
    options: {
      tenant: { type: 'string' },
      role: { type: 'string' },
      sub: { type: 'string' },
      ttl: { type: 'string', default: '1h' },
      key: { type: 'string' },
    },
    strict: true,
  });
  if (!values.tenant || !UUID_RE.test(values.tenant)) throw new UsageError('--tenant: a tenant UUID is required');
  if (!values.role || !ROLES.includes(values.role as Role))
    throw new UsageError(`--role: one of ${ROLES.join(', ')} is required`);
  const config = loadConfig();
  const key =
    config.jwt.algorithm === 'HS256'
      ? loadVerificationKey(config).key
      : values.key
        ? crypto.createPrivateKey(fs.readFileSync(values.key))
        : (() => {
            throw new UsageError(`--key: ${config.jwt.algorithm} tokens need the private key PEM`);
          })();
  return mintToken({
    tenantId: values.tenant.toLowerCase(),
    role: values.role as Role,
    subject: values.sub ?? `cli-${values.role}`,
    ttlSeconds: parseTtl(values.ttl),
    algorithm: config.jwt.algorithm,
    key,
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
  });
}

async function runMigrations(): Promise<string> {
  const config = loadConfig();
  const database = await connectDatabase({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    timeouts: config.database.timeouts,
  });
  await database.close();
  const applied = database.migrations;
  return `${database.description}: ${applied.length ? `applied ${applied.join(', ')}` : 'already up to date'}`;
}

export async function run(argv: string[]): Promise<string> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'token':
      return token(rest);
    case 'migrate':
      return runMigrations();
    case 'ledger':
      return ledgerCommand(rest);
    case 'report':
      return reportCommand(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      return USAGE;
    default:
      throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
  }
}

export function main(): void {
  run(process.argv.slice(2)).then(
    (out) => process.stdout.write(out + '\n'),
    (e) => {
      if (e instanceof CliError && e.exitCode === 1) {
        // A verification failure: the report goes to stdout, the exit code says it failed.
        process.stdout.write(e.message + '\n');
        process.exit(1);
      }
      const known =
        e instanceof UsageError ||
        e instanceof CliError ||
        e instanceof ConfigError ||
        e instanceof ExportFormatError ||
        (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
      process.stderr.write(`btv: ${known ? e.message : 'failed: ' + (e as Error).message}\n`);
      process.exit(2);
    },
  );
}

if (require.main === module) main();
