import type { ErrorReason } from '../../gen/ts/btv/v1/errors';

/**
 * Typed domain errors. Each carries an ErrorReason name (errors.proto, without
 * the ERROR_REASON_ prefix); the transport maps the kind to a status code in one
 * place (transport/errors.ts).
 */
export type ErrorKind =
  | 'invalid_argument'
  | 'unauthenticated'
  | 'permission_denied'
  | 'not_found'
  | 'failed_precondition'
  | 'out_of_range'
  | 'resource_exhausted'
  | 'unavailable'
  | 'deadline_exceeded'
  | 'unimplemented';

type Unprefixed<K> = K extends `ERROR_REASON_${infer R}` ? R : never;

/**
 * The reasons errors.proto lists, by name without the ERROR_REASON_ prefix (the wire's
 * ErrorInfo.reason is the prefixed name): a reason the contract does not list fails to compile
 * instead of going out as INTERNAL. Derived from the generated enum's keys by a type-only import,
 * so the domain loads nothing of the transport; UNSPECIFIED is never sent.
 */
export type ErrorReasonName = Exclude<Unprefixed<keyof typeof ErrorReason>, 'UNSPECIFIED'>;

export interface FieldViolation {
  field: string;
  description: string;
}

export interface DomainErrorOptions {
  kind: ErrorKind;
  reason: ErrorReasonName;
  message: string;
  /** ErrorInfo.metadata. */
  metadata?: Record<string, string>;
  /** A BadRequest detail, one violation per field. */
  fieldViolations?: FieldViolation[];
  /** A RetryInfo detail. */
  retryAfterMs?: number;
}

export class DomainError extends Error {
  readonly kind: ErrorKind;
  readonly reason: ErrorReasonName;
  readonly metadata: Record<string, string>;
  readonly fieldViolations: FieldViolation[];
  readonly retryAfterMs?: number;

  constructor(o: DomainErrorOptions) {
    super(o.message);
    this.name = 'DomainError';
    this.kind = o.kind;
    this.reason = o.reason;
    this.metadata = o.metadata ?? {};
    this.fieldViolations = o.fieldViolations ?? [];
    this.retryAfterMs = o.retryAfterMs;
  }
}

export function invalidArgument(field: string, description: string): DomainError {
  return new DomainError({
    kind: 'invalid_argument',
    reason: 'INVALID_ARGUMENT',
    message: `${field}: ${description}`,
    metadata: { field },
    fieldViolations: [{ field, description }],
  });
}

export function notFound(reason: ErrorReasonName, message: string): DomainError {
  return new DomainError({ kind: 'not_found', reason, message });
}

/** A system that does not exist, or not for this tenant, or whose id no system can have: all alike. */
export const systemNotFound = (id: string): DomainError =>
  notFound('SYSTEM_NOT_FOUND', `system "${id.slice(0, 128)}" not found`);

export function permissionDenied(
  reason: ErrorReasonName,
  message: string,
  metadata: Record<string, string> = {},
): DomainError {
  return new DomainError({ kind: 'permission_denied', reason, message, metadata });
}

export function failedPrecondition(
  reason: ErrorReasonName,
  message: string,
  metadata: Record<string, string> = {},
): DomainError {
  return new DomainError({ kind: 'failed_precondition', reason, message, metadata });
}

export function unauthenticated(
  reason: ErrorReasonName,
  message: string,
  metadata: Record<string, string> = {},
): DomainError {
  return new DomainError({ kind: 'unauthenticated', reason, message, metadata });
}

export function unavailable(message: string, reason: ErrorReasonName = 'STORAGE_UNAVAILABLE'): DomainError {
  return new DomainError({ kind: 'unavailable', reason, message });
}
