import type { ReviewQueries, ReviewRecord, Storage } from '../store/ports';
import type { RequestContext } from '../domain/context';
import { DomainError, invalidArgument, notFound } from '../domain/errors';
import { cursorTime, decodePageToken, encodePageToken } from '../domain/page-token';
import type { Clock } from '../domain/clock';
import { optionalText } from '../domain/validation';

export const DEFAULT_REVIEW_PAGE = 10;
export const MAX_REVIEW_PAGE = 100;

function decodeCursor(tenantId: string, token: string): { createdAt: Date; id: string } {
  const [createdAt, id] = decodePageToken(tenantId, token, 2);
  return { createdAt: cursorTime(createdAt), id };
}

/** Human oversight (EU AI Act Art. 14): the reviews REVIEW_REQUIRED decisions open. */
export class ReviewService {
  constructor(
    private readonly storage: Storage,
    private readonly queries: ReviewQueries,
    private readonly clock: Clock,
  ) {}

  async pending(ctx: RequestContext, limit: number, pageToken: string) {
    if (!Number.isInteger(limit) || limit < 0 || limit > MAX_REVIEW_PAGE) {
      throw invalidArgument('limit', `must be from 0 to ${MAX_REVIEW_PAGE} (0 means ${DEFAULT_REVIEW_PAGE})`);
    }
    const size = limit || DEFAULT_REVIEW_PAGE;
    const after = pageToken ? decodeCursor(ctx.tenantId, pageToken) : undefined;
    const [rows, count] = await Promise.all([
      this.queries.pending(ctx.tenantId, size + 1, after),
      this.queries.pendingCount(ctx.tenantId),
    ]);
    const reviews = rows.slice(0, size);
    return {
      reviews,
      pendingCount: count,
      nextPageToken:
        rows.length > size
          ? encodePageToken(ctx.tenantId, [
              reviews[reviews.length - 1].createdAt.toISOString(),
              reviews[reviews.length - 1].id,
            ])
          : '',
    };
  }

  async resolve(ctx: RequestContext, reviewId: string, approve: boolean, notesIn: string): Promise<ReviewRecord> {
    const notes = optionalText('notes', notesIn, 2000);
    if (!reviewId || reviewId.length > 200 || reviewId.includes('\u0000'))
      throw notFound('REVIEW_NOT_FOUND', 'review not found');
    return this.storage.transaction(ctx.tenantId, async (uow) => {
      const review = await uow.reviews.get(ctx.tenantId, reviewId, true);
      if (!review) throw notFound('REVIEW_NOT_FOUND', `review "${reviewId.slice(0, 200)}" not found`);
      if (review.status !== 'pending') {
        throw new DomainError({
          kind: 'failed_precondition',
          reason: 'REVIEW_ALREADY_RESOLVED',
          message: `review ${review.id} was already ${review.status}`,
          metadata: { status: review.status },
        });
      }
      const status = approve ? 'approved' : 'rejected';
      const resolved = await uow.reviews.resolve(ctx.tenantId, review.id, status, ctx.subject, notes, this.clock());
      await uow.ledger.append(ctx.tenantId, {
        type: 'review.resolved',
        actor: { subject: ctx.subject, role: ctx.role },
        requestId: ctx.requestId,
        body: { review_id: review.id, decision_id: review.decisionId, system_id: review.systemId, status, notes },
      });
      return resolved;
    });
  }
}
