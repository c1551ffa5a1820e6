import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { allowedRoles } from '../auth/roles';
import type { TokenVerifier } from '../auth/verifier';
import type { RequestContext } from '../domain/context';
import { DomainError, permissionDenied, unauthenticated } from '../domain/errors';
import type { Logger } from '../logger';
import type { Metrics } from '../telemetry/metrics';
import type { CallSpan, CallTracer } from '../telemetry/tracing';
import { withContext } from '../telemetry/tracing';
import { closeStuckStream, hasDuplicateAuthorization } from './connection-limits';
import { decoded } from './decoding';
import { toGrpcStatus } from './errors';
import type { Quota, RateLimits } from './rate-limits';
import { rateLimited, setQuotaMetadata } from './rate-limits';

export type UnaryHandler<Req, Res> = (ctx: RequestContext, req: Req) => Promise<Res>;
export type StreamHandler<Req, Res> = (
  ctx: RequestContext,
  req: Req,
  call: grpc.ServerWritableStream<Req, Res>,
) => Promise<void>;

/**
 * The handlers of one service, typed from its generated definition: a handler
 * that takes the wrong request or answers the wrong response does not compile.
 */
export type ServiceHandlers<D> = {
  [K in keyof D]?: D[K] extends {
    requestDeserialize: (b: Buffer) => infer Req;
    responseSerialize: (v: infer Res) => Buffer;
    responseStream: infer Streams;
  }
    ? Streams extends true
      ? StreamHandler<Req, Res>
      : UnaryHandler<Req, Res>
    : never;
};

export interface AdapterDeps {
  verifier: TokenVerifier;
  logger: Logger;
  limits?: RateLimits;
  /** BTV_METRICS_PORT set: every call is counted. */
  metrics?: Metrics;
  /** OTEL_EXPORTER_OTLP_ENDPOINT set: every call gets a span. */
  tracer?: CallTracer;
}

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;
/** How long a stream ended with an error may take to deliver its trailers before it is reset. */
const STUCK_STREAM_GRACE_MS = 1000;

function requestIdOf(md: grpc.Metadata): string {
  const given = md.get('x-request-id')[0];
  return typeof given === 'string' && REQUEST_ID_RE.test(given) ? given : randomUUID();
}

/**
 * Authentication then authorization, once, for every call: verify the bearer
 * token, then check the caller's role against the method's rule.
 */
function authenticate(deps: AdapterDeps, path: string, md: grpc.Metadata, requestId: string): RequestContext {
  // Every value, so that a second one is refused instead of the first silently winning.
  const principal = deps.verifier.verifyHeader(md.get('authorization'));
  const roles = allowedRoles(path)!;
  if (!roles.includes(principal.role)) {
    throw permissionDenied('ROLE_NOT_ALLOWED', `role "${principal.role}" may not call ${path}`, {
      allowed_roles: roles.join(','),
    });
  }
  return { ...principal, requestId };
}

function logCall(
  deps: AdapterDeps,
  path: string,
  started: bigint,
  requestId: string,
  code: grpc.status,
  ctx?: RequestContext,
  span?: CallSpan,
) {
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const codeName = grpc.status[code];
  deps.metrics?.rpc(path, codeName, ms / 1000, ctx?.tenantId);
  span?.end(code, codeName);
  deps.logger.info(
    {
      method: path,
      code: codeName,
      duration_ms: ms,
      request_id: requestId,
      trace_id: span?.traceId,
      tenant: ctx?.tenantId,
      role: ctx?.role,
    },
    'call',
  );
}

function failure(deps: AdapterDeps, path: string, err: unknown, requestId: string): grpc.ServiceError {
  if (!(err instanceof DomainError))
    deps.logger.error({ err, method: path, request_id: requestId }, 'unexpected error');
  return toGrpcStatus(err, requestId);
}

const notImplemented = async () => {
  throw new DomainError({ kind: 'unimplemented', reason: 'NOT_IMPLEMENTED', message: 'not implemented yet' });
};

/**
 * Runs one call through the chain shared by unary and streaming methods:
 * request id -> authentication/authorization -> the tenant's rate limit ->
 * handler -> one log line, and every failure through toGrpcStatus.
 */
function runCall<T>(
  deps: AdapterDeps,
  path: string,
  /** The grpc-js call: its metadata, its request as decoded (some quotas depend on it), its stream. */
  call: { metadata: grpc.Metadata; request: unknown },
  invoke: (ctx: RequestContext) => Promise<T>,
  done: (result: T, requestId: string, quota?: Quota) => void,
  fail: (status: grpc.ServiceError) => void,
): void {
  const started = process.hrtime.bigint();
  const { metadata, request } = call;
  const requestId = requestIdOf(metadata);
  let ctx: RequestContext | undefined;
  let quota: Quota | undefined;
  const span = deps.tracer?.start(path, metadata);
  const body = async () => {
    if (hasDuplicateAuthorization(call))
      throw unauthenticated('TOKEN_MALFORMED', 'authorization metadata must be sent once: "Bearer <JWT>"');
    ctx = authenticate(deps, path, metadata, requestId);
    quota = deps.limits && (await deps.limits.consume(ctx.tenantId, path, request));
    if (quota?.exceeded) {
      deps.metrics?.limited(quota.group, ctx.tenantId);
      throw rateLimited(quota);
    }
    return invoke(ctx);
  };
  // The span is active for the whole call, so the domain's and pg's spans become its children.
  Promise.resolve()
    .then(() => (span ? withContext(span.context, body) : body()))
    .then(
      (result) => {
        logCall(deps, path, started, requestId, grpc.status.OK, ctx, span);
        done(result, requestId, quota);
      },
      (err) => {
        const status = failure(deps, path, err, requestId);
        if (quota) setQuotaMetadata(status.metadata, quota);
        logCall(deps, path, started, requestId, status.code, ctx, span);
        fail(status);
      },
    );
}

function wrapUnary(
  deps: AdapterDeps,
  path: string,
  handler: UnaryHandler<unknown, unknown>,
): grpc.handleUnaryCall<unknown, unknown> {
  return (call, callback) =>
    runCall(
      deps,
      path,
      call,
      (ctx) => handler(ctx, decoded(call.request)),
      (res, requestId, quota) => {
        const trailer = new grpc.Metadata();
        trailer.set('x-request-id', requestId);
        if (quota) setQuotaMetadata(trailer, quota);
        callback(null, res, trailer);
      },
      (status) => callback(status),
    );
}

function wrapServerStream(
  deps: AdapterDeps,
  path: string,
  handler: StreamHandler<unknown, unknown>,
): grpc.handleServerStreamingCall<unknown, unknown> {
  return (call) =>
    runCall(
      deps,
      path,
      call,
      (ctx) => handler(ctx, decoded(call.request), call),
      () => {
        if (!call.cancelled) call.end();
      },
      (status) => {
        // emit('error') sends the status and trailers; destroy() would leave the client waiting.
        if (!call.cancelled) call.emit('error', status);
        // Trailers wait behind data a client that stopped reading never takes: reset such a stream.
        closeStuckStream(call, STUCK_STREAM_GRACE_MS);
      },
    );
}

/**
 * Builds a service implementation where every method of the definition is
 * wrapped: methods without a handler still authenticate, then answer
 * UNIMPLEMENTED. A method with no role rule stops the server from starting.
 */
export function bindService<D extends grpc.ServiceDefinition>(
  deps: AdapterDeps,
  definition: D,
  typed: ServiceHandlers<D>,
): grpc.UntypedServiceImplementation {
  const handlers = typed as Record<
    string,
    UnaryHandler<unknown, unknown> | StreamHandler<unknown, unknown> | undefined
  >;
  const impl: grpc.UntypedServiceImplementation = {};
  for (const [name, method] of Object.entries<grpc.MethodDefinition<unknown, unknown>>(definition)) {
    if (!allowedRoles(method.path)) throw new Error(`no role rule for ${method.path}: refusing to serve it`);
    if (method.requestStream) throw new Error(`client streaming is not supported by the adapter: ${method.path}`);
    const handler = handlers[name] ?? notImplemented;
    impl[name] = method.responseStream
      ? wrapServerStream(deps, method.path, handler as StreamHandler<unknown, unknown>)
      : wrapUnary(deps, method.path, handler as UnaryHandler<unknown, unknown>);
  }
  for (const name of Object.keys(handlers)) {
    if (!(name in definition)) throw new Error(`handler ${name} matches no method of the service`);
  }
  return impl;
}
