/**
 * The kill switch across restarts and replicas, through the real gRPC surface:
 *
 *  - status and the change log survive a restart (the shared test database and the embedded default);
 *  - two servers on one PostgreSQL database: changes made through one reach the
 *    watchers and the enforcement status cache of the other (LISTEN/NOTIFY);
 *  - a server that loses its notification connection fails closed and resyncs;
 *  - a watcher that stops reading is cut off (bounded memory) and can resume.
 */
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import type { WatchSystemStatusResponse } from '../../gen/ts/btv/v1/operations';
import { WatchSystemStatusRequest } from '../../gen/ts/btv/v1/operations';
import type { StatusEvent } from '../../gen/ts/btv/v1/types';
import {
  AiSystem,
  OperationalStatus as OS,
  RiskClassification,
  StatusEventType as ET,
} from '../../gen/ts/btv/v1/types';
import { Watch } from '../helpers/watch';
import type { Clients } from '../helpers/grpc';
import { bearer, call, connect, decodeError } from '../helpers/grpc';
import type { TestServer } from '../helpers/server';
import { startTestServer, TEST_DATABASE_KIND } from '../helpers/server';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Keys every server of this file shares, so any of them may append to and checkpoint any tenant's ledger. */
function sharedKeys(): Record<string, string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'btv-replicas-keys-'));
  const checkpointKeyFile = path.join(dir, 'checkpoint.pem');
  const { privateKey } = crypto.generateKeyPairSync('ed25519');
  fs.writeFileSync(checkpointKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return {
    BTV_LEDGER_KEYS: `k1:${crypto.randomBytes(32).toString('base64')}`,
    BTV_CHECKPOINT_KEY_FILE: checkpointKeyFile,
  };
}

/** Helpers bound to one server address and one tenant's tokens. */
function ops(c: Clients, mdAdmin: grpc.Metadata, mdDev: grpc.Metadata) {
  return {
    register: async (id: string) => {
      await call(
        c.governance,
        c.governance.registerSystem,
        {
          system: AiSystem.fromPartial({
            id,
            name: id,
            risk: RiskClassification.RISK_CLASSIFICATION_HIGH,
            loggingEnabled: true,
          }),
        },
        mdDev,
      );
      return id;
    },
    stop: (systemId: string) =>
      call(
        c.operations,
        c.operations.emergencyStop,
        { systemId, reason: 'incident 42', operatorId: 'oncall-7', requestId: '' },
        mdAdmin,
      ),
    setStatus: (systemId: string, operationalStatus: OS) =>
      call(
        c.operations,
        c.operations.setOperationalStatus,
        { systemId, operationalStatus, reason: 'test', operatorId: '', requestId: '' },
        mdAdmin,
      ),
    get: (systemId: string) => call(c.operations, c.operations.getOperationalStatus, { systemId }, mdAdmin),
  };
}

/** Heap in use after a full collection (a V8 flag turned on at run time, so mocha needs no --expose-gc). */
function heapAfterGc(): number {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('Kill switch across restarts and replicas', function () {
  this.timeout(60_000);
  const keys = sharedKeys();
  const secret = crypto.randomBytes(48).toString('base64url');
  const servers: TestServer[] = [];
  const clients: Clients[] = [];
  const sys = (p: string) => `${p}-${crypto.randomUUID().slice(0, 8)}`;

  const start = async (o: { dataDir?: string; embedded?: boolean; env?: Record<string, string> } = {}) => {
    const s = await startTestServer({
      dataDir: o.dataDir,
      embedded: o.embedded,
      secret,
      env: { BTV_WATCH_HEARTBEAT_MS: '1000', ...keys, ...o.env },
    });
    servers.push(s);
    const c = connect(s.address);
    clients.push(c);
    return { s, c };
  };

  afterEach(async () => {
    clients.splice(0).forEach((c) => c.close());
    for (const s of servers.splice(0)) await s.stop().catch(() => undefined);
  });

  it('keeps status and the change log across a restart of the embedded default: same revision, a resumed watch gets exactly the missed changes', async () => {
    const first = await start({ embedded: true });
    const tenantId = first.s.tenantId;
    const admin = bearer(first.s.mint('admin'));
    let o = ops(first.c, admin, bearer(first.s.mint('dev')));
    const [x, y] = [await o.register(sys('restart-x')), await o.register(sys('restart-y'))];

    const w = new Watch(first.c, { systemIds: [x, y] }, admin);
    await w.until(() => w.events.length >= 2);
    const r1 = (await o.setStatus(x, OS.OPERATIONAL_STATUS_DEGRADED)).statusChange!.revision;
    await w.until(() => w.changes().length >= 1);
    const seen = w.revisions().at(-1)!;
    expect(seen).to.equal(r1);
    w.cancel();

    // Missed by the watcher: two changes before the restart.
    const r2 = (await o.stop(x)).statusChange!.revision;
    const r3 = (await o.setStatus(y, OS.OPERATIONAL_STATUS_MAINTENANCE)).statusChange!.revision;
    // An open watch is told to reconnect when the server stops.
    const subscribed = first.s.app.hub.subscriberCount;
    const open = new Watch(first.c, { systemIds: [x], sinceRevision: r3 }, admin);
    // Stopped while the watch may still be reading its start (right after it subscribed): a session
    // ending then must not leave a rejection nobody handles (a bare server process would crash on it).
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    for (const t = Date.now(); first.s.app.hub.subscriberCount === subscribed && Date.now() - t < 5000;) await sleep(5);
    try {
      await first.s.stop();
      await open.until(() => Boolean(open.error)).catch(() => undefined);
      await sleep(10);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled.map(String)).to.deep.equal([]);
    expect(decodeError(open.error!)).to.include({
      code: grpc.status.UNAVAILABLE,
      reason: 'ERROR_REASON_SHUTTING_DOWN',
    });

    const second = await start({ dataDir: first.s.dataDir, embedded: true });
    const admin2 = bearer(second.s.mint('admin', { tenantId }));
    o = ops(second.c, admin2, bearer(second.s.mint('dev', { tenantId })));
    const { status } = await o.get(x);
    expect(status).to.deep.include({
      systemId: x,
      operationalStatus: OS.OPERATIONAL_STATUS_EMERGENCY_STOP,
      revision: r2,
      reason: 'incident 42',
      operator: 'test-admin',
    });
    expect(await second.s.app.statusCache.get(tenantId, x)).to.deep.include({
      verified: true,
      status: 'emergency_stop',
      revision: r2,
    });

    // Missed as well: one change after the restart, before the watcher comes back.
    const r4 = (await o.setStatus(y, OS.OPERATIONAL_STATUS_ACTIVE)).statusChange!.revision;
    const resumed = new Watch(second.c, { systemIds: [x, y], sinceRevision: seen }, admin2);
    await resumed.until(() => resumed.changes().length >= 3);
    const r5 = (await o.setStatus(x, OS.OPERATIONAL_STATUS_MAINTENANCE)).statusChange!.revision;
    await resumed.until(() => resumed.changes().length >= 4);
    await sleep(50);
    expect(resumed.events.filter((e) => e.type === ET.STATUS_EVENT_TYPE_SNAPSHOT)).to.have.length(0);
    expect(resumed.revisions()).to.deep.equal([r2, r3, r4, r5]);
    expect(resumed.revisions()).to.deep.equal(range(seen + 1, seen + 4));
    expect(resumed.changes().map((e) => [e.systemId, e.previousStatus, e.newStatus])).to.deep.equal([
      [x, OS.OPERATIONAL_STATUS_DEGRADED, OS.OPERATIONAL_STATUS_EMERGENCY_STOP],
      [y, OS.OPERATIONAL_STATUS_ACTIVE, OS.OPERATIONAL_STATUS_MAINTENANCE],
      [y, OS.OPERATIONAL_STATUS_MAINTENANCE, OS.OPERATIONAL_STATUS_ACTIVE],
      [x, OS.OPERATIONAL_STATUS_EMERGENCY_STOP, OS.OPERATIONAL_STATUS_MAINTENANCE],
    ]);
    resumed.cancel();
  });

  it('watches opened while changes are being committed start cleanly: snapshot or exactly the missed changes, then each change once', async () => {
    const { s, c } = await start();
    const admin = bearer(s.mint('admin'));
    const o = ops(c, admin, bearer(s.mint('dev')));
    const ids = [await o.register(sys('busy0')), await o.register(sys('busy1'))];
    let newest = (await o.setStatus(ids[0], OS.OPERATIONAL_STATUS_DEGRADED)).statusChange!.revision;
    let writing = true;
    const writers = ids.map(async (id, k) => {
      for (let i = k === 0 ? 1 : 0; writing; i++) {
        const r = await o.setStatus(id, i % 2 === 0 ? OS.OPERATIONAL_STATUS_DEGRADED : OS.OPERATIONAL_STATUS_ACTIVE);
        newest = Math.max(newest, r.statusChange!.revision);
      }
    });
    const problems: string[] = [];
    try {
      for (let round = 0; round < 25; round++) {
        const since = Math.max(1, newest - 3);
        const fresh = new Watch(c, {}, admin);
        const resumed = new Watch(c, { sinceRevision: since }, admin);
        await fresh.until(() => fresh.events.length >= 3);
        await resumed.until(() => resumed.changes().length >= 3);
        await sleep(20);
        fresh.cancel();
        resumed.cancel();
        const show = (w: Watch) =>
          JSON.stringify(w.events.map((e) => [ET[e.type].replace('STATUS_EVENT_TYPE_', ''), e.revision]));
        // Since 0: the snapshot of both systems first, then every later change once, in order.
        const snaps = fresh.events.filter((e) => e.type === ET.STATUS_EVENT_TYPE_SNAPSHOT);
        const after = fresh.revisions();
        const firstTwoAreSnapshots = fresh.events.slice(0, 2).every((e) => e.type === ET.STATUS_EVENT_TYPE_SNAPSHOT);
        if (
          snaps.length !== 2 ||
          !firstTwoAreSnapshots ||
          (after.length &&
            (after[0] <= Math.max(...snaps.map((e) => e.revision)) ||
              after.join() !== range(after[0], after.at(-1)!).join()))
        ) {
          problems.push(`since 0: ${show(fresh)}`);
        }
        // Since k: exactly k+1, k+2, ... and no snapshot.
        const got = resumed.revisions();
        if (
          resumed.events.some((e) => e.type === ET.STATUS_EVENT_TYPE_SNAPSHOT) ||
          got.join() !== range(since + 1, since + got.length).join()
        ) {
          problems.push(`since ${since}: ${show(resumed)}`);
        }
      }
    } finally {
      writing = false;
      await Promise.all(writers);
    }
    expect(problems).to.deep.equal([]);
  });

  describe(`two servers on one database (${TEST_DATABASE_KIND})`, () => {
    const pair = async () => {
      const a = await start();
      const b = await start();
      const tenantId = a.s.tenantId;
      const mdA = bearer(a.s.mint('admin'));
      const mdB = bearer(b.s.mint('admin', { tenantId }));
      return {
        a,
        b,
        tenantId,
        mdA,
        mdB,
        onA: ops(a.c, mdA, bearer(a.s.mint('dev'))),
        onB: ops(b.c, mdB, bearer(b.s.mint('dev', { tenantId }))),
      };
    };

    it('a stop through A reaches a watcher on B and B’s enforcement status cache', async () => {
      const { a, b, tenantId, mdB, onA, onB } = await pair();
      const x = await onA.register(sys('pair'));
      const w = new Watch(b.c, { systemIds: [x] }, mdB);
      await w.until(() => w.events.length >= 1);
      expect(w.events[0]).to.deep.include({
        type: ET.STATUS_EVENT_TYPE_SNAPSHOT,
        systemId: x,
        newStatus: OS.OPERATIONAL_STATUS_ACTIVE,
      });
      // B's cache holds the system, so it is stale unless B hears about the stop.
      const before = await b.s.app.statusCache.get(tenantId, x);
      expect(before).to.deep.include({ verified: true, status: 'active' });

      const sent = performance.now();
      const { statusChange } = await onA.stop(x);
      const returned = performance.now();
      let cached = await b.s.app.statusCache.get(tenantId, x);
      while (!(cached?.verified && cached.status === 'emergency_stop') && performance.now() - returned < 100) {
        await new Promise((r) => setImmediate(r));
        cached = await b.s.app.statusCache.get(tenantId, x);
      }
      const cacheMs = performance.now() - returned;
      expect(cached, `B's cache ${cacheMs.toFixed(1)} ms after A's EmergencyStop returned`).to.deep.equal({
        verified: true,
        status: 'emergency_stop',
        phase: 'deployment',
        revision: statusChange!.revision,
      });
      await w.until(() => w.changes().length >= 1);
      const watchMs = performance.now() - returned;
      expect(w.changes()[0]).to.deep.include({
        systemId: x,
        previousStatus: OS.OPERATIONAL_STATUS_ACTIVE,
        newStatus: OS.OPERATIONAL_STATUS_EMERGENCY_STOP,
        revision: statusChange!.revision,
        operator: 'test-admin',
        reason: 'incident 42',
      });
      console.log(
        `      EmergencyStop through A took ${(returned - sent).toFixed(1)} ms; B's cache had it ${cacheMs.toFixed(1)} ms after the call returned` +
          ` (watcher on B: by ${watchMs.toFixed(1)} ms)`,
      );
      // And the other way round: a change through B reaches A's (warm) cache.
      expect(await a.s.app.statusCache.get(tenantId, x)).to.deep.include({ verified: true, status: 'emergency_stop' });
      const back = (await onB.setStatus(x, OS.OPERATIONAL_STATUS_MAINTENANCE)).statusChange!.revision;
      const t = performance.now();
      let cachedA = await a.s.app.statusCache.get(tenantId, x);
      while (!(cachedA?.verified && cachedA.revision === back) && performance.now() - t < 100) {
        await new Promise((r) => setImmediate(r));
        cachedA = await a.s.app.statusCache.get(tenantId, x);
      }
      expect(cachedA).to.deep.include({ verified: true, status: 'maintenance', revision: back });
      w.cancel();
    });

    it('changes made alternately (and concurrently) through A and B reach watchers on both in revision order, no gap, no duplicate', async () => {
      const { a, b, mdA, mdB, onA, onB } = await pair();
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) ids.push(await onA.register(sys(`alt${i}`)));
      const wA = new Watch(a.c, { systemIds: ids }, mdA);
      const wB = new Watch(b.c, { systemIds: ids }, mdB);
      await wA.until(() => wA.events.length >= ids.length);
      await wB.until(() => wB.events.length >= ids.length);
      const head = Math.max(...wB.events.map((e) => e.revision));

      const revisions: number[] = [];
      // Sequential, alternating A and B.
      for (let i = 0; i < 20; i++) {
        const via = i % 2 === 0 ? onA : onB;
        const r = await via.setStatus(
          ids[0],
          i % 2 === 0 ? OS.OPERATIONAL_STATUS_DEGRADED : OS.OPERATIONAL_STATUS_ACTIVE,
        );
        revisions.push(r.statusChange!.revision);
      }
      // Concurrent: one sequence per system, each call through A or B in turn, so notifications race.
      await Promise.all(
        ids.map(async (id, k) => {
          for (let i = 0; i < 20; i++) {
            const via = (i + k) % 2 === 0 ? onA : onB;
            const r = await via.setStatus(
              id,
              i % 2 === 0 ? OS.OPERATIONAL_STATUS_MAINTENANCE : OS.OPERATIONAL_STATUS_ACTIVE,
            );
            revisions.push(r.statusChange!.revision);
          }
        }),
      );
      const expected = range(head + 1, head + revisions.length);
      expect([...revisions].sort((p, q) => p - q)).to.deep.equal(expected);
      for (const w of [wA, wB]) {
        await w.until(() => w.changes().length >= expected.length, 10_000);
        await sleep(100); // nothing more (no duplicate) arrives
        expect(w.revisions()).to.deep.equal(expected);
        w.cancel();
      }
      // Each change starts from the state the one before it left, whichever server made either.
      for (const id of ids) {
        const chain = wB.changes().filter((e) => e.systemId === id);
        chain
          .slice(1)
          .forEach((e, i) => expect(e.previousStatus, `${id} at revision ${e.revision}`).to.equal(chain[i].newStatus));
      }
      // Each watcher's events replay to the final state both servers report.
      for (const id of ids) {
        const last = wB
          .changes()
          .filter((e) => e.systemId === id)
          .at(-1)!;
        expect((await onA.get(id)).status!.operationalStatus).to.equal(last.newStatus);
        expect((await onB.get(id)).status!.operationalStatus).to.equal(last.newStatus);
      }
    });

    it('fails closed when B loses its notification connection: its watchers are ended, never told a stale revision; B resyncs and a resumed watch gets the missed changes', async () => {
      const { b, tenantId, mdB, onA } = await pair();
      const [x, y] = [await onA.register(sys('outage-x')), await onA.register(sys('outage-y'))];
      const w = new Watch(b.c, { systemIds: [x, y] }, mdB);
      await w.until(() => w.events.length >= 2);
      const r0 = (await onA.setStatus(y, OS.OPERATIONAL_STATUS_DEGRADED)).statusChange!.revision;
      await w.until(() => w.changes().length >= 1);
      expect(await b.s.app.statusCache.get(tenantId, x)).to.deep.include({ verified: true, status: 'active' });

      const listener = b.s.app.listener;
      listener.simulateDisconnect();
      // At once: nothing B has may be trusted, and its watchers are told so instead of hearing heartbeats.
      expect(await b.s.app.statusCache.get(tenantId, x)).to.deep.equal({ verified: false });
      expect(await b.s.app.statusCache.get(tenantId, y)).to.deep.equal({ verified: false });
      await w.until(() => Boolean(w.error)).catch(() => undefined);
      expect(decodeError(w.error!)).to.include({
        code: grpc.status.UNAVAILABLE,
        reason: 'ERROR_REASON_STATUS_UNVERIFIED',
      });
      const seenBefore = w.events.length;

      // Changes through A while B cannot hear them.
      const r1 = (await onA.stop(x)).statusChange!.revision;
      const r2 = (await onA.setStatus(y, OS.OPERATIONAL_STATUS_ACTIVE)).statusChange!.revision;
      const duringOutage = b.s.app.hub.healthy;
      const unverified = await b.s.app.statusCache.get(tenantId, x);
      // A watch opened on B meanwhile is refused the same way: B could not vouch for what it would send.
      const early = new Watch(b.c, { systemIds: [x, y], sinceRevision: r0 }, mdB);
      await early.until(() => Boolean(early.error)).catch(() => undefined);
      const earlyError = early.error && decodeError(early.error);

      // B reconnects on its own, resyncs, and vouches for its status again.
      const lost = performance.now();
      let cached = await b.s.app.statusCache.get(tenantId, x);
      while (!cached?.verified && performance.now() - lost < 10_000) {
        await sleep(5);
        cached = await b.s.app.statusCache.get(tenantId, x);
      }
      expect(
        duringOutage,
        'still disconnected after the changes through A (reconnect came too soon for this test)',
      ).to.equal(false);
      expect(unverified).to.deep.equal({ verified: false });
      expect(earlyError).to.include({ code: grpc.status.UNAVAILABLE, reason: 'ERROR_REASON_STATUS_UNVERIFIED' });
      expect(cached, 'B verified again').to.deep.equal({
        verified: true,
        status: 'emergency_stop',
        phase: 'deployment',
        revision: r1,
      });
      expect(await b.s.app.statusCache.get(tenantId, y)).to.deep.include({
        verified: true,
        status: 'active',
        revision: r2,
      });
      // The ended watch heard nothing after it was ended (no heartbeat naming r0 as current).
      expect(w.events.length).to.equal(seenBefore);
      expect(w.revisions()).to.deep.equal([r0]);
      // Resumed from what it saw: exactly the missed changes from the change log, then live ones.
      const resumed = new Watch(b.c, { systemIds: [x, y], sinceRevision: r0 }, mdB);
      await resumed.until(() => resumed.changes().length >= 2);
      expect(resumed.changes().map((e) => [e.revision, e.systemId, e.newStatus])).to.deep.equal([
        [r1, x, OS.OPERATIONAL_STATUS_EMERGENCY_STOP],
        [r2, y, OS.OPERATIONAL_STATUS_ACTIVE],
      ]);
      const r3 = (await onA.setStatus(x, OS.OPERATIONAL_STATUS_MAINTENANCE)).statusChange!.revision;
      await resumed.until(() => resumed.changes().length >= 3);
      expect(resumed.revisions()).to.deep.equal([r1, r2, r3]);
      resumed.cancel();
    });
  });

  it('cuts off a watcher that stops reading (RESOURCE_EXHAUSTED, bounded memory) and lets it resume from what it saw', async function () {
    this.timeout(180_000);
    const maxQueue = 50;
    const { s, c } = await start({ env: { BTV_WATCH_MAX_QUEUE: String(maxQueue) } });
    const admin = bearer(s.mint('admin'));
    const o = ops(c, admin, bearer(s.mint('dev')));
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await o.register(sys(`slow${i}`)));

    const subscribersBefore = s.app.hub.subscriberCount;
    const received: StatusEvent[] = [];
    let error: grpc.ServiceError | undefined;
    const stream = c.operations.watchSystemStatus(WatchSystemStatusRequest.fromPartial({ systemIds: ids }), admin);
    stream.on('data', (r: WatchSystemStatusResponse) => received.push(r.event!));
    const ended = new Promise<void>((resolve) => {
      stream.on('error', (e: grpc.ServiceError) => {
        error = e;
        resolve();
      });
      stream.on('end', () => resolve());
    });
    const deadline = Date.now() + 5000;
    while (received.length < ids.length && Date.now() < deadline) await sleep(5);
    expect(received.filter((e) => e.type === ET.STATUS_EVENT_TYPE_SNAPSHOT)).to.have.length(ids.length);
    expect(s.app.hub.subscriberCount).to.equal(subscribersBefore + 1);
    // One change read, then the client stops reading.
    const p0 = (await o.setStatus(ids[0], OS.OPERATIONAL_STATUS_MAINTENANCE)).statusChange!.revision;
    while (!received.some((e) => e.revision === p0) && Date.now() < deadline) await sleep(5);
    stream.pause();

    const heapBefore = heapAfterGc();
    const total = 2000;
    const results = new Map<string, { revision: number; status: OS }>();
    const all: number[] = [];
    let cutAfter: number | undefined;
    let made = 0;
    // One after the other, so the watch stays on its live path (the one that queues); round-robin over the systems.
    for (let i = 0; i < total; i++) {
      const id = ids[i % ids.length];
      const target =
        Math.floor(i / ids.length) % 2 === 0 ? OS.OPERATIONAL_STATUS_DEGRADED : OS.OPERATIONAL_STATUS_ACTIVE;
      const r = await o.setStatus(id, target);
      results.set(id, { revision: r.statusChange!.revision, status: target });
      all.push(r.statusChange!.revision);
      made++;
      if (cutAfter === undefined && s.app.hub.subscriberCount === subscribersBefore) cutAfter = made;
    }
    const heapAfter = heapAfterGc();
    const head = Math.max(...all);
    const firstChange = Math.min(...all);
    expect(head - firstChange + 1).to.equal(total);

    // The server dropped the session (and its queue) long before the changes stopped coming.
    expect(cutAfter, 'the slow watcher was cut off while changes were still being made').to.be.a('number');
    expect(s.app.hub.subscriberCount).to.equal(subscribersBefore);
    const growthMb = (heapAfter - heapBefore) / 2 ** 20;
    expect(growthMb, 'heap growth (MB) over 2000 changes with a stalled watcher').to.be.below(32);

    // The stream is over although its client never read again: the trailers could not pass the data
    // it left unread, so the server reset the stream rather than keep it open.
    await Promise.race([ended, sleep(10_000)]);
    expect(error, 'the slow watch ended while its client was not reading').to.exist;
    expect(error!.code, error!.message).to.be.oneOf([grpc.status.CANCELLED, grpc.status.RESOURCE_EXHAUSTED]);
    stream.resume();
    const got = received.filter((e) => e.type === ET.STATUS_EVENT_TYPE_CHANGE).map((e) => e.revision);
    // What it did get (flow-control windows and the server's bounded queue) is in order and gap-free, and far from everything.
    expect(got).to.deep.equal(range(p0, p0 + got.length - 1));
    expect(got.length).to.be.below(total);
    console.log(
      `      slow watcher: cut after ${cutAfter} of ${total} changes, had received ${got.length}; heap ${growthMb >= 0 ? '+' : ''}${growthMb.toFixed(1)} MB`,
    );

    // Resume from the last change the slow client saw: exactly the rest, then live changes.
    const last = got[got.length - 1];
    const w = new Watch(c, { systemIds: ids, sinceRevision: last }, admin);
    await w.until(() => w.changes().length >= head - last, 20_000);
    const live = (await o.stop(ids[0])).statusChange!.revision;
    await w.until(() => w.changes().length >= head - last + 1);
    expect(w.events.filter((e) => e.type === ET.STATUS_EVENT_TYPE_SNAPSHOT)).to.have.length(0);
    expect(w.revisions()).to.deep.equal(range(last + 1, live));
    for (const id of ids) {
      const final = w
        .changes()
        .filter((e) => e.systemId === id && e.revision <= head)
        .at(-1);
      expect(final?.newStatus, id).to.equal(results.get(id)!.status);
    }
    w.cancel();
  });
});
