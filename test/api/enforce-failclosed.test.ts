import * as net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { AiSystem, DecisionOutcome as DO, RiskClassification as RC } from '../../gen/ts/btv/v1/types';
import { bearer, call, connect, expectError } from '../helpers/grpc';
import { startTestServer, TEST_DATABASE_URL } from '../helpers/server';

/** A TCP proxy to PostgreSQL that the test can cut, as a network fault or a stopped database would. */
async function pgProxy(target: URL) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const url = new URL(target.toString());
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    cut: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        sockets.forEach((s) => s.destroy());
      }),
  };
}

describe('Enforce fails closed', function () {
  this.timeout(60_000);

  it('answers UNAVAILABLE, never APPROVED, once the database is gone (embedded or PostgreSQL pool closed)', async () => {
    const srv = await startTestServer();
    const c = connect(srv.address);
    try {
      const system = AiSystem.fromPartial({ id: 'fc-1', name: 'x', risk: RC.RISK_CLASSIFICATION_MINIMAL });
      await call(c.governance, c.governance.registerSystem, { system }, bearer(srv.mint('dev')));
      const req = { systemId: 'fc-1', prompt: 'Say hello', env: 'development', artifactType: '' };
      const ok = await call(c.governance, c.governance.enforce, req, bearer(srv.mint('app')));
      expect(ok.decision!.outcome).to.equal(DO.DECISION_OUTCOME_APPROVED);
      await srv.app.storage.db.destroy();
      await expectError(call(c.governance, c.governance.enforce, req, bearer(srv.mint('app'))), grpc.status.UNAVAILABLE, 'ERROR_REASON_STORAGE_UNAVAILABLE');
    } finally {
      c.close();
      await srv.stop().catch(() => undefined);
    }
  });

  it('answers UNAVAILABLE when the network to PostgreSQL is cut, and blocks on unverifiable status', async function () {
    if (!TEST_DATABASE_URL) this.skip(); // needs a real PostgreSQL server to cut off
    const proxy = await pgProxy(new URL(TEST_DATABASE_URL!));
    const srv = await startTestServer({ env: { BTV_DATABASE_URL: proxy.url } });
    const c = connect(srv.address);
    try {
      const tenantId = randomUUID();
      const system = AiSystem.fromPartial({ id: 'fc-2', name: 'x', risk: RC.RISK_CLASSIFICATION_MINIMAL });
      await call(c.governance, c.governance.registerSystem, { system }, bearer(srv.mint('dev', { tenantId })));
      const req = { systemId: 'fc-2', prompt: 'Say hello', env: 'development', artifactType: '' };
      expect((await call(c.governance, c.governance.enforce, req, bearer(srv.mint('app', { tenantId })))).decision!.outcome).to.equal(DO.DECISION_OUTCOME_APPROVED);
      await proxy.cut();
      // The status listener lost its connection: the cache must not vouch for anything now.
      const deadline = Date.now() + 2000;
      while (srv.app.hub.healthy && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(srv.app.hub.healthy).to.equal(false);
      expect(await srv.app.statusCache.get(tenantId, 'fc-2')).to.deep.equal({ verified: false });
      const started = Date.now();
      await expectError(call(c.governance, c.governance.enforce, req, bearer(srv.mint('app', { tenantId }))), grpc.status.UNAVAILABLE, 'ERROR_REASON_STORAGE_UNAVAILABLE');
      expect(Date.now() - started).to.be.lessThan(15_000);
    } finally {
      c.close();
      await srv.stop().catch(() => undefined);
    }
  });
});
