import * as fs from 'node:fs';

/**
 * The data folder holds secrets (JWT, ledger and checkpoint keys, the database password) and the
 * database: nobody else may read it, whatever the umask. As root, the server's own user must still
 * reach its folder inside, so that user's group may pass through (0710) but not list or read.
 */
export function secureDataDir(dataDir: string, runAs: { gid?: number } = {}): void {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const st = fs.statSync(dataDir);
  // A shared folder (/tmp, sticky) or someone else's is never made private behind its owner's back.
  if (st.mode & 0o1000 || (process.getuid && st.uid !== process.getuid())) {
    throw new DataDirError(`BTV_DATA_DIR ${dataDir} is a shared folder or not this user's (mode ${(st.mode & 0o7777).toString(8)}): point it at a folder of its own`);
  }
  if (runAs.gid !== undefined) {
    fs.chownSync(dataDir, st.uid, runAs.gid);
    fs.chmodSync(dataDir, 0o710);
  } else {
    fs.chmodSync(dataDir, 0o700);
  }
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
