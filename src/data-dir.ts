import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Written in every data folder this program makes or adopts: later starts know the folder is theirs to keep private. */
export const DATA_DIR_MARKER = '.btv-data-dir';

/**
 * What this program keeps in a data folder (secrets, the database, its locks). A folder holding
 * nothing else was ours before the marker existed. `corpus` is the classifier's training data the
 * repository ships in ./data, the default folder.
 */
const OUR_ENTRIES = new Set([
  DATA_DIR_MARKER,
  'postgres',
  'postgres-password',
  'jwt-secret',
  'ledger-keys',
  'checkpoint-ed25519.pem',
  'dev-tenant-id',
  'server.lock',
  'init.lock',
  'corpus',
]);

/**
 * The data folder holds secrets (JWT, ledger and checkpoint keys, the database password) and the
 * database: nobody else may read it, whatever the umask. As root, the server's own user must still
 * reach its folder inside, so that user's group may pass through (0710) but not list or read.
 */
export function secureDataDir(dataDir: string, runAs: { gid?: number } = {}): void {
  const created = fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 }) !== undefined;
  const st = fs.statSync(dataDir);
  // A shared folder (/tmp, sticky) or someone else's is never made private behind its owner's back.
  if (st.mode & 0o1000 || (process.getuid && st.uid !== process.getuid())) {
    throw new DataDirError(
      `BTV_DATA_DIR ${dataDir} is a shared folder or not this user's (mode ${(st.mode & 0o7777).toString(8)}): point it at a folder of its own`,
    );
  }
  // Nor is a folder of ours that holds other things (BTV_DATA_DIR=/var/lib as root would lock out every service there).
  if (!created) checkDedicated(dataDir);
  if (runAs.gid !== undefined) {
    fs.chownSync(dataDir, st.uid, runAs.gid);
    fs.chmodSync(dataDir, 0o710);
  } else {
    fs.chmodSync(dataDir, 0o700);
  }
  const marker = path.join(dataDir, DATA_DIR_MARKER);
  if (!fs.existsSync(marker))
    writePrivateFile(marker, 'BuildToValue data folder: secrets and the embedded database (BTV_DATA_DIR)\n');
}

/** An existing folder is ours if it carries the marker, or holds nothing but what we keep there. */
function checkDedicated(dataDir: string): void {
  if (fs.existsSync(path.join(dataDir, DATA_DIR_MARKER))) return;
  const foreign = fs.readdirSync(dataDir).filter((name) => !OUR_ENTRIES.has(name));
  if (foreign.length === 0) return;
  const shown = foreign.slice(0, 5).join(', ') + (foreign.length > 5 ? `, … (${foreign.length} in all)` : '');
  throw new DataDirError(
    `BTV_DATA_DIR ${dataDir} already holds files that are not BuildToValue's (${shown}); it would be made private (mode 0700): ` +
      `point BTV_DATA_DIR at a dedicated folder (a new or empty one)`,
  );
}

export class DataDirError extends Error {}

/** Writes a file only its owner can read, whatever the umask (mode applies only to new files). */
export function writePrivateFile(file: string, content: string | Buffer): void {
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC, 0o600);
  try {
    fs.fchmodSync(fd, 0o600);
    fs.writeSync(fd, typeof content === 'string' ? Buffer.from(content) : content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Where /proc tells about processes (Linux): a pid can then be checked against the process that wrote it. */
export function hasProc(): boolean {
  return fs.existsSync('/proc/self/stat');
}

/**
 * When a process started (clock ticks since boot, field 22 of /proc/<pid>/stat): with its pid, it
 * names one process, even once the pid is reused. Undefined without /proc or once it is gone.
 */
export function processStart(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid exists (of any user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface HeldLock {
  release(): void;
  /** The pid of a process that held the lock and died without releasing it. */
  staleFrom?: number;
}

/** Someone else's lock: the pid of the live process holding it. */
export interface LockBusy {
  heldBy: number;
}

/** A lock file being written by its creator has no content for a moment; one empty for longer was left by a crash. */
const UNWRITTEN_LOCK_GRACE_MS = 5_000;

interface LockContent {
  raw: string;
  pid: number;
  start?: string;
}

function readLock(file: string): LockContent | undefined {
  let raw: string;
  let mtimeMs: number;
  try {
    raw = fs.readFileSync(file, 'utf8');
    mtimeMs = fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
  const [pid, start] = raw.split('\n');
  if (Number.isInteger(Number(pid)) && Number(pid) > 0) return { raw, pid: Number(pid), start: start || undefined };
  // Unreadable content: held (pid 0 = unknown) while it may still be being written, else stale.
  return Date.now() - mtimeMs < UNWRITTEN_LOCK_GRACE_MS ? { raw, pid: 0 } : { raw, pid: -1 };
}

/** The lock's process is still the one that wrote it: alive and, where /proc can tell, started when it said. */
function holderLive(lock: LockContent): boolean {
  if (lock.pid === 0) return true;
  if (lock.pid < 0 || !processAlive(lock.pid)) return false;
  if (lock.start !== undefined && hasProc()) return processStart(lock.pid) === lock.start;
  return true;
}

/**
 * Takes a stale lock out of the way. Renamed first, so that of two processes finding the same stale
 * lock, the second cannot delete the fresh one the first has just taken: it finds its rename holds
 * other content and puts it back.
 */
function removeStale(file: string, stale: LockContent): void {
  const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    fs.renameSync(file, aside);
  } catch {
    return; // already gone
  }
  if (fs.readFileSync(aside, 'utf8') !== stale.raw) {
    try {
      fs.linkSync(aside, file);
    } catch {
      // a third process took the lock meanwhile: it keeps it
    }
  }
  fs.rmSync(aside, { force: true });
}

/**
 * An exclusive lock file (created with O_EXCL) naming this process, or the live process that holds
 * it. A lock whose process is gone (or whose pid now belongs to another process) is taken over.
 */
export function takeLock(file: string): HeldLock | LockBusy {
  let staleFrom: number | undefined;
  for (let attempt = 0; attempt < 10; attempt++) {
    const token = `${process.pid}\n${processStart(process.pid) ?? ''}\n`;
    let fd: number;
    try {
      fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const held = readLock(file);
      if (!held) continue;
      if (holderLive(held)) return { heldBy: held.pid };
      if (held.pid > 0) staleFrom = held.pid;
      removeStale(file, held);
      continue;
    }
    try {
      fs.writeSync(fd, token);
    } finally {
      fs.closeSync(fd);
    }
    return { release: () => releaseLock(file, token), staleFrom };
  }
  throw new DataDirError(`could not take the lock ${file}: it keeps changing hands`);
}

/** Removes the lock file only while it is still this holder's. */
function releaseLock(file: string, token: string): void {
  try {
    if (fs.readFileSync(file, 'utf8') === token) fs.rmSync(file, { force: true });
  } catch {
    // already gone
  }
}
