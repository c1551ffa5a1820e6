/**
 * The embedded default (`npm start` with no BTV_DATABASE_URL) as an operator meets it: durable
 * commits, a private data folder, the CLI beside a running server, damaged data and a full disk
 * answered for what they are, and start-up failures that say why.
 */
import * as crypto from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { Client } from 'pg';
import { AiSystem, RiskClassification } from '../../gen/ts/btv/v1/types';
import { HealthCheckResponse_ServingStatus, HealthClient } from '../../gen/ts/grpc/health/v1/health';
import { mintToken } from '../../src/auth/tokens';
import { Role } from '../../src/domain/context';
import { startEmbeddedPostgres } from '../../src/store/embedded-postgres';
import { bearer, call, Clients, connect, expectError } from '../helpers/grpc';
import { btv, runToExit, ServerProcess, spawnServer } from '../helpers/process';

const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));
/** A data folder of its own, in a temporary folder the database's user (postgres, as root) may pass through. */
const dataFolder = (prefix: string) => {
  const parent = tmp(prefix);
  fs.chmodSync(parent, 0o711);
  return path.join(parent, 'data');
};
const system = (id: string, purpose = '') => AiSystem.fromPartial({ id, name: id, intendedPurpose: purpose, risk: RiskClassification.RISK_CLASSIFICATION_MINIMAL });
const have = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const isRoot = process.getuid?.() === 0;

function minter(secret: string) {
  const key = crypto.createSecretKey(Buffer.from(secret));
  return (tenantId: string, role: Role) => mintToken({ tenantId, role, subject: `embedded-${role}`, ttlSeconds: 600, algorithm: 'HS256', key });
}

/** A server process on its own embedded database, with the tokens to call it. */
async function serve(dataDir: string, wrap: string[] = [], env: Record<string, string> = {}) {
  const secret = crypto.randomBytes(48).toString('base64url');
  const proc = await spawnServer({ BTV_DATA_DIR: dataDir, BTV_JWT_SECRET: secret, BTV_CHECKPOINT_INTERVAL_MS: '0', ...env }, 90_000, wrap);
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

async function stop(s: { proc: ServerProcess; c: Clients } | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
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
    running = await serve(dataDir, ['strace', '-f', '-qq', '-y', '-e', 'trace=fsync,fdatasync,sync_file_range', '-o', trace]);
    const walSyncs = () => fs.readFileSync(trace, 'utf8').split('\n').filter((l) => /(fsync|fdatasync|sync_file_range)\(\d+<[^>]*\/pg_wal\//.test(l)).length;
    const dev = running.md('dev');
    await call(running.c.governance, running.c.governance.registerSystem, { system: system('warm') }, dev);

    const before = walSyncs();
    const sequential = 20;
    for (let i = 0; i < sequential; i++) await call(running.c.governance, running.c.governance.registerSystem, { system: system(`seq-${i}`) }, dev);
    const afterSequential = walSyncs();
    // Each call waited for its own commit: at least one flush of the WAL each.
    expect(afterSequential - before, `WAL flushes for ${sequential} sequential commits`).to.be.at.least(sequential);

    await Promise.all(Array.from({ length: 200 }, (_, i) => call(running!.c.governance, running!.c.governance.registerSystem, { system: system(`par-${i}`) }, dev)));
    running.c.close();
    // The server itself is strace's child: strace passes no signal on, and exits when its tracees have.
    process.kill(childrenOf(running.proc.child.pid!)[0], 'SIGTERM');
    await running.proc.exited;
    const totals = JSON.parse(running.proc.stdout().split('\n').find((l) => l.includes('"group commit totals"'))!);
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
    await call(running.c.governance, running.c.governance.registerSystem, { system: system('private', 'patient triage') }, running.md('dev'));
    const entries = walk(dataDir);
    expect(entries.length).to.be.greaterThan(100); // the database's own files are included
    const open = entries.filter((e) => (e.mode & 0o007) !== 0 || (!e.isDir && (e.mode & 0o077) !== 0) || (e.isDir && (e.mode & 0o066) !== 0));
    expect(open.map((e) => `${e.file} ${e.mode.toString(8)}`)).to.deep.equal([]);
    if (isRoot) {
      // Another local user reads neither our secrets nor the write-ahead log.
      const wal = entries.find((e) => e.file.includes(`${path.sep}pg_wal${path.sep}`) && !e.isDir)!.file;
      for (const f of [path.join(dataDir, 'jwt-secret'), path.join(dataDir, 'postgres-password'), wal]) {
        const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'cat', f], { encoding: 'utf8' });
        expect(r.status, `nobody reading ${f}`).to.not.equal(0);
      }
    }
  });

  it('lets the CLI work on the database while the server runs, and keeps serving after it', async () => {
    const dataDir = dataFolder('btv-cli-live-');
    running = await serve(dataDir);
    await call(running.c.governance, running.c.governance.registerSystem, { system: system('live') }, running.md('dev'));
    const out = path.join(tmp('btv-cli-out-'), 'export.jsonl');
    const r = await btv(['ledger', 'export', '--tenant', running.tenantId, '--out', out], { BTV_DATA_DIR: dataDir, BTV_JWT_SECRET: running.secret });
    expect(r.code, r.stderr).to.equal(0);
    expect(fs.readFileSync(out, 'utf8')).to.contain('"event_type":"system.registered"');
    // The CLI joined the server's database instead of starting (and then stopping) its own.
    const { system: got } = await call(running.c.governance, running.c.governance.getSystem, { systemId: 'live' }, running.md('auditor'));
    expect(got!.id).to.equal('live');
  });

  it('answers damaged data for what it is: VerifyLedger valid=false "unreadable", writes UNAVAILABLE / STORAGE_DAMAGED, health NOT_SERVING', async () => {
    const dataDir = dataFolder('btv-corrupt-');
    running = await serve(dataDir);
    const dev = running.md('dev');
    for (let i = 0; i < 30; i++) await call(running.c.governance, running.c.governance.registerSystem, { system: system(`c-${i}`, 'x'.repeat(200)) }, dev);
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
    await expectError(call(running.c.governance, running.c.governance.registerSystem, { system: system('after') }, md('dev')), grpc.status.UNAVAILABLE, 'ERROR_REASON_STORAGE_DAMAGED');
    await expectError(
      call(running.c.governance, running.c.governance.enforce, { systemId: 'c-1', prompt: 'Summarise the policy', env: 'development', artifactType: '', messages: [] }, md('app')),
      grpc.status.UNAVAILABLE,
      'ERROR_REASON_STORAGE_DAMAGED',
    );
    const health = await healthCheck(running.proc.port);
    expect(health).to.equal('NOT_SERVING');
  });

  it('says why it cannot start: the database\'s own error, not a bare failure', async () => {
    const dataDir = dataFolder('btv-badconf-');
    running = await serve(dataDir);
    await stop(running);
    running = undefined;
    fs.appendFileSync(path.join(dataDir, 'postgres', 'postgresql.auto.conf'), "\nshared_buffers = 'lots'\n");
    const r = await runToExit({ BTV_DATA_DIR: dataDir, BTV_JWT_SECRET: crypto.randomBytes(48).toString('base64url') });
    expect(r.code).to.equal(1);
    expect(r.output, r.output).to.contain('start-up failed').and.to.match(/shared_buffers/);
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
        await call(running.c.governance, running.c.governance.registerSystem, { system: system(`full-${i}`, 'y'.repeat(1900)) }, dev).catch((e: grpc.ServiceError) => (refused = e));
      }
      expect(refused, 'a write on the full disk').to.exist;
      expect(refused!.code, refused!.message).to.equal(grpc.status.UNAVAILABLE);
      expect(refused!.message).to.not.match(/SQL|relation|No space|\.c:/);
      fs.rmSync(filler);
      let back = false;
      for (let i = 0; i < 50 && !back; i++) {
        back = await call(running.c.governance, running.c.governance.registerSystem, { system: system(`after-${i}`) }, dev).then(
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

/** grpc.health.v1 Check of the whole server, as a load balancer asks it. */
async function healthCheck(port: number): Promise<string> {
  const client = new HealthClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  try {
    const res = await new Promise<{ status: number }>((resolve, reject) => client.check({ service: '' }, (err, r) => (err ? reject(err) : resolve(r))));
    return HealthCheckResponse_ServingStatus[res.status];
  } finally {
    client.close();
  }
}
