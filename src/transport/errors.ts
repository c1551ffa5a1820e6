import * as grpc from '@grpc/grpc-js';
import { ErrorReason } from '../../gen/ts/btv/v1/errors';
import type { Any } from '../../gen/ts/google/protobuf/any';
import { BadRequest, ErrorInfo, RetryInfo } from '../../gen/ts/google/rpc/error_details';
import { Status } from '../../gen/ts/google/rpc/status';
import type { ErrorKind, ErrorReasonName } from '../domain/errors';
import { DomainError } from '../domain/errors';

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

/**
 * Bounds, in UTF-8 bytes, on text an error carries: messages often quote the caller's input, and
 * trailers over a client's metadata limit (8 KiB by default in gRPC C-core, 64 KiB in Node) lose
 * the whole status. Bytes rather than characters because the limits are on bytes, and grpc-message
 * is sent percent-encoded (three bytes for every byte outside ASCII).
 */
const MAX_MESSAGE_BYTES = 1024;
const MAX_VALUE_BYTES = 256;
const CUT = '…';
const CUT_BYTES = Buffer.byteLength(CUT);

/** `text` within `max` UTF-8 bytes, cut between code points and marked with "…" where it was cut. */
export function truncateUtf8(text: string, max: number): string {
  // A UTF-16 unit never takes more than three UTF-8 bytes: most texts need no counting.
  if (text.length * 3 <= max || Buffer.byteLength(text) <= max) return text;
  const budget = max - CUT_BYTES;
  let bytes = 0;
  let end = 0;
  while (end < text.length) {
    const cp = text.codePointAt(end)!;
    const n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (bytes + n > budget) break;
    bytes += n;
    end += cp > 0xffff ? 2 : 1;
  }
  return text.slice(0, end) + CUT;
}

export function reasonName(reason: ErrorReasonName): string {
  const name = `ERROR_REASON_${reason}`;
  // The type admits only listed reasons; should a cast get another one past it, still never send a
  // name the contract does not list.
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
      : new DomainError({
          kind: 'unimplemented',
          reason: 'INTERNAL',
          message: `internal error (request id ${requestId})`,
        });
  const code = err instanceof DomainError ? CODES[e.kind] : grpc.status.INTERNAL;
  const message = truncateUtf8(e.message, MAX_MESSAGE_BYTES);
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...e.metadata, request_id: requestId }))
    metadata[k] = truncateUtf8(v, MAX_VALUE_BYTES);
  const details: Any[] = [
    pack(
      'google.rpc.ErrorInfo',
      ErrorInfo.encode({ reason: reasonName(e.reason), domain: ERROR_DOMAIN, metadata }).finish(),
    ),
  ];
  if (e.fieldViolations.length > 0) {
    details.push(
      pack(
        'google.rpc.BadRequest',
        BadRequest.encode({
          fieldViolations: e.fieldViolations.map((v) => ({
            field: truncateUtf8(v.field, MAX_VALUE_BYTES),
            description: truncateUtf8(v.description, MAX_MESSAGE_BYTES),
            reason: '',
            localizedMessage: undefined,
          })),
        }).finish(),
      ),
    );
  }
  if (e.retryAfterMs !== undefined) {
    const ms = Math.max(0, Math.ceil(e.retryAfterMs));
    details.push(
      pack(
        'google.rpc.RetryInfo',
        RetryInfo.encode({ retryDelay: { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 } }).finish(),
      ),
    );
  }
  const trailers = new grpc.Metadata();
  trailers.set('grpc-status-details-bin', Buffer.from(Status.encode({ code, message, details }).finish()));
  trailers.set('x-request-id', requestId);
  return Object.assign(new Error(message), { code, details: message, metadata: trailers }) as grpc.ServiceError;
}
