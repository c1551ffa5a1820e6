import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { AiSystem, DecisionOutcome as DO, RiskClassification as RC } from '../../gen/ts/btv/v1/types';
import { bearer, call, connect, expectError } from '../helpers/grpc';
import { pgProxy } from '../helpers/pg-proxy';
import { startTestServer, TEST_DATABASE_URL } from '../helpers/server';

describe('Enforce fails closed', function () {
  this.timeout(60_000);

  it('answers UNAVAILABLE, never APPROVED, once the database is gone (pool closed)', async () => {
    const srv = await startTestServer();
    const c = connect(srv.address);
    try {
      const system = AiSystem.fromPartial({ id: 'fc-1', name: 'x', risk: RC.RISK_CLASSIFICATION_MINIMAL });
      await call(c.governance, c.governance.registerSystem, { system }, bearer(srv.mint('dev')));
      const req = { systemId: 'fc-1', prompt: 'Say hello', env: 'development', artifactType: '', messages: [] };
      const ok = await call(c.governance, c.governance.enforce, req, bearer(srv.mint('app')));
      expect(ok.decision!.outcome).to.equal(DO.DECISION_OUTCOME_APPROVED);
      await srv.app.storage.db.destroy();
      await expectError(
        call(c.governance, c.governance.enforce, req, bearer(srv.mint('app'))),
        grpc.status.UNAVAILABLE,
        'ERROR_REASON_STORAGE_UNAVAILABLE',
      );
    } finally {
      c.close();
      await srv.stop().catch(() => undefined);
    }
  });

  it('answers UNAVAILABLE when the network to PostgreSQL is cut, and blocks on unverifiable status', async () => {
    const proxy = await pgProxy(TEST_DATABASE_URL);
    const srv = await startTestServer({ env: { BTV_DATABASE_URL: proxy.url } });
    const c = connect(srv.address);
    try {
      const tenantId = randomUUID();
      const system = AiSystem.fromPartial({ id: 'fc-2', name: 'x', risk: RC.RISK_CLASSIFICATION_MINIMAL });
      await call(c.governance, c.governance.registerSystem, { system }, bearer(srv.mint('dev', { tenantId })));
      const req = { systemId: 'fc-2', prompt: 'Say hello', env: 'development', artifactType: '', messages: [] };
      expect(
        (await call(c.governance, c.governance.enforce, req, bearer(srv.mint('app', { tenantId })))).decision!.outcome,
      ).to.equal(DO.DECISION_OUTCOME_APPROVED);
      await proxy.cut();
      // The status listener lost its connection: the cache must not vouch for anything now.
      const deadline = Date.now() + 2000;
      while (srv.app.hub.healthy && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(srv.app.hub.healthy).to.equal(false);
      expect(await srv.app.statusCache.get(tenantId, 'fc-2')).to.deep.equal({ verified: false });
      const started = Date.now();
      await expectError(
        call(c.governance, c.governance.enforce, req, bearer(srv.mint('app', { tenantId }))),
        grpc.status.UNAVAILABLE,
        'ERROR_REASON_STORAGE_UNAVAILABLE',
      );
      expect(Date.now() - started).to.be.lessThan(15_000);
    } finally {
      c.close();
      await srv.stop().catch(() => undefined);
    }
  });
});
