import * as grpc from '@grpc/grpc-js';
import { BadRequest, ErrorInfo, RetryInfo } from './gen/google/rpc/error_details';
import { Status } from './gen/google/rpc/status';

export interface FieldViolation {
  field: string;
  description: string;
}

/** What the server said about a failed call, read from `grpc-status-details-bin`. */
export interface ErrorDetails {
  code: grpc.status;
  message: string;
  /** `ErrorInfo.reason`, e.g. `ERROR_REASON_INVALID_ARGUMENT` (empty when the server sent none). */
  reason: string;
  requestId: string;
  fieldViolations: FieldViolation[];
  /** `RetryInfo.retry_delay` in milliseconds, when the server sent one. */
  retryDelayMs?: number;
}

export function errorDetails(err: grpc.ServiceError): ErrorDetails {
  const out: ErrorDetails = { code: err.code, message: err.details || err.message, reason: '', requestId: '', fieldViolations: [] };
  const raw = err.metadata?.get('grpc-status-details-bin')[0];
  if (!raw || typeof raw === 'string') return out;
  try {
    for (const d of Status.decode(raw).details) {
      if (d.typeUrl === 'type.googleapis.com/google.rpc.ErrorInfo') {
        const info = ErrorInfo.decode(d.value);
        out.reason = info.reason;
        out.requestId = info.metadata.request_id ?? '';
      } else if (d.typeUrl === 'type.googleapis.com/google.rpc.BadRequest') {
        out.fieldViolations = BadRequest.decode(d.value).fieldViolations.map((v) => ({ field: v.field, description: v.description }));
      } else if (d.typeUrl === 'type.googleapis.com/google.rpc.RetryInfo') {
        const delay = RetryInfo.decode(d.value).retryDelay;
        if (delay) out.retryDelayMs = delay.seconds * 1000 + delay.nanos / 1e6;
      }
    }
  } catch {
    // Undecodable details leave the status code, which is enough to decide.
  }
  return out;
}

/**
 * BuildToValueError is thrown for calls the caller must fix (bad input, role, unknown system,
 * bad token) and, with `failClosed: false`, for service failures too.
 */
export class BuildToValueError extends Error {
  readonly code: grpc.status;
  /** The status code's name, e.g. `INVALID_ARGUMENT`. */
  readonly codeName: string;
  readonly reason: string;
  readonly requestId: string;
  readonly fieldViolations: FieldViolation[];

  constructor(d: ErrorDetails) {
    super(`${grpc.status[d.code] ?? d.code}${d.reason ? ` (${d.reason})` : ''}: ${d.message}`);
    this.name = 'BuildToValueError';
    this.code = d.code;
    this.codeName = String(grpc.status[d.code] ?? d.code);
    this.reason = d.reason;
    this.requestId = d.requestId;
    this.fieldViolations = d.fieldViolations;
  }
}

/** Codes that mean "the caller's request is wrong": raised, never turned into a decision. */
const CALLER_FAULT = new Set<grpc.status>([
  grpc.status.INVALID_ARGUMENT,
  grpc.status.PERMISSION_DENIED,
  grpc.status.NOT_FOUND,
  grpc.status.UNAUTHENTICATED,
  grpc.status.FAILED_PRECONDITION,
  grpc.status.OUT_OF_RANGE,
  grpc.status.UNIMPLEMENTED,
]);

export const isCallerFault = (code: grpc.status) => CALLER_FAULT.has(code);
