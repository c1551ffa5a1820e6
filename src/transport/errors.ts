import * as grpc from '@grpc/grpc-js';
import { ErrorReason } from '../../gen/ts/btv/v1/errors';
import { Any } from '../../gen/ts/google/protobuf/any';
import { BadRequest, ErrorInfo, RetryInfo } from '../../gen/ts/google/rpc/error_details';
import { Status } from '../../gen/ts/google/rpc/status';
import { DomainError, ErrorKind } from '../domain/errors';

export const ERROR_DOMAIN = 'buildtovalue.grpc';

const CODES: Record<ErrorKind, grpc.status> = {
  invalid_argument: grpc.status.INVALID_ARGUMENT,
  unauthenticated: grpc.status.UNAUTHENTICATED,
  permission_denied: grpc.status.PERMISSION_DENIED,
  not_found: grpc.status.NOT_FOUND,
  failed_precondition: grpc.status.FAILED_PRECONDITION,
  out_of_range: grpc.status.OUT_OF_RANGE,
  resource_exhausted: grpc.status.RESOURCE_EXHAUSTED,
  unavailable: grpc.status.UNAVAILABLE,
  deadline_exceeded: grpc.status.DEADLINE_EXCEEDED,
  unimplemented: grpc.status.UNIMPLEMENTED,
};

const pack = (typeName: string, value: Uint8Array): Any => ({
  typeUrl: `type.googleapis.com/${typeName}`,
  value: Buffer.from(value),
});

export function reasonName(reason: string): string {
  const name = `ERROR_REASON_${reason}`;
  // An unknown reason is a bug in our code; never send a name the contract does not list.
  return name in ErrorReason ? name : 'ERROR_REASON_INTERNAL';
}

/**
 * The one place that turns an error into a gRPC status: a code, a message, and
 * google.rpc.Status details (ErrorInfo always; BadRequest / RetryInfo when
 * they apply). Anything that is not a DomainError becomes INTERNAL carrying
 * only the request id: no stack, no driver or SQL text ever leaves.
 */
export function toGrpcStatus(err: unknown, requestId: string): grpc.ServiceError {
  const e =
    err instanceof DomainError
      ? err
      : new DomainError('unimplemented', 'INTERNAL', `internal error (request id ${requestId})`);
  const code = err instanceof DomainError ? CODES[e.kind] : grpc.status.INTERNAL;
  const details: Any[] = [
    pack(
      'google.rpc.ErrorInfo',
      ErrorInfo.encode({ reason: reasonName(e.reason), domain: ERROR_DOMAIN, metadata: { ...e.metadata, request_id: requestId } }).finish(),
    ),
  ];
  if (e.fieldViolations.length > 0) {
    details.push(
      pack(
        'google.rpc.BadRequest',
        BadRequest.encode({
          fieldViolations: e.fieldViolations.map((v) => ({ field: v.field, description: v.description, reason: '', localizedMessage: undefined })),
        }).finish(),
      ),
    );
  }
  if (e.retryAfterMs !== undefined) {
    const ms = Math.max(0, Math.ceil(e.retryAfterMs));
    details.push(
      pack('google.rpc.RetryInfo', RetryInfo.encode({ retryDelay: { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 } }).finish()),
    );
  }
  const metadata = new grpc.Metadata();
  metadata.set('grpc-status-details-bin', Buffer.from(Status.encode({ code, message: e.message, details }).finish()));
  metadata.set('x-request-id', requestId);
  return Object.assign(new Error(e.message), { code, details: e.message, metadata }) as grpc.ServiceError;
}
