import { DomainError } from '../../src/domain/errors';

/** The DomainError a call fails with, thrown at once or as a rejection (both reach the caller alike). */
export async function rejection(call: () => Promise<unknown>): Promise<DomainError> {
  try {
    await call();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError, the call succeeded');
}
