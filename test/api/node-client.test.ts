/**
 * clients/node beyond the cross-language cases (test/clients/libraries.test.ts): the rate-limit
 * retry rule, failClosed: false, a watch that cannot succeed, and shared watches.
 */
import type * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { BuildToValueError, Client } from '../../clients/node/src';
import { AiSystem, RiskClassification as RC } from '../../gen/ts/btv/v1/types';
import type { Clients } from '../helpers/grpc';
import { bearer, call, connect } from '../helpers/grpc';
import type { TestServer } from '../helpers/server';
import { startTestServer } from '../helpers/server';

const until = async (what: string, ok: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('Node client library (clients/node)', function () {
  this.timeout(60_000);
  let srv: TestServer;
  let c: Clients;
  let admin: grpc.Metadata;
  const open: Client[] = [];
  const client = (o: ConstructorParameters<typeof Client>[2] = {}, token = srv.mint('app')) => {
    const x = new Client(srv.address, token, o);
    open.push(x);
    return x;
  };
  const register = async () => {
    const system = AiSystem.fromPartial({
      id: `nc-${randomUUID().slice(0, 8)}`,
      name: 'Node client',
      risk: RC.RISK_CLASSIFICATION_LIMITED,
      loggingEnabled: true,
    });
    await call(c.governance, c.governance.registerSystem, { system }, admin);
    return system.id;
  };

  before(async () => {
    // One Enforce a minute: the second is RESOURCE_EXHAUSTED with a RetryInfo delay of about a minute.
    srv = await startTestServer({ env: { BTV_RATE_LIMIT_ENFORCE: '1' } });
    c = connect(srv.address);
    admin = bearer(srv.mint('admin'));
  });
  after(async () => {
    open.forEach((x) => x.close());
    c?.close();
    await srv?.stop();
  });

  it('RESOURCE_EXHAUSTED whose RetryInfo delay exceeds the deadline is not waited for: BLOCKED CLIENT_FAIL_CLOSED at once', async () => {
    const id = await register();
    const x = client({ timeoutMs: 2000 });
    const first = await x.enforce(id, 'development', { prompt: 'Summarise the credit policy' });
    expect(first.source).to.equal('server');
    const t0 = Date.now();
    const second = await x.enforce(id, 'development', { prompt: 'Summarise the credit policy' });
    expect(Date.now() - t0).to.be.below(1500);
    expect(second).to.deep.include({ outcome: 'BLOCKED', allowed: false, source: 'fail_closed' });
    expect(second.reason).to.match(/^CLIENT_FAIL_CLOSED: RESOURCE_EXHAUSTED \(ERROR_REASON_RATE_LIMITED\)/);
  });

  it('failClosed: false throws the outage instead of answering, and never answers APPROVED', async () => {
    const x = new Client('127.0.0.1:1', srv.mint('app'), { failClosed: false, timeoutMs: 1000 });
    open.push(x);
    let err: unknown;
    try {
      await x.enforce('any', 'development', { prompt: 'x' });
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(BuildToValueError);
    expect((err as BuildToValueError).codeName).to.be.oneOf(['UNAVAILABLE', 'DEADLINE_EXCEEDED']);
    const closed = new Client('127.0.0.1:1', srv.mint('app'), { timeoutMs: 1000 });
    open.push(closed);
    expect((await closed.enforce('any', 'development', { prompt: 'x' })).outcome).to.equal('BLOCKED');
  });

  it('a watch that cannot succeed (unknown system, wrong role) stops with the reason instead of retrying', async () => {
    const x = client();
    x.watch(['no-such-system']);
    await until('the watch to stop', () => x.watchState!.stopped);
    expect(x.watchState!.lastError?.reason).to.equal('ERROR_REASON_SYSTEM_NOT_FOUND');
    const y = client({}, 'not-a-jwt');
    y.watch();
    await until('the watch to stop', () => y.watchState!.stopped);
    expect(y.watchState!.lastError?.codeName).to.equal('UNAUTHENTICATED');
  });

  it('clients of one process with the same token and systems share one watch; closing one leaves the other watching', async () => {
    const id = await register();
    const token = srv.mint('app', { sub: `shared-${randomUUID()}` });
    const a = client({}, token);
    const b = client({}, token);
    const own = client({ shareWatch: false }, token);
    for (const x of [a, b, own]) x.watch([id]);
    await until('snapshots', () => [a, b, own].every((x) => x.status(id)?.operationalStatus === 'ACTIVE'));
    expect(a.watchState).to.equal(b.watchState);
    expect(own.watchState).to.not.equal(a.watchState);
    a.close();
    await call(
      c.operations,
      c.operations.emergencyStop,
      { systemId: id, reason: 'shared', operatorId: '', requestId: '' },
      admin,
    );
    await until(
      'the stop in both caches',
      () =>
        b.status(id)?.operationalStatus === 'EMERGENCY_STOP' && own.status(id)?.operationalStatus === 'EMERGENCY_STOP',
    );
    expect((await b.enforce(id, 'development', { prompt: 'x' })).source).to.equal('cache');
  });
});
