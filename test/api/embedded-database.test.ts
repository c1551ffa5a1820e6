/**
 * The embedded default (`npm start` with no BTV_DATABASE_URL) as an operator meets it: durable
 * commits, a private data folder, the CLI beside a running server, damaged data and a full disk
 * answered for what they are, and start-up failures that say why.
 */
import * as crypto from 'node:crypto';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { Client } from 'pg';
import { AiSystem, RiskClassification } from '../../gen/ts/btv/v1/types';
import { HealthCheckResponse_ServingStatus, HealthClient } from '../../gen/ts/grpc/health/v1/health';
import { mintToken } from '../../src/auth/tokens';
import type { Role } from '../../src/domain/context';
import { serverUser, startEmbeddedPostgres } from '../../src/store/embedded-postgres';
import type { Clients } from '../helpers/grpc';
import { bearer, call, connect, expectError } from '../helpers/grpc';
import type { ServerProcess } from '../helpers/process';
import { btv, runToExit, spawnServer } from '../helpers/process';

const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));
/** A data folder of its own, in a temporary folder the database's user (postgres, as root) may pass through. */
const dataFolder = (prefix: string) => {
  const parent = tmp(prefix);
  fs.chmodSync(parent, 0o711);
  return path.join(parent, 'data');
};
const system = (id: string, purpose = '') =>
  AiSystem.fromPartial({
    id,
    name: id,
    intendedPurpose: purpose,
    risk: RiskClassification.RISK_CLASSIFICATION_MINIMAL,
  });
const have = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const isRoot = process.getuid?.() === 0;

function minter(secret: string) {
  const key = crypto.createSecretKey(Buffer.from(secret));
  return (tenantId: string, role: Role) =>
    mintToken({ tenantId, role, subject: `embedded-${role}`, ttlSeconds: 600, algorithm: 'HS256', key });
}

/** A server process on its own embedded database, with the tokens to call it. */
async function serve(dataDir: string, wrap: string[] = [], env: Record<string, string> = {}) {
  const secret = crypto.randomBytes(48).toString('base64url');
  const proc = await spawnServer(
    { BTV_DATA_DIR: dataDir, BTV_JWT_SECRET: secret, BTV_CHECKPOINT_INTERVAL_MS: '0', ...env },
    90_000,
    wrap,
  );
  const c = connect(`127.0.0.1:${proc.port}`);
  const tenantId = crypto.randomUUID();
  const mint = minter(secret);
  return { proc, c, tenantId, secret, md: (role: Role) => bearer(mint(tenantId, role)) };
}

/** Child processes of pid (a wrapper's, e.g. the server under strace). */
function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function stop(
  s: { proc: ServerProcess; c: Clients } | undefined,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  if (!s) return;
  s.c.close();
  if (s.proc.child.exitCode === null && s.proc.child.signalCode === null) {
    for (const pid of childrenOf(s.proc.child.pid!)) process.kill(pid, signal);
    s.proc.child.kill(signal);
  }
  await s.proc.exited;
}

/** Every file and folder under dir with its mode, folders first. */
function walk(dir: string): { file: string; mode: number; isDir: boolean }[] {
  const out = [{ file: dir, mode: fs.statSync(dir).mode & 0o7777, isDir: true }];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile()) out.push({ file: p, mode: fs.statSync(p).mode & 0o7777, isDir: false });
  }
  return out;
}

describe('the embedded database (the default of npm start)', function () {
  this.timeout(240_000);
  let running: Awaited<ReturnType<typeof serve>> | undefined;
  afterEach(async () => {
    await stop(running, 'SIGKILL');
    running = undefined;
  });

  it('flushes its write-ahead log to disk for every commit before answering (fsync/fdatasync counted per group commit)', async function () {
    if (!have('strace')) {
      if (process.env.CI) throw new Error('strace is missing: .ci/run installs it');
      this.skip();
    }
    const trace = path.join(tmp('btv-fsync-trace-'), 'trace');
    const dataDir = dataFolder('btv-fsync-');
    running = await serve(dataDir, [
      'strace',
      '-f',
      '-qq',
      '-y',
      '-e',
      'trace=fsync,fdatasync,sync_file_range',
      '-o',
      trace,
    ]);
    const walSyncs = () =>
      fs
        .readFileSync(trace, 'utf8')
        .split('\n')
        .filter((l) => /(fsync|fdatasync|sync_file_range)\(\d+<[^>]*\/pg_wal\//.test(l)).length;
    const dev = running.md('dev');
    await call(running.c.governance, running.c.governance.registerSystem, { system: system('warm') }, dev);

    const before = walSyncs();
    const sequential = 20;
    for (let i = 0; i < sequential; i++)
      await call(running.c.governance, running.c.governance.registerSystem, { system: system(`seq-${i}`) }, dev);
    const afterSequential = walSyncs();
    // Each call waited for its own commit: at least one flush of the WAL each.
    expect(afterSequential - before, `WAL flushes for ${sequential} sequential commits`).to.be.at.least(sequential);

    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        call(running!.c.governance, running!.c.governance.registerSystem, { system: system(`par-${i}`) }, dev),
      ),
    );
    running.c.close();
    // The server itself is strace's child: strace passes no signal on, and exits when its tracees have.
    process.kill(childrenOf(running.proc.child.pid!)[0], 'SIGTERM');
    await running.proc.exited;
    const totals = JSON.parse(
      running.proc
        .stdout()
        .split('\n')
        .find((l) => l.includes('"group commit totals"'))!,
    );
    const commits = totals.batches + totals.optimisticBatches;
    expect(totals.jobs + totals.optimisticJobs, 'jobs').to.equal(1 + sequential + 200);
    expect(commits, 'group commits').to.be.below(1 + sequential + 200);
    // Every commit, shared or not, was flushed.
    expect(walSyncs(), `WAL flushes for ${commits} commits`).to.be.at.least(commits);
    running = undefined;
  });

  it('keeps its data folder private whatever the umask: nothing readable or writable by others, no file by the group', async () => {
    const dataDir = dataFolder('btv-perms-');
    running = await serve(dataDir, ['sh', '-c', 'umask 000; exec "$0" "$@"']);
    await call(
      running.c.governance,
      running.c.governance.registerSystem,
      { system: system('private', 'patient triage') },
      running.md('dev'),
    );
    const entries = walk(dataDir);
    expect(entries.length).to.be.greaterThan(100); // the database's own files are included
    const open = entries.filter(
      (e) => (e.mode & 0o007) !== 0 || (!e.isDir && (e.mode & 0o077) !== 0) || (e.isDir && (e.mode & 0o066) !== 0),
    );
    expect(open.map((e) => `${e.file} ${e.mode.toString(8)}`)).to.deep.equal([]);
    if (isRoot) {
      // Another local user reads neither our secrets nor the write-ahead log.
      const wal = entries.find((e) => e.file.includes(`${path.sep}pg_wal${path.sep}`) && !e.isDir)!.file;
      for (const f of [path.join(dataDir, 'jwt-secret'), path.join(dataDir, 'postgres-password'), wal]) {
        const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'cat', f], {
          encoding: 'utf8',
        });
        expect(r.status, `nobody reading ${f}`).to.not.equal(0);
      }
    }
  });

  it('lets the CLI work on the database while the server runs, and keeps serving after it', async () => {
    const dataDir = dataFolder('btv-cli-live-');
    running = await serve(dataDir);
    await call(
      running.c.governance,
      running.c.governance.registerSystem,
      { system: system('live') },
      running.md('dev'),
    );
    const out = path.join(tmp('btv-cli-out-'), 'export.jsonl');
    const r = await btv(['ledger', 'export', '--tenant', running.tenantId, '--out', out], {
      BTV_DATA_DIR: dataDir,
      BTV_JWT_SECRET: running.secret,
    });
    expect(r.code, r.stderr).to.equal(0);
    expect(fs.readFileSync(out, 'utf8')).to.contain('"event_type":"system.registered"');
    // The CLI joined the server's database instead of starting (and then stopping) its own.
    const { system: got } = await call(
      running.c.governance,
      running.c.governance.getSystem,
      { systemId: 'live' },
      running.md('auditor'),
    );
    expect(got!.id).to.equal('live');
  });

  it('answers damaged data for what it is: VerifyLedger valid=false "unreadable", writes UNAVAILABLE / STORAGE_DAMAGED, health NOT_SERVING', async () => {
    const dataDir = dataFolder('btv-corrupt-');
    running = await serve(dataDir);
    const dev = running.md('dev');
    for (let i = 0; i < 30; i++)
      await call(
        running.c.governance,
        running.c.governance.registerSystem,
        { system: system(`c-${i}`, 'x'.repeat(200)) },
        dev,
      );
    // Where the ledger's table lives on disk, asked of the running database.
    const pg = await startEmbeddedPostgres(dataDir);
    const client = new Client({ connectionString: pg.url });
    await client.connect();
    const { rows } = await client.query("SELECT pg_relation_filepath('ledger_entries') AS f");
    await client.end();
    const tenantId = running.tenantId;
    const secret = running.secret;
    await stop(running); // a clean stop: the database writes its pages out
    running = undefined;
    const file = path.join(dataDir, 'postgres', rows[0].f);
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(512, 0xa5), 0, 512, 2048); // inside block 0, past its header
    fs.closeSync(fd);

    running = await serve(dataDir, [], { BTV_JWT_SECRET: secret });
    const mint = minter(secret);
    const md = (role: Role) => bearer(mint(tenantId, role));
    const v = await call(running.c.audit, running.c.audit.verifyLedger, {}, md('auditor'));
    expect(v).to.include({ valid: false, problem: 'unreadable', firstInvalidSequence: 1 });
    await expectError(
      call(running.c.governance, running.c.governance.registerSystem, { system: system('after') }, md('dev')),
      grpc.status.UNAVAILABLE,
      'ERROR_REASON_STORAGE_DAMAGED',
    );
    await expectError(
      call(
        running.c.governance,
        running.c.governance.enforce,
        { systemId: 'c-1', prompt: 'Summarise the policy', env: 'development', artifactType: '', messages: [] },
        md('app'),
      ),
      grpc.status.UNAVAILABLE,
      'ERROR_REASON_STORAGE_DAMAGED',
    );
    const health = await healthCheck(running.proc.port);
    expect(health).to.equal('NOT_SERVING');
  });

  it("says why it cannot start: the database's own error, not a bare failure", async () => {
    const dataDir = dataFolder('btv-badconf-');
    running = await serve(dataDir);
    await stop(running);
    running = undefined;
    fs.appendFileSync(path.join(dataDir, 'postgres', 'postgresql.auto.conf'), "\nshared_buffers = 'lots'\n");
    const r = await runToExit({ BTV_DATA_DIR: dataDir, BTV_JWT_SECRET: crypto.randomBytes(48).toString('base64url') });
    expect(r.code).to.equal(1);
    expect(r.output, r.output)
      .to.contain('start-up failed')
      .and.to.match(/shared_buffers/);
  });

  it('answers a full disk UNAVAILABLE (nothing written) and works again once space is freed', async function () {
    if (!isRoot) this.skip();
    const mount = tmp('btv-small-');
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=160m', 'tmpfs', mount], { stdio: 'ignore' });
    } catch {
      if (process.env.CI) throw new Error('mounting a small tmpfs failed: the full-disk test needs it');
      this.skip();
    }
    try {
      const dataDir = path.join(mount, 'data');
      running = await serve(dataDir);
      const dev = running.md('dev');
      await call(running.c.governance, running.c.governance.registerSystem, { system: system('before-full') }, dev);
      // Fill what is left of the disk.
      const filler = path.join(mount, 'filler');
      const fd = fs.openSync(filler, 'w');
      try {
        for (;;) fs.writeSync(fd, Buffer.alloc(1 << 20));
      } catch (e) {
        expect((e as NodeJS.ErrnoException).code).to.equal('ENOSPC');
      } finally {
        fs.closeSync(fd);
      }
      let refused: grpc.ServiceError | undefined;
      for (let i = 0; i < 200 && !refused; i++) {
        await call(
          running.c.governance,
          running.c.governance.registerSystem,
          { system: system(`full-${i}`, 'y'.repeat(1900)) },
          dev,
        ).catch((e: grpc.ServiceError) => (refused = e));
      }
      expect(refused, 'a write on the full disk').to.exist;
      expect(refused!.code, refused!.message).to.equal(grpc.status.UNAVAILABLE);
      expect(refused!.message).to.not.match(/SQL|relation|No space|\.c:/);
      fs.rmSync(filler);
      let back = false;
      for (let i = 0; i < 50 && !back; i++) {
        back = await call(
          running.c.governance,
          running.c.governance.registerSystem,
          { system: system(`after-${i}`) },
          dev,
        ).then(
          () => true,
          () => new Promise<boolean>((r) => setTimeout(() => r(false), 200)),
        );
      }
      expect(back, 'writes succeed again once space is free').to.equal(true);
      const v = await call(running.c.audit, running.c.audit.verifyLedger, {}, running.md('auditor'));
      expect(v.valid).to.equal(true);
    } finally {
      await stop(running, 'SIGKILL');
      running = undefined;
      for (let i = 0; i < 20; i++) {
        if (spawnSync('umount', [mount]).status === 0) break;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  });
});

describe('the embedded database on a shared machine and under concurrent starts (security review)', function () {
  this.timeout(240_000);
  let running: Awaited<ReturnType<typeof serve>> | undefined;
  afterEach(async () => {
    await stop(running, 'SIGKILL');
    running = undefined;
  });

  /** A data folder too deep for its socket path (sun_path), below folders the database's user may pass through. */
  const deepDataFolder = (prefix: string) => {
    const deep = path.join(tmp(prefix), 'd'.repeat(90));
    fs.mkdirSync(deep, { mode: 0o711 });
    fs.chmodSync(path.dirname(deep), 0o711);
    return path.join(deep, 'data');
  };
  /** The temp-dir folder named after a data folder, where its socket goes when it cannot go in the data folder. */
  const socketNameFor = (dataDir: string) =>
    path.join(
      os.tmpdir(),
      `btv-pg-${crypto
        .createHash('sha256')
        .update(path.join(path.resolve(dataDir), 'postgres'))
        .digest('hex')
        .slice(0, 16)}`,
    );
  /** The socket folder of the server running on a data folder, from its lock file. */
  const socketOf = (dataDir: string) =>
    fs
      .readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')
      .split('\n')[4]
      .trim();
  const serverUid = () =>
    isRoot ? Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()) : process.getuid!();
  const selectOne = async (url: string) => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query('SELECT 1 AS one')).rows[0].one;
    } finally {
      await client.end();
    }
  };

  it("never uses or changes what another user put at its socket folder's name in the temp dir (a symlink, a folder of theirs)", async () => {
    const dataDir = deepDataFolder('btv-socklink-');
    const planted = socketNameFor(dataDir);
    const victim = tmp('btv-victim-');
    fs.chmodSync(victim, 0o755);
    fs.symlinkSync(victim, planted);
    try {
      let pg = await startEmbeddedPostgres(dataDir);
      try {
        expect(await selectOne(pg.url)).to.equal(1);
        const sock = socketOf(dataDir);
        expect(fs.realpathSync(sock), 'socket folder').to.not.equal(fs.realpathSync(victim));
        const st = fs.lstatSync(sock);
        expect({ dir: st.isDirectory(), uid: st.uid, mode: (st.mode & 0o7777).toString(8) }).to.deep.equal({
          dir: true,
          uid: serverUid(),
          mode: '700',
        });
      } finally {
        await pg.stop();
      }
      // The symlink's target is as it was: not handed to the database's user, not made private, empty.
      const v = fs.statSync(victim);
      expect({ uid: v.uid, mode: (v.mode & 0o7777).toString(8), entries: fs.readdirSync(victim) }).to.deep.equal({
        uid: process.getuid!(),
        mode: '755',
        entries: [],
      });
      expect(fs.lstatSync(planted).isSymbolicLink()).to.equal(true);

      if (isRoot) {
        // A real folder there, of another user (nobody) and open to all: left alone as well.
        fs.unlinkSync(planted);
        fs.mkdirSync(planted);
        fs.chownSync(planted, 65534, 65534);
        fs.chmodSync(planted, 0o777);
        pg = await startEmbeddedPostgres(dataDir);
        try {
          expect(await selectOne(pg.url)).to.equal(1);
          expect(socketOf(dataDir)).to.not.equal(planted);
        } finally {
          await pg.stop();
        }
        const p = fs.lstatSync(planted);
        expect({ uid: p.uid, mode: (p.mode & 0o7777).toString(8), entries: fs.readdirSync(planted) }).to.deep.equal({
          uid: 65534,
          mode: '777',
          entries: [],
        });
      }
    } finally {
      fs.rmSync(planted, { recursive: true, force: true });
    }
  });

  it('starts on a data folder whose path holds a comma, a blank and a quote (unix_socket_directories is a list), for the server and the CLI', async () => {
    const parent = tmp('btv-comma-');
    fs.chmodSync(parent, 0o711);
    const odd = path.join(parent, "a,b c'd");
    fs.mkdirSync(odd, { mode: 0o711 });
    const dataDir = path.join(odd, 'data');
    running = await serve(dataDir);
    await call(
      running.c.governance,
      running.c.governance.registerSystem,
      { system: system('odd-path') },
      running.md('dev'),
    );
    const sock = socketOf(dataDir);
    expect(sock, 'socket folder').to.not.match(/[,\s"'\\]/);
    expect((fs.lstatSync(sock).mode & 0o7777).toString(8)).to.equal('700');
    const out = path.join(tmp('btv-comma-out-'), 'export.jsonl');
    const r = await btv(['ledger', 'export', '--tenant', running.tenantId, '--out', out], {
      BTV_DATA_DIR: dataDir,
      BTV_JWT_SECRET: running.secret,
    });
    expect(r.code, r.stderr).to.equal(0);
    expect(fs.readFileSync(out, 'utf8')).to.contain('"event_type":"system.registered"');
  });

  it('refuses a second server on the same data folder, naming the folder and the first server, which keeps serving; the CLI still joins', async () => {
    const dataDir = dataFolder('btv-second-');
    running = await serve(dataDir);
    await call(
      running.c.governance,
      running.c.governance.registerSystem,
      { system: system('first') },
      running.md('dev'),
    );
    const second = await runToExit({
      BTV_DATA_DIR: dataDir,
      BTV_JWT_SECRET: running.secret,
      BTV_CHECKPOINT_INTERVAL_MS: '0',
    });
    expect(second.code, second.output).to.not.equal(0);
    expect(second.output)
      .to.contain('another btv server')
      .and.to.contain(`process ${running.proc.child.pid}`)
      .and.to.contain(dataDir);
    // The refused one changed nothing: the first serves on, and the CLI joins its database.
    const { system: got } = await call(
      running.c.governance,
      running.c.governance.getSystem,
      { systemId: 'first' },
      running.md('auditor'),
    );
    expect(got!.id).to.equal('first');
    const out = path.join(tmp('btv-second-out-'), 'export.jsonl');
    const r = await btv(['ledger', 'export', '--tenant', running.tenantId, '--out', out], {
      BTV_DATA_DIR: dataDir,
      BTV_JWT_SECRET: running.secret,
    });
    expect(r.code, r.stderr).to.equal(0);
    // A server killed outright leaves its lock behind: the next one takes it over.
    const { tenantId, secret } = running;
    await stop(running, 'SIGKILL');
    running = undefined;
    expect(fs.existsSync(path.join(dataDir, 'server.lock')), 'lock left by the killed server').to.equal(true);
    running = await serve(dataDir, [], { BTV_JWT_SECRET: secret });
    const mint = minter(secret);
    const { system: again } = await call(
      running.c.governance,
      running.c.governance.getSystem,
      { systemId: 'first' },
      bearer(mint(tenantId, 'auditor')),
    );
    expect(again!.id).to.equal('first');
  });

  it('does not join a database a CLI command started: the server waits for it to stop and starts its own', async () => {
    const dataDir = dataFolder('btv-handover-');
    // This process plays the CLI command: it started the database, and stops it when it is done.
    const cli = await startEmbeddedPostgres(dataDir);
    expect(cli.owned).to.equal(true);
    const starting = serve(dataDir);
    starting.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 3000));
    await cli.stop();
    running = await starting;
    // The database the server uses is its own: it outlives the CLI's, which has stopped.
    await call(
      running.c.governance,
      running.c.governance.registerSystem,
      { system: system('after-cli') },
      running.md('dev'),
    );
    const { system: got } = await call(
      running.c.governance,
      running.c.governance.getSystem,
      { systemId: 'after-cli' },
      running.md('auditor'),
    );
    expect(got!.id).to.equal('after-cli');
  });

  it("starts at once when the database's lock file outlived it and its pid now belongs to another live process", async () => {
    const dataDir = dataFolder('btv-pidreuse-');
    const pg = await startEmbeddedPostgres(dataDir);
    const pidFile = path.join(dataDir, 'postgres', 'postmaster.pid');
    const postmaster = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    const backends = childrenOf(postmaster);
    process.kill(postmaster, 'SIGKILL');
    await pg.stop();
    // Its other processes end once they see the postmaster gone; the lock file stays.
    for (const t = Date.now(); backends.some((pid) => fs.existsSync(`/proc/${pid}`)) && Date.now() - t < 10_000;)
      await new Promise((r) => setTimeout(r, 100));
    expect(fs.existsSync(pidFile), 'postmaster.pid left behind').to.equal(true);
    // A process of the database's own user: PostgreSQL's own check (kill 0) then sees it alive, as it
    // does when not running as root; a root process would answer EPERM, which it takes for stale.
    const { uid, gid } = serverUser();
    const unrelated = spawn('sleep', ['600'], { stdio: 'ignore', ...(uid !== undefined ? { uid, gid } : {}) });
    try {
      const lines = fs.readFileSync(pidFile, 'utf8').split('\n');
      lines[0] = String(unrelated.pid);
      fs.writeFileSync(pidFile, lines.join('\n'));
      const t0 = Date.now();
      const again = await startEmbeddedPostgres(dataDir);
      try {
        expect(Date.now() - t0, 'ms to start').to.be.below(20_000);
        expect(again.owned).to.equal(true);
        expect(await selectOne(again.url)).to.equal(1);
      } finally {
        await again.stop();
      }
    } finally {
      unrelated.kill('SIGKILL');
    }
  });

  it('lets two first starts on an empty folder at once share one database: one initialises, the other waits for it', async () => {
    const dataDir = dataFolder('btv-initrace-');
    const holders = [holdDatabase(dataDir), holdDatabase(dataDir)];
    try {
      const opened = await Promise.all(holders.map((h) => h.opened));
      for (const o of opened) expect(await selectOne(o.url)).to.equal(1);
      expect(opened.map((o) => o.owned).sort()).to.deep.equal([false, true]);
      expect(fs.existsSync(path.join(dataDir, 'init.lock')), 'init.lock released').to.equal(false);
      // The one that joined goes first: the other stops the database it started.
      for (const h of opened[0].owned ? [holders[1], holders[0]] : holders)
        expect(await h.release(), h.output()).to.equal(0);
    } finally {
      await Promise.all(holders.map((h) => h.release()));
    }
  });

  it('refuses a data folder that holds other things (BTV_DATA_DIR=/var/lib as root), changing nothing; adopts one holding only corpus/', async () => {
    const foreign = dataFolder('btv-foreign-');
    fs.mkdirSync(foreign, { mode: 0o755 });
    fs.chmodSync(foreign, 0o755);
    fs.writeFileSync(path.join(foreign, 'other-service.conf'), 'x');
    fs.mkdirSync(path.join(foreign, 'other-service'));
    const r = await runToExit({ BTV_DATA_DIR: foreign, BTV_JWT_SECRET: crypto.randomBytes(48).toString('base64url') });
    expect(r.code, r.output).to.equal(2);
    expect(r.output).to.contain(foreign).and.to.contain('other-service.conf').and.to.contain('dedicated folder');
    const cli = await btv(['migrate'], { BTV_DATA_DIR: foreign });
    expect(cli.code, cli.stderr).to.not.equal(0);
    expect(cli.stderr).to.contain('dedicated folder');
    expect((fs.statSync(foreign).mode & 0o7777).toString(8), 'left as it was').to.equal('755');
    expect(fs.readdirSync(foreign).sort()).to.deep.equal(['other-service', 'other-service.conf']);

    // The repository's ./data ships with corpus/ in it: that one is the server's to use.
    const shipped = dataFolder('btv-shipped-');
    fs.mkdirSync(path.join(shipped, 'corpus'), { recursive: true, mode: 0o755 });
    fs.chmodSync(shipped, 0o755);
    fs.writeFileSync(path.join(shipped, 'corpus', 'README.md'), 'rows');
    running = await serve(shipped);
    await call(
      running.c.governance,
      running.c.governance.registerSystem,
      { system: system('shipped') },
      running.md('dev'),
    );
    expect((fs.statSync(shipped).mode & 0o777).toString(8)).to.equal(isRoot ? '710' : '700');
    await stop(running);
    running = undefined;
    // Marked as ours: later starts keep using it whatever else the operator puts there.
    fs.writeFileSync(path.join(shipped, 'notes.txt'), 'mine');
    running = await serve(shipped);
  });
});

/**
 * A process of its own (like a bin/btv command) that starts or joins the embedded database of
 * dataDir, says so on stdout, and holds it until released (stdin closed).
 */
function holdDatabase(dataDir: string) {
  const module = path.join(__dirname, '..', '..', 'src', 'store', 'embedded-postgres.ts');
  const code = `
    const { startEmbeddedPostgres } = require(${JSON.stringify(module)});
    startEmbeddedPostgres(${JSON.stringify(dataDir)}).then(async (pg) => {
      process.stdout.write(JSON.stringify({ owned: pg.owned, url: pg.url }) + '\\n');
      process.stdin.resume();
      await new Promise((r) => process.stdin.on('end', r));
      await pg.stop();
      process.exit(0);
    }, (e) => { process.stderr.write(String(e.message) + '\\n'); process.exit(1); });`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', code], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  const opened = new Promise<{ owned: boolean; url: string }>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]));
    });
    void exited.then((c) => reject(new Error(`exited with ${c} before the database was open: ${err}`)));
  });
  opened.catch(() => undefined);
  return {
    opened,
    output: () => out + err,
    release: () => {
      child.stdin.end();
      return exited;
    },
  };
}

/** grpc.health.v1 Check of the whole server, as a load balancer asks it. */
async function healthCheck(port: number): Promise<string> {
  const client = new HealthClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  try {
    const res = await new Promise<{ status: number }>((resolve, reject) =>
      client.check({ service: '' }, (err, r) => (err ? reject(err) : resolve(r))),
    );
    return HealthCheckResponse_ServingStatus[res.status];
  } finally {
    client.close();
  }
}
