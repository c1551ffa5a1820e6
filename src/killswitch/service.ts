import type { RequestContext } from '../domain/context';
import { failedPrecondition, invalidArgument, permissionDenied, systemNotFound } from '../domain/errors';
import type { LifecyclePhase, OperationalStatus } from '../domain/model';
import type { StatusSource } from './cache';
import type { Clock } from '../domain/clock';
import { checkTransition } from './transitions';
import { optionalText, requiredText, SYSTEM_ID_RE } from '../domain/validation';
import type { AssumedStatus, StatusChangeRecord, Storage, SystemStatusView } from '../store/ports';

export interface ChangeRequest<T> {
  systemId: string;
  target?: T;
  reason: string;
  /** What the body says the operator is: a claim, never the operator (that is the token's subject). */
  operatorId: string;
  /** Client idempotency key (the request's `request_id` field). */
  idempotencyKey: string;
}

export interface ChangeResult {
  systemId: string;
  kind: 'status' | 'phase';
  previousStatus: OperationalStatus;
  newStatus: OperationalStatus;
  previousPhase: LifecyclePhase;
  newPhase: LifecyclePhase;
  revision: number;
  timestamp: Date;
  operator: string;
  /** The body's operator_id when it named someone other than the caller; '' otherwise. */
  operatorClaim: string;
  /** The answer to a repeated request_id: the first change, not the current state. */
  replayed: boolean;
  message: string;
}

const claimNote = (claim: string, operator: string) =>
  claim ? `; operator_id "${claim}" kept as an unverified claim only: the operator is the caller, "${operator}"` : '';

export interface StatusReader {
  current(tenantId: string, systemId: string): Promise<SystemStatusView | undefined>;
}

/** Where committed changes go: the local watchers and status cache (other processes hear PostgreSQL NOTIFY). */
export type ChangePublisher = (change: StatusChangeRecord) => void;

const fromRecord = (c: StatusChangeRecord, message: string, operatorClaim = '', replayed = false): ChangeResult => ({
  systemId: c.systemId,
  kind: c.kind,
  previousStatus: c.previousStatus,
  newStatus: c.newStatus,
  previousPhase: c.previousPhase,
  newPhase: c.newPhase,
  revision: c.revision,
  timestamp: c.createdAt,
  operator: c.operator,
  operatorClaim,
  replayed,
  message,
});

const REQUEST_ID_REUSED = () =>
  failedPrecondition(
    'REQUEST_ID_REUSED',
    "request_id was already used by another caller or for another change: a request_id repeats only the same caller's same request",
    { field: 'request_id' },
  );

/**
 * The kill switch. Every change gets the tenant's next revision and is
 * persisted, ledgered and announced in one transaction; the same caller
 * repeating an idempotency key for the same change gets the first result
 * without a second change.
 */
export class KillSwitchService {
  constructor(
    private readonly storage: Storage,
    private readonly status: StatusReader,
    private readonly statusCache: StatusSource,
    private readonly publish: ChangePublisher,
    private readonly clock: Clock,
  ) {}

  emergencyStop(ctx: RequestContext, r: ChangeRequest<never>): Promise<ChangeResult> {
    const reason = requiredText('reason', r.reason, 1000);
    return this.change(ctx, { ...r, reason }, 'status', 'emergency_stop');
  }

  setStatus(ctx: RequestContext, r: ChangeRequest<OperationalStatus>): Promise<ChangeResult> {
    if (!r.target) throw invalidArgument('operational_status', 'is required');
    // Engaging the kill switch through this call obeys EmergencyStop's rules: admin only, with a
    // reason (else a dev could stop a system that only an admin may release, without saying why).
    if (r.target === 'emergency_stop') {
      if (ctx.role !== 'admin')
        throw permissionDenied('EMERGENCY_STOP_REQUIRES_ADMIN', 'only an admin may put a system in emergency stop');
      return this.emergencyStop(ctx, r as ChangeRequest<never>);
    }
    return this.change(ctx, r, 'status', r.target);
  }

  setPhase(ctx: RequestContext, r: ChangeRequest<LifecyclePhase>): Promise<ChangeResult> {
    if (!r.target) throw invalidArgument('lifecycle_phase', 'is required');
    return this.change(ctx, r, 'phase', r.target);
  }

  async get(ctx: RequestContext, systemId: string): Promise<SystemStatusView> {
    const view = SYSTEM_ID_RE.test(systemId) ? await this.status.current(ctx.tenantId, systemId) : undefined;
    if (!view) throw systemNotFound(systemId);
    return view;
  }

  private async change(
    ctx: RequestContext,
    r: ChangeRequest<OperationalStatus | LifecyclePhase>,
    kind: 'status' | 'phase',
    target: OperationalStatus | LifecyclePhase,
  ): Promise<ChangeResult> {
    const reason = optionalText('reason', r.reason, 1000);
    // Who acts is who the token says: a body field would let anyone record a change as someone else's.
    const operator = ctx.subject;
    const claimed = optionalText('operator_id', r.operatorId, 256);
    const operatorClaim = claimed && claimed !== operator ? claimed : '';
    const key = optionalText('request_id', r.idempotencyKey, 128) || null;
    if (!SYSTEM_ID_RE.test(r.systemId)) throw systemNotFound(r.systemId);

    // The state the status cache vouches for may spare a real change its read: the store then
    // prepares it from that state and commits only if it still holds, else runs the job again with
    // a fresh read. Never with a request_id (the replay lookup needs the read), nor when the cache
    // says the target is reached (the answer then is the state as read).
    const cached = key ? undefined : await this.statusCache.get(ctx.tenantId, r.systemId);
    const assumed: AssumedStatus | undefined =
      cached?.verified && (kind === 'status' ? cached.status : cached.phase) !== target
        ? { systemId: r.systemId, operationalStatus: cached.status, lifecyclePhase: cached.phase }
        : undefined;

    const outcome = await this.storage.transaction(
      ctx.tenantId,
      async (uow) => {
        const { prior, current: now, headRevision } = await uow.status.prepare(ctx.tenantId, r.systemId, key);
        if (prior) {
          const target2 = kind === 'status' ? prior.newStatus : prior.newPhase;
          // Another caller's key would answer for a change they did not ask for, possibly long
          // overtaken (a release replayed on a system stopped since): refused, as is another change.
          if (
            prior.actorSubject !== ctx.subject ||
            prior.systemId !== r.systemId ||
            prior.kind !== kind ||
            target2 !== target
          ) {
            throw REQUEST_ID_REUSED();
          }
          return { change: prior, replayed: true, now };
        }
        if (!now) throw systemNotFound(r.systemId);
        const from = kind === 'status' ? now.operationalStatus : now.lifecyclePhase;
        // (an assumed state never equals the target: then it was read)
        if (from === target) return { view: now as SystemStatusView };
        checkTransition(kind, from, target, ctx.role);
        const revision = headRevision + 1;
        const createdAt = this.clock();
        const change: StatusChangeRecord = {
          tenantId: ctx.tenantId,
          revision,
          systemId: r.systemId,
          kind,
          previousStatus: now.operationalStatus,
          newStatus: kind === 'status' ? (target as OperationalStatus) : now.operationalStatus,
          previousPhase: now.lifecyclePhase,
          newPhase: kind === 'phase' ? (target as LifecyclePhase) : now.lifecyclePhase,
          reason,
          operator,
          actorSubject: ctx.subject,
          idempotencyKey: key,
          ledgerSequence: 0,
          createdAt,
        };
        change.ledgerSequence = await uow.ledger.append(ctx.tenantId, {
          type: kind === 'status' ? 'status.changed' : 'phase.changed',
          actor: { subject: ctx.subject, role: ctx.role },
          requestId: ctx.requestId,
          body: {
            system_id: change.systemId,
            revision,
            from,
            to: target,
            reason,
            operator,
            ...(operatorClaim ? { operator_claim: operatorClaim } : {}),
            ...(key ? { idempotency_key: key } : {}),
          },
        });
        await uow.status.record(change);
        return { change, replayed: false };
        // Every check above throws before the first write, and the job only reads, appends and records.
      },
      { appendOnly: true, assumedStatus: assumed },
    );

    if ('view' in outcome) {
      const v = outcome.view!;
      return {
        systemId: v.systemId,
        kind,
        previousStatus: v.operationalStatus,
        newStatus: v.operationalStatus,
        previousPhase: v.lifecyclePhase,
        newPhase: v.lifecyclePhase,
        revision: v.revision,
        timestamp: v.updatedAt,
        operator: v.operator,
        operatorClaim: '',
        replayed: false,
        message: `already ${target}: nothing changed`,
      };
    }
    const { change, replayed, now } = outcome as {
      change: StatusChangeRecord;
      replayed: boolean;
      now?: SystemStatusView;
    };
    const what = kind === 'status' ? 'operational status' : 'lifecycle phase';
    if (replayed) {
      // Said in words too: a client reading only new_status must not take the first answer for the present.
      const current = now
        ? `; now ${now.operationalStatus} in phase ${now.lifecyclePhase} (revision ${now.revision})`
        : '';
      return fromRecord(
        change,
        `replay of request_id: returning the change it made at revision ${change.revision} (${what} to ${target}), not the current state${current}`,
        '',
        true,
      );
    }
    this.publish(change);
    return fromRecord(
      change,
      `${what} of ${change.systemId} changed to ${target} at revision ${change.revision}${claimNote(operatorClaim, operator)}`,
      operatorClaim,
    );
  }
}
