// Human review rules over in-memory store fakes: who resolves what, once, and what the ledger keeps.
// test/api/audit.test.ts runs the same service through gRPC on both databases.
import { expect } from 'chai';
import type { RequestContext } from '../../src/domain/context';
import { ReviewService } from '../../src/audit/reviews';
import type { ReviewRecord } from '../../src/store/ports';
import { MemoryStorage } from '../fakes/memory-storage';
import { rejection } from '../helpers/rejection';

const TENANT = '0b7e3c52-2a55-4f43-a1b5-7f7f2a9d8c01';
const OTHER = '9d2f0a61-3b11-4c0e-8a77-1c2d3e4f5a6b';
const ctx = (tenantId = TENANT, subject = 'reviewer-1'): RequestContext => ({
  tenantId,
  subject,
  role: 'admin',
  requestId: 'req-r',
  expiresAt: Math.floor(Date.now() / 1000) + 600,
});

const review = (id: string, createdAt: Date, tenantId = TENANT): ReviewRecord => ({
  tenantId,
  id,
  decisionId: `dec-${id}`,
  systemId: 'sys-a',
  status: 'pending',
  riskScore: 7,
  reason: 'HIGH_RISK: needs a person',
  env: 'production',
  createdAt,
  resolvedAt: null,
  resolvedBy: null,
  notes: null,
});

describe('review rules (in-memory store)', () => {
  let storage: MemoryStorage;
  let service: ReviewService;
  const resolvedAt = new Date('2026-12-02T12:00:00Z');

  beforeEach(async () => {
    storage = new MemoryStorage();
    service = new ReviewService(storage, storage.reviewQueries, () => resolvedAt);
    await storage.transaction(TENANT, async (uow) => {
      for (let i = 1; i <= 3; i++) await uow.reviews.open(review(`REV-${i}`, new Date(Date.UTC(2026, 11, 1, i))));
    });
    await storage.transaction(OTHER, (uow) => uow.reviews.open(review('REV-9', new Date(), OTHER)));
  });

  it('resolves a pending review once, as the caller, and ledgers the resolution', async () => {
    const r = await service.resolve(ctx(), 'REV-2', true, 'checked the file');
    expect(r).to.include({ status: 'approved', resolvedBy: 'reviewer-1', notes: 'checked the file' });
    expect(r.resolvedAt).to.deep.equal(resolvedAt);
    expect(storage.entries(TENANT).map((e) => [e.event.type, e.event.body])).to.deep.equal([
      [
        'review.resolved',
        {
          review_id: 'REV-2',
          decision_id: 'dec-REV-2',
          system_id: 'sys-a',
          status: 'approved',
          notes: 'checked the file',
        },
      ],
    ]);
    const again = await rejection(() => service.resolve(ctx(), 'REV-2', false, ''));
    expect(again).to.include({ kind: 'failed_precondition', reason: 'REVIEW_ALREADY_RESOLVED' });
    expect(again.metadata).to.deep.equal({ status: 'approved' });
    expect(storage.review(TENANT, 'REV-2')?.status).to.equal('approved');
    expect(storage.entries(TENANT)).to.have.length(1);
  });

  it("another tenant's review is not found, and stays pending", async () => {
    const e = await rejection(() => service.resolve(ctx(), 'REV-9', true, ''));
    expect(e).to.include({ kind: 'not_found', reason: 'REVIEW_NOT_FOUND' });
    expect(storage.review(OTHER, 'REV-9')?.status).to.equal('pending');
  });

  it('refuses an id no review can have, and notes that are too long, changing nothing', async () => {
    for (const id of ['', 'x'.repeat(201), 'REV-\u00001']) {
      expect((await rejection(() => service.resolve(ctx(), id, true, ''))).reason).to.equal('REVIEW_NOT_FOUND');
    }
    const long = await rejection(() => service.resolve(ctx(), 'REV-1', true, 'n'.repeat(2001)));
    expect(long.fieldViolations.map((v) => v.field)).to.deep.equal(['notes']);
    expect(storage.review(TENANT, 'REV-1')?.status).to.equal('pending');
    expect(storage.entries(TENANT)).to.deep.equal([]);
  });

  it('pages the pending reviews oldest first, with a token bound to the tenant', async () => {
    await service.resolve(ctx(), 'REV-1', false, '');
    const first = await service.pending(ctx(), 1, '');
    expect(first.reviews.map((r) => r.id)).to.deep.equal(['REV-2']);
    expect(first.pendingCount).to.equal(2);
    const second = await service.pending(ctx(), 1, first.nextPageToken);
    expect(second.reviews.map((r) => r.id)).to.deep.equal(['REV-3']);
    expect(second.nextPageToken).to.equal('');
    const stolen = await rejection(() => service.pending(ctx(OTHER), 1, first.nextPageToken));
    expect(stolen.kind).to.equal('invalid_argument');
    const big = await rejection(() => service.pending(ctx(), 101, ''));
    expect(big.fieldViolations.map((v) => v.field)).to.deep.equal(['limit']);
  });
});
