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

export interface FieldViolation {
  field: string;
  description: string;
}

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly reason: string,
    message: string,
    readonly metadata: Record<string, string> = {},
    readonly fieldViolations: FieldViolation[] = [],
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function invalidArgument(field: string, description: string): DomainError {
  return new DomainError('invalid_argument', 'INVALID_ARGUMENT', `${field}: ${description}`, { field }, [
    { field, description },
  ]);
}

export function notFound(reason: string, message: string): DomainError {
  return new DomainError('not_found', reason, message);
}

/** A system that does not exist, or not for this tenant, or whose id no system can have: all alike. */
export const systemNotFound = (id: string): DomainError =>
  notFound('SYSTEM_NOT_FOUND', `system "${id.slice(0, 128)}" not found`);

export function permissionDenied(reason: string, message: string, metadata: Record<string, string> = {}): DomainError {
  return new DomainError('permission_denied', reason, message, metadata);
}

export function failedPrecondition(
  reason: string,
  message: string,
  metadata: Record<string, string> = {},
): DomainError {
  return new DomainError('failed_precondition', reason, message, metadata);
}

export function unauthenticated(reason: string, message: string, metadata: Record<string, string> = {}): DomainError {
  return new DomainError('unauthenticated', reason, message, metadata);
}

export function unavailable(message: string, reason = 'STORAGE_UNAVAILABLE'): DomainError {
  return new DomainError('unavailable', reason, message);
}
