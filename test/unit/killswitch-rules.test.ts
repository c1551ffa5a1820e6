// The kill switch's rules over in-memory store fakes: transitions, who may make them, idempotency
// keys, rollback. test/api/killswitch.test.ts runs the same service through gRPC on both databases.
import { expect } from 'chai';
import type { Role, RequestContext } from '../../src/domain/context';
import type { StatusChangeRecord } from '../../src/store/ports';
import type { CachedStatus } from '../../src/killswitch/cache';
import { KillSwitchService } from '../../src/killswitch/service';
import { MemoryStorage } from '../fakes/memory-storage';
import { rejection } from '../helpers/rejection';
import { systemSpec } from '../fakes/specs';

const TENANT = '6f1c1c1e-8f4b-4d55-9d3a-0c6a2b7f1a10';
const ctx = (role: Role, subject = `${role}-1`, requestId = 'req-1'): RequestContext => ({
  tenantId: TENANT,
  subject,
  role,
  requestId,
  expiresAt: Math.floor(Date.now() / 1000) + 600,
});

describe('kill switch rules (in-memory store)', () => {
  let storage: MemoryStorage;
  let published: StatusChangeRecord[];
  let cache: Map<string, CachedStatus>;
  let service: KillSwitchService;

  beforeEach(async () => {
    storage = new MemoryStorage();
    published = [];
    cache = new Map();
    service = new KillSwitchService(
      storage,
      storage.status,
      { get: async (_t, id) => cache.get(id) },
      (c) => published.push(c),
      () => new Date('2026-12-02T10:00:00Z'),
    );
    await storage.systems.upsert(TENANT, systemSpec('sys-a'), new Date('2026-12-01T00:00:00Z'));
  });

  it('a stop moves the status, takes the next revision, ledgers and publishes it once', async () => {
    const r = await service.emergencyStop(ctx('admin'), {
      systemId: 'sys-a',
      reason: 'bad outputs',
      operatorId: '',
      idempotencyKey: '',
    });
    expect(r).to.include({ previousStatus: 'active', newStatus: 'emergency_stop', revision: 1, replayed: false });
    expect((await storage.status.current(TENANT, 'sys-a'))?.operationalStatus).to.equal('emergency_stop');
    expect(storage.entries(TENANT).map((e) => [e.event.type, e.event.body])).to.deep.equal([
      [
        'status.changed',
        {
          system_id: 'sys-a',
          revision: 1,
          from: 'active',
          to: 'emergency_stop',
          reason: 'bad outputs',
          operator: 'admin-1',
        },
      ],
    ]);
    expect(published.map((c) => c.revision)).to.deep.equal([1]);
  });

  it('asks the store for an append-only commit, with the status the cache vouched for', async () => {
    cache.set('sys-a', { verified: true, status: 'active', phase: 'design', revision: 0 });
    await service.emergencyStop(ctx('admin'), { systemId: 'sys-a', reason: 'r', operatorId: '', idempotencyKey: '' });
    expect(storage.transactions).to.deep.equal([
      { appendOnly: true, assumedStatus: { systemId: 'sys-a', operationalStatus: 'active', lifecyclePhase: 'design' } },
    ]);
  });

  it('a stale cache does not decide: the change starts from the stored status', async () => {
    await service.emergencyStop(ctx('admin'), { systemId: 'sys-a', reason: 'r', operatorId: '', idempotencyKey: '' });
    // The cache still says active; the system is stopped.
    cache.set('sys-a', { verified: true, status: 'active', phase: 'design', revision: 0 });
    const r = await service.setStatus(ctx('admin'), {
      systemId: 'sys-a',
      target: 'maintenance',
      reason: 'inspect',
      operatorId: '',
      idempotencyKey: '',
    });
    expect(r).to.include({ previousStatus: 'emergency_stop', newStatus: 'maintenance', revision: 2 });
  });

  it('only an admin releases a stop, and a refused release changes nothing', async () => {
    await service.emergencyStop(ctx('admin'), { systemId: 'sys-a', reason: 'r', operatorId: '', idempotencyKey: '' });
    const e = await rejection(() =>
      service.setStatus(ctx('dev'), {
        systemId: 'sys-a',
        target: 'active',
        reason: '',
        operatorId: '',
        idempotencyKey: '',
      }),
    );
    expect(e).to.include({ kind: 'permission_denied', reason: 'EMERGENCY_STOP_REQUIRES_ADMIN' });
    expect((await storage.status.current(TENANT, 'sys-a'))?.operationalStatus).to.equal('emergency_stop');
    expect(storage.entries(TENANT)).to.have.length(1);
    expect(published).to.have.length(1);
  });

  it('a dev may not engage the stop through SetOperationalStatus either', async () => {
    const e = await rejection(() =>
      service.setStatus(ctx('dev'), {
        systemId: 'sys-a',
        target: 'emergency_stop',
        reason: 'r',
        operatorId: '',
        idempotencyKey: '',
      }),
    );
    expect(e).to.include({ kind: 'permission_denied', reason: 'EMERGENCY_STOP_REQUIRES_ADMIN' });
    expect(storage.changes(TENANT)).to.deep.equal([]);
  });

  it('refuses a phase skip and leaves decommissioning final', async () => {
    const skip = await rejection(() =>
      service.setPhase(ctx('dev'), {
        systemId: 'sys-a',
        target: 'operation',
        reason: '',
        operatorId: '',
        idempotencyKey: '',
      }),
    );
    expect(skip).to.include({ kind: 'failed_precondition', reason: 'TRANSITION_NOT_ALLOWED' });
    expect(skip.metadata).to.deep.include({ from: 'design', to: 'operation' });
    await service.setPhase(ctx('dev'), {
      systemId: 'sys-a',
      target: 'decommissioning',
      reason: 'retired',
      operatorId: '',
      idempotencyKey: '',
    });
    const back = await rejection(() =>
      service.setPhase(ctx('admin'), {
        systemId: 'sys-a',
        target: 'design',
        reason: '',
        operatorId: '',
        idempotencyKey: '',
      }),
    );
    expect(back.metadata).to.deep.include({ from: 'decommissioning', allowed: '' });
    expect(storage.changes(TENANT).map((c) => c.newPhase)).to.deep.equal(['decommissioning']);
  });

  it('a change to the status it already has changes nothing', async () => {
    const r = await service.setStatus(ctx('dev'), {
      systemId: 'sys-a',
      target: 'active',
      reason: '',
      operatorId: '',
      idempotencyKey: '',
    });
    expect(r.message).to.match(/already active/);
    expect(storage.changes(TENANT)).to.deep.equal([]);
    expect(storage.entries(TENANT)).to.deep.equal([]);
  });

  it('a repeated request_id answers the first change once; another change or caller with it is refused', async () => {
    const req = { systemId: 'sys-a', reason: 'r', operatorId: '', idempotencyKey: 'op-42' };
    const first = await service.emergencyStop(ctx('admin'), req);
    await service.setStatus(ctx('admin'), { ...req, target: 'suspended', idempotencyKey: 'op-43' });
    const again = await service.emergencyStop(ctx('admin'), req);
    expect(again).to.include({ replayed: true, revision: first.revision, newStatus: 'emergency_stop' });
    expect(again.message).to.match(/now suspended/);
    const other = await rejection(() =>
      service.setStatus(ctx('admin'), { ...req, target: 'maintenance', idempotencyKey: 'op-42' }),
    );
    expect(other).to.include({ kind: 'failed_precondition', reason: 'REQUEST_ID_REUSED' });
    const stranger = await rejection(() => service.emergencyStop(ctx('admin', 'admin-2'), req));
    expect(stranger.reason).to.equal('REQUEST_ID_REUSED');
    expect(storage.changes(TENANT).map((c) => c.revision)).to.deep.equal([1, 2]);
    expect(published).to.have.length(2);
  });

  it('the operator is the token subject; a differing operator_id is kept as a claim', async () => {
    const r = await service.emergencyStop(ctx('admin', 'alice'), {
      systemId: 'sys-a',
      reason: 'r',
      operatorId: 'mallory',
      idempotencyKey: '',
    });
    expect(r).to.include({ operator: 'alice', operatorClaim: 'mallory' });
    expect(storage.entries(TENANT)[0].event.body).to.include({ operator: 'alice', operator_claim: 'mallory' });
  });

  it('an unknown or malformed system is NOT_FOUND, and a stop without a reason INVALID_ARGUMENT', async () => {
    for (const systemId of ['sys-missing', 'bad id/..']) {
      const e = await rejection(() =>
        service.emergencyStop(ctx('admin'), { systemId, reason: 'r', operatorId: '', idempotencyKey: '' }),
      );
      expect(e).to.include({ kind: 'not_found', reason: 'SYSTEM_NOT_FOUND' });
    }
    const e = await rejection(() =>
      service.emergencyStop(ctx('admin'), { systemId: 'sys-a', reason: ' ', operatorId: '', idempotencyKey: '' }),
    );
    expect(e.kind).to.equal('invalid_argument');
    expect(e.fieldViolations.map((v) => v.field)).to.deep.equal(['reason']);
    expect(storage.changes(TENANT)).to.deep.equal([]);
  });
});
