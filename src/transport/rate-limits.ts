import { OperationalStatus } from '../../gen/ts/btv/v1/types';
import type * as grpc from '@grpc/grpc-js';
import type { Knex } from 'knex';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimitConfig, RpcGroup } from '../config';
import { DomainError } from '../domain/errors';

const GROUPS: Record<string, RpcGroup> = {
  '/btv.v1.GovernanceService/RegisterTenant': 'tenants',
  '/btv.v1.GovernanceService/GetTenant': 'tenants',
  '/btv.v1.GovernanceService/RegisterSystem': 'systems',
  '/btv.v1.GovernanceService/GetSystem': 'systems',
  '/btv.v1.GovernanceService/ListSystems': 'systems',
  '/btv.v1.GovernanceService/Enforce': 'enforce',
  '/btv.v1.OperationsService/SetLifecyclePhase': 'operations',
};

const SET_OPERATIONAL_STATUS = '/btv.v1.OperationsService/SetOperationalStatus';

/**
 * The quota group of a call. SetOperationalStatus to emergency stop is the kill switch, never
 * limited (a stop must get through when the quota is spent); any other target is an ordinary change.
 */
export function groupOf(path: string, request?: unknown): RpcGroup | undefined {
  if (path === SET_OPERATIONAL_STATUS)
    return (request as { operationalStatus?: number } | undefined)?.operationalStatus ===
      OperationalStatus.OPERATIONAL_STATUS_EMERGENCY_STOP
      ? undefined
      : 'operations';
  return GROUPS[path] ?? (path.startsWith('/btv.v1.AuditService/') ? 'audit' : undefined);
}

/** Where a tenant stands in its quota after a call: sent as x-ratelimit-* trailing metadata. */
export interface Quota {
  group: RpcGroup;
  limit: number;
  remaining: number;
  /** Seconds until the quota is full again. */
  resetSeconds: number;
  exceeded: boolean;
  msBeforeNext: number;
}

const WINDOW_SECONDS = 60;

/**
 * Fixed one-minute windows per tenant and RPC group (rate-limiter-flexible).
 * With the postgres store the counts live in the shared database, so every
 * replica draws on the same quota; an in-memory limiter stands in for it
 * while the database cannot be reached.
 */
export class RateLimits {
  private constructor(private readonly limiters: Map<RpcGroup, { limit: number; limiter: RateLimiterAbstract }>) {}

  static create(config: RateLimitConfig, db?: Knex): RateLimits {
    const limiters = new Map<RpcGroup, { limit: number; limiter: RateLimiterAbstract }>();
    for (const [group, limit] of Object.entries(config.perMinute) as [RpcGroup, number][]) {
      if (limit === 0) continue;
      const opts = { points: limit, duration: WINDOW_SECONDS, keyPrefix: `btv_${group}` };
      const memory = new RateLimiterMemory(opts);
      if (config.store === 'memory' || !db) {
        limiters.set(group, { limit, limiter: memory });
        continue;
      }
      // The table comes from our migrations (20261121000006_rate_limits), so nothing waits here.
      const shared = new RateLimiterPostgres({
        ...opts,
        storeClient: db,
        storeType: 'knex',
        tableName: 'rate_limits',
        tableCreated: true,
        insuranceLimiter: memory,
      });
      limiters.set(group, { limit, limiter: shared });
    }
    return new RateLimits(limiters);
  }

  /** Counts one call of the tenant; undefined for a call without a quota. */
  async consume(tenantId: string, path: string, request?: unknown): Promise<Quota | undefined> {
    const group = groupOf(path, request);
    const entry = group && this.limiters.get(group);
    if (!entry) return undefined;
    const { res, exceeded } = await this.count(entry.limiter, tenantId);
    return {
      group,
      limit: entry.limit,
      remaining: res.remainingPoints,
      resetSeconds: Math.ceil(Math.max(0, res.msBeforeNext) / 1000),
      exceeded,
      msBeforeNext: Math.max(0, res.msBeforeNext),
    };
  }

  private async count(
    limiter: RateLimiterAbstract,
    tenantId: string,
  ): Promise<{ res: RateLimiterRes; exceeded: boolean }> {
    try {
      return { res: await limiter.consume(tenantId), exceeded: false };
    } catch (e) {
      // The library rejects with its result when the quota is used up; anything else is a fault.
      if (!(e instanceof RateLimiterRes)) throw e;
      return { res: e, exceeded: true };
    }
  }
}

export function rateLimited(q: Quota): DomainError {
  return new DomainError({
    kind: 'resource_exhausted',
    reason: 'RATE_LIMITED',
    message: `rate limit reached: ${q.limit} ${q.group} calls a minute for this tenant; retry in ${q.resetSeconds} s`,
    metadata: { group: q.group, limit: String(q.limit) },
    retryAfterMs: q.msBeforeNext,
  });
}

export function setQuotaMetadata(md: grpc.Metadata, q: Quota): void {
  md.set('x-ratelimit-limit', String(q.limit));
  md.set('x-ratelimit-remaining', String(q.remaining));
  md.set('x-ratelimit-reset', String(q.resetSeconds));
}
