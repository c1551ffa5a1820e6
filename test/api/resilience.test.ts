/**
 * A bad day in production, through the real gRPC surface: a database connection that freezes
 * without a reset, a database that cannot be reached, a shutdown with health pollers and watchers,
 * clients that open connections or streams and never send a request.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { Client } from 'pg';
import { AiSystem, RiskClassification } from '../../gen/ts/btv/v1/types';
import type { HealthCheckResponse } from '../../gen/ts/grpc/health/v1/health';
import { HealthCheckResponse_ServingStatus as Serving, HealthClient } from '../../gen/ts/grpc/health/v1/health';
import { mintToken } from '../../src/auth/tokens';
import { bearer, call, connect, decodeError } from '../helpers/grpc';
import type { PgProxy } from '../helpers/pg-proxy';
import { pgProxy } from '../helpers/pg-proxy';
import { spawnServer } from '../helpers/process';
import type { TestServer } from '../helpers/server';
import { startTestServer, TEST_DATABASE_URL } from '../helpers/server';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const minimal = (id: string) =>
  AiSystem.fromPartial({ id, name: id, risk: RiskClassification.RISK_CLASSIFICATION_MINIMAL });
const enforceReq = (systemId: string) => ({
  systemId,
  prompt: 'Summarise the refund policy',
  env: 'development',
  artifactType: '',
  messages: [],
});

function check(address: string, service = ''): Promise<Serving> {
  const client = new HealthClient(address, grpc.credentials.createInsecure());
  return new Promise<Serving>((resolve, reject) =>
    client.check({ service }, new grpc.Metadata(), { deadline: Date.now() + 2000 }, (err, r) => {
      client.close();
      if (err) reject(err);
      else resolve(r.status);
    }),
  );
}

async function until(pred: () => Promise<boolean> | boolean, ms: number, what: string): Promise<number> {
  const started = Date.now();
  while (!(await pred())) {
    if (Date.now() - started > ms) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(20);
  }
  return Date.now() - started;
}

describe('resilience', function () {
  this.timeout(120_000);

  describe('a database connection that freezes (no reset, no close) behind a proxy', () => {
    let proxy: PgProxy;
    let srv: TestServer;
    before(async () => {
      proxy = await pgProxy(TEST_DATABASE_URL);
      srv = await startTestServer({
        env: { BTV_DATABASE_URL: proxy.url, BTV_DB_QUERY_TIMEOUT_MS: '1000', BTV_DB_CONNECT_TIMEOUT_MS: '1000' },
      });
    });
    after(async () => {
      await srv?.stop().catch(() => undefined);
      await proxy?.close();
    });

    it('fails Enforce UNAVAILABLE within its bound, discards the connection, and recovers on new ones', async () => {
      const c = connect(srv.address);
      try {
        await call(c.governance, c.governance.registerSystem, { system: minimal('frozen') }, bearer(srv.mint('dev')));
        const app = bearer(srv.mint('app'));
        expect((await call(c.governance, c.governance.enforce, enforceReq('frozen'), app)).decision!.outcome).to.equal(
          1,
        );
        const before = proxy.accepted;
        proxy.freeze();
        const started = Date.now();
        const err = await call(c.governance, c.governance.enforce, enforceReq('frozen'), app).then(
          () => undefined,
          (e: grpc.ServiceError) => e,
        );
        const took = Date.now() - started;
        expect(err, 'Enforce on a frozen connection').to.exist;
        expect(err!.code, err!.message).to.equal(grpc.status.UNAVAILABLE);
        expect(took, 'answered within the query timeout, not held forever').to.be.below(5000);
        // Calls go through again on fresh connections (and the status listener reconnects).
        const recovered = await until(
          () =>
            call(c.governance, c.governance.enforce, enforceReq('frozen'), app).then(
              (r) => r.decision!.outcome === 1,
              () => false,
            ),
          15_000,
          'Enforce approving again',
        );
        expect(proxy.accepted, 'new connections were opened').to.be.greaterThan(before);
        console.log(`      frozen connection: UNAVAILABLE after ${took} ms, serving again ${recovered} ms later`);
      } finally {
        c.close();
      }
    });
  });

  it('answers UNAVAILABLE while the database takes no writes, says NOT_SERVING, and serves again once it does', async () => {
    const name = `btv_ro_${crypto.randomBytes(4).toString('hex')}`;
    const admin = new Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/${name}`;
    // New sessions of that database only (the test's own connection is elsewhere): a standby, as the server sees it.
    const readOnly = async (on: boolean) => {
      await admin.query(
        `ALTER DATABASE ${name} ${on ? 'SET default_transaction_read_only = on' : 'RESET default_transaction_read_only'}`,
      );
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
    };
    const srv = await startTestServer({ env: { BTV_DATABASE_URL: url.toString() } });
    const c = connect(srv.address);
    try {
      await call(c.governance, c.governance.registerSystem, { system: minimal('ro') }, bearer(srv.mint('dev')));
      const app = bearer(srv.mint('app'));
      const enforce = () => call(c.governance, c.governance.enforce, enforceReq('ro'), app);
      expect((await enforce()).decision!.outcome).to.equal(1);
      await readOnly(true);
      const down = await until(
        async () => (await check(srv.address).catch(() => Serving.UNKNOWN)) === Serving.NOT_SERVING,
        10_000,
        'NOT_SERVING',
      );
      // Not only while the connections were cut: the probe sees that the database takes no writes.
      await sleep(2500);
      expect(await check(srv.address), 'NOT_SERVING on reconnected, read-only sessions').to.equal(Serving.NOT_SERVING);
      const err = await enforce().then(
        () => undefined,
        (e: grpc.ServiceError) => e,
      );
      expect(err, 'Enforce against a read-only database').to.exist;
      expect(err!.code, err!.details).to.equal(grpc.status.UNAVAILABLE);
      expect(err!.details).to.not.match(/SQL|25006|read-only transaction|INSERT/i);
      const { entries } = await call(
        c.audit,
        c.audit.listLedgerEntries,
        { afterSequence: 0, limit: 100 },
        bearer(srv.mint('auditor')),
      );
      expect(
        entries.filter((e) => e.eventType === 'decision'),
        'only the decision made before',
      ).to.have.length(1);
      await readOnly(false);
      const up = await until(
        async () => (await check(srv.address).catch(() => Serving.UNKNOWN)) === Serving.SERVING,
        15_000,
        'SERVING again',
      );
      expect((await enforce()).decision!.outcome).to.equal(1);
      console.log(
        `      read-only database: NOT_SERVING after ${down} ms; SERVING ${up} ms after it took writes again`,
      );
    } finally {
      c.close();
      await srv.stop().catch(() => undefined);
      await admin
        .query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name])
        .catch(() => undefined);
      await admin.query(`DROP DATABASE IF EXISTS ${name}`).catch(() => undefined);
      await admin.end();
    }
  });

  it('reports NOT_SERVING while the database is unreachable, and SERVING once it is back', async () => {
    const proxy = await pgProxy(TEST_DATABASE_URL);
    const srv = await startTestServer({
      env: { BTV_DATABASE_URL: proxy.url, BTV_DB_QUERY_TIMEOUT_MS: '1000', BTV_DB_CONNECT_TIMEOUT_MS: '1000' },
    });
    try {
      expect(await check(srv.address)).to.equal(Serving.SERVING);
      proxy.refuse();
      const down = await until(async () => (await check(srv.address)) === Serving.NOT_SERVING, 10_000, 'NOT_SERVING');
      expect(await check(srv.address, 'btv.v1.GovernanceService')).to.equal(Serving.NOT_SERVING);
      proxy.restore();
      const up = await until(async () => (await check(srv.address)) === Serving.SERVING, 15_000, 'SERVING again');
      console.log(`      database unreachable: NOT_SERVING after ${down} ms; SERVING ${up} ms after it came back`);
    } finally {
      await srv.stop().catch(() => undefined);
      await proxy.close();
    }
  });

  it('exits on SIGTERM within its bounds while its database connections are frozen', async () => {
    const proxy = await pgProxy(TEST_DATABASE_URL);
    const secret = crypto.randomBytes(48).toString('base64url');
    const proc = await spawnServer({
      BTV_DATABASE_URL: proxy.url,
      BTV_JWT_SECRET: secret,
      BTV_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'btv-sigterm-')),
      BTV_DB_QUERY_TIMEOUT_MS: '1000',
      BTV_SHUTDOWN_GRACE_MS: '1000',
      BTV_SHUTDOWN_DRAIN_DELAY_MS: '0',
    });
    try {
      const c = connect(`127.0.0.1:${proc.port}`);
      const token = mintToken({
        tenantId: crypto.randomUUID(),
        role: 'dev',
        subject: 'd',
        ttlSeconds: 60,
        algorithm: 'HS256',
        key: crypto.createSecretKey(Buffer.from(secret)),
      });
      await call(c.governance, c.governance.registerSystem, { system: minimal('sigterm') }, bearer(token));
      proxy.freeze();
      // A call in flight on the frozen database when the signal comes.
      const inFlight = call(
        c.governance,
        c.governance.registerSystem,
        { system: minimal('sigterm-2') },
        bearer(token),
      ).catch((e) => e);
      await sleep(100);
      const started = Date.now();
      proc.child.kill('SIGTERM');
      const code = await Promise.race([proc.exited, sleep(30_000).then(() => 'still running')]);
      expect(code, 'exit code').to.equal(0);
      expect(Date.now() - started).to.be.below(30_000);
      await inFlight;
      c.close();
    } finally {
      if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
      await proxy.close();
    }
  });

  describe('shutdown', () => {
    it('says NOT_SERVING to health pollers before it stops answering, and an open Health.Watch does not hold it up', async () => {
      const srv = await startTestServer({ env: { BTV_SHUTDOWN_DRAIN_DELAY_MS: '500', BTV_SHUTDOWN_GRACE_MS: '8000' } });
      const watcher = new HealthClient(srv.address, grpc.credentials.createInsecure());
      const heard: Serving[] = [];
      const watch = watcher.watch({ service: '' });
      watch.on('data', (r: HealthCheckResponse) => heard.push(r.status));
      const watchEnded = new Promise<void>((r) => {
        watch.on('end', () => r());
        watch.on('error', () => r());
      });
      await until(() => heard.length > 0, 5000, 'first Watch answer');
      expect(heard).to.deep.equal([Serving.SERVING]);
      const seen: string[] = [];
      let polling = true;
      const poller = (async () => {
        while (polling) {
          seen.push(
            await check(srv.address).then(
              (s) => Serving[s],
              (e: grpc.ServiceError) => grpc.status[e.code],
            ),
          );
          await sleep(10);
        }
      })();
      await sleep(50);
      const started = Date.now();
      await srv.stop();
      const took = Date.now() - started;
      polling = false;
      await poller;
      await watchEnded;
      watcher.close();
      const firstNotServing = seen.indexOf('NOT_SERVING');
      expect(firstNotServing, `poller saw ${[...new Set(seen)].join(', ')}`).to.be.greaterThan(0);
      expect(seen.slice(0, firstNotServing).every((s) => s === 'SERVING')).to.equal(true);
      expect(heard).to.deep.equal([Serving.SERVING, Serving.NOT_SERVING]);
      expect(took, 'stop with an open Health.Watch (grace 8 s)').to.be.below(4000);
    });
  });

  describe('connections and streams that never send a request', () => {
    let srv: TestServer;
    before(async () => {
      srv = await startTestServer({
        env: { BTV_MAX_CONNECTIONS: '3', BTV_MAX_STREAMS_PER_CONNECTION: '8', BTV_REQUEST_TIMEOUT_MS: '400' },
      });
    });
    after(() => srv?.stop());

    const session = () =>
      new Promise<http2.ClientHttp2Session>((resolve, reject) => {
        const s = http2.connect(`http://${srv.address}`);
        s.once('remoteSettings', () => resolve(s));
        s.on('error', reject);
      });

    it('advertises its per-connection stream limit, and ends header-only streams DEADLINE_EXCEEDED / REQUEST_TIMEOUT', async () => {
      const s = await session();
      try {
        expect(s.remoteSettings.maxConcurrentStreams).to.equal(8);
        const started = Date.now();
        const results = await Promise.all(
          Array.from(
            { length: 8 },
            () =>
              new Promise<{ status?: string; ms: number }>((resolve) => {
                const st = s.request(
                  {
                    ':method': 'POST',
                    ':path': '/btv.v1.GovernanceService/GetSystem',
                    'content-type': 'application/grpc',
                    te: 'trailers',
                  },
                  { endStream: false },
                );
                let status: string | undefined;
                st.on('response', (h) => (status ??= h['grpc-status'] as string | undefined));
                st.on('trailers', (h) => (status = h['grpc-status'] as string));
                // The server answers and resets the stream: it closes although this side never ended it.
                st.on('close', () => resolve({ status, ms: Date.now() - started }));
                st.on('error', () => undefined);
              }),
          ),
        );
        expect(results.map((r) => r.status)).to.deep.equal(Array(8).fill(String(grpc.status.DEADLINE_EXCEEDED)));
        expect(Math.max(...results.map((r) => r.ms))).to.be.below(3000);
      } finally {
        s.close();
      }
    });

    // An empty HealthCheckRequest in gRPC framing: Watch answers and then stays open, so the connection is busy.
    const watch = (s: http2.ClientHttp2Session) => {
      const st = s.request(
        {
          ':method': 'POST',
          ':path': '/grpc.health.v1.Health/Watch',
          'content-type': 'application/grpc',
          te: 'trailers',
        },
        { endStream: false },
      );
      st.on('error', () => undefined);
      st.end(Buffer.alloc(5));
      return new Promise<void>((resolve) => st.once('data', () => resolve()));
    };
    const outcome = (s: http2.ClientHttp2Session) =>
      new Promise<'accepted' | 'refused'>((resolve) => {
        s.once('remoteSettings', () => resolve('accepted'));
        s.on('error', () => resolve('refused'));
        s.once('close', () => resolve('refused'));
      });

    it('at its connection limit closes the oldest idle connection for a new one, and refuses only when every connection is busy', async () => {
      const sessions = [await session(), await session(), await session()];
      const closed = sessions.map((s) => new Promise<void>((resolve) => s.once('close', () => resolve())));
      try {
        await watch(sessions[1]);
        await watch(sessions[2]);
        const fourth = await session();
        await closed[0];
        expect(sessions[0].closed || sessions[0].destroyed, 'the oldest idle connection made room').to.equal(true);
        expect(sessions[1].destroyed, 'a busy connection is kept').to.equal(false);
        await watch(fourth);
        const extra = http2.connect(`http://${srv.address}`);
        expect(await outcome(extra), 'every connection has a call open').to.equal('refused');
        fourth.destroy();
        await sleep(200);
        const again = await session();
        again.close();
      } finally {
        sessions.forEach((s) => s.destroy());
      }
    });
  });

  describe('connections from one address, and connections that never speak HTTP/2', () => {
    let srv: TestServer;
    before(async () => {
      srv = await startTestServer({ env: { BTV_MAX_CONNECTIONS_PER_PEER: '2', BTV_CONNECTION_HANDSHAKE_MS: '300' } });
    });
    after(() => srv?.stop());
    const port = () => Number(srv.address.split(':')[1]);
    const from = (localAddress: string) =>
      http2.connect(`http://${srv.address}`, {
        createConnection: () => net.connect({ host: '127.0.0.1', port: port(), localAddress }),
      });
    const outcome = (s: http2.ClientHttp2Session) =>
      new Promise<'accepted' | 'refused'>((resolve) => {
        s.once('remoteSettings', () => resolve('accepted'));
        s.on('error', () => resolve('refused'));
        s.once('close', () => resolve('refused'));
      });

    it('refuses a third connection from one address while another address still connects', async () => {
      const mine = [from('127.0.0.1'), from('127.0.0.1')];
      try {
        expect(await Promise.all(mine.map(outcome))).to.deep.equal(['accepted', 'accepted']);
        expect(await outcome(from('127.0.0.1')), 'third from 127.0.0.1').to.equal('refused');
        const other = from('127.0.0.2');
        expect(await outcome(other), 'first from 127.0.0.2').to.equal('accepted');
        other.close();
        mine[0].close();
        await sleep(200);
        const again = from('127.0.0.1');
        expect(await outcome(again), 'a place freed by a close').to.equal('accepted');
        again.close();
      } finally {
        mine.forEach((s) => s.destroy());
      }
    });

    it('closes a connection that sends nothing (or less than the HTTP/2 preface) within its handshake time', async () => {
      const silent = net.connect({ host: '127.0.0.1', port: port() }).resume();
      const partial = net.connect({ host: '127.0.0.1', port: port() }, () => partial.write('PRI * HTTP/2.0')).resume();
      const started = Date.now();
      const closedAfter = (s: net.Socket) =>
        new Promise<number>((resolve) => {
          s.on('error', () => undefined);
          s.once('close', () => resolve(Date.now() - started));
        });
      const [a, b] = await Promise.all([closedAfter(silent), closedAfter(partial)]);
      expect(a, 'silent socket closed').to.be.within(200, 3000);
      expect(b, 'partial preface closed').to.be.within(200, 3000);
      // The places they held are free: two fresh connections from the same address are accepted.
      const fresh = [from('127.0.0.1'), from('127.0.0.1')];
      expect(await Promise.all(fresh.map(outcome))).to.deep.equal(['accepted', 'accepted']);
      fresh.forEach((s) => s.close());
    });
  });

  it('answers the request timeout with the ErrorInfo reason a client can read', async () => {
    const srv = await startTestServer({ env: { BTV_REQUEST_TIMEOUT_MS: '300' } });
    const c = connect(srv.address);
    try {
      // A client stream that never sends its message: grpc-js sends headers at once for a server-streaming call only
      // after the message, so the raw HTTP/2 path above is what exercises the timer; here the decoded error is checked.
      const s = http2.connect(`http://${srv.address}`);
      s.on('error', () => undefined);
      const trailers = await new Promise<http2.IncomingHttpHeaders>((resolve) => {
        const st = s.request(
          {
            ':method': 'POST',
            ':path': '/btv.v1.AuditService/VerifyLedger',
            'content-type': 'application/grpc',
            te: 'trailers',
          },
          { endStream: false },
        );
        st.on('response', (h) => h['grpc-status'] && resolve(h));
        st.on('trailers', (h) => resolve(h));
        st.on('error', () => undefined);
      });
      s.close();
      const err = Object.assign(new Error('x'), {
        code: Number(trailers['grpc-status']),
        details: decodeURIComponent(String(trailers['grpc-message'])),
        metadata: (() => {
          const md = new grpc.Metadata();
          md.set('grpc-status-details-bin', Buffer.from(String(trailers['grpc-status-details-bin']), 'base64'));
          return md;
        })(),
      }) as grpc.ServiceError;
      expect(decodeError(err)).to.include({
        code: grpc.status.DEADLINE_EXCEEDED,
        reason: 'ERROR_REASON_REQUEST_TIMEOUT',
      });
    } finally {
      c.close();
      await srv.stop();
    }
  });
});
