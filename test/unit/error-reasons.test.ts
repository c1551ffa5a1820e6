// Every reason a DomainError can carry is a value of errors.proto's ErrorReason, and goes out on
// the wire as that value's name: the type admits no other reason (a typo fails to compile, as the
// last case shows), and this checks the mapping to ErrorInfo.reason at run time.
import type * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { ErrorReason, errorReasonFromJSON } from '../../gen/ts/btv/v1/errors';
import { ErrorInfo } from '../../gen/ts/google/rpc/error_details';
import { Status } from '../../gen/ts/google/rpc/status';
import type { ErrorReasonName } from '../../src/domain/errors';
import {
  DomainError,
  failedPrecondition,
  invalidArgument,
  notFound,
  permissionDenied,
  systemNotFound,
  unauthenticated,
  unavailable,
} from '../../src/domain/errors';
import { reasonName, toGrpcStatus } from '../../src/transport/errors';

const PREFIX = 'ERROR_REASON_';

/** The reasons ErrorReasonName admits, read off the generated enum (UNSPECIFIED is never sent). */
const REASONS = Object.keys(ErrorReason)
  .filter((k) => k.startsWith(PREFIX) && k !== 'ERROR_REASON_UNSPECIFIED')
  .map((k) => k.slice(PREFIX.length) as ErrorReasonName);

function wireReason(e: unknown): string {
  const err = toGrpcStatus(e, 'req-1') as grpc.ServiceError;
  const status = Status.decode(err.metadata.get('grpc-status-details-bin')[0] as Buffer);
  const info = status.details.find((d) => d.typeUrl === 'type.googleapis.com/google.rpc.ErrorInfo');
  return ErrorInfo.decode(info!.value).reason;
}

const isSentValue = (name: string) => {
  const v = errorReasonFromJSON(name);
  return v !== ErrorReason.ERROR_REASON_UNSPECIFIED && v !== ErrorReason.UNRECOGNIZED;
};

describe('DomainError reasons', () => {
  it('are the ErrorReason values other than unspecified', () => {
    expect(REASONS).to.have.length(Object.keys(ErrorReason).filter((k) => k.startsWith(PREFIX)).length - 1);
    expect(REASONS).to.include.members(['INVALID_ARGUMENT', 'SYSTEM_NOT_FOUND', 'INTERNAL', 'STORAGE_DAMAGED']);
  });

  it('each go out as ErrorInfo.reason = the enum value name, a value other than unspecified', () => {
    for (const reason of REASONS) {
      const sent = wireReason(new DomainError({ kind: 'failed_precondition', reason, message: 'm' }));
      expect(sent, reason).to.equal(`${PREFIX}${reason}`);
      expect(reasonName(reason)).to.equal(sent);
      expect(isSentValue(sent), sent).to.equal(true);
    }
  });

  it('the helper constructors carry the reasons they always have', () => {
    const cases: [DomainError, string][] = [
      [invalidArgument('f', 'bad'), 'ERROR_REASON_INVALID_ARGUMENT'],
      [systemNotFound('s'), 'ERROR_REASON_SYSTEM_NOT_FOUND'],
      [notFound('REVIEW_NOT_FOUND', 'm'), 'ERROR_REASON_REVIEW_NOT_FOUND'],
      [permissionDenied('TENANT_MISMATCH', 'm'), 'ERROR_REASON_TENANT_MISMATCH'],
      [failedPrecondition('TRANSITION_NOT_ALLOWED', 'm'), 'ERROR_REASON_TRANSITION_NOT_ALLOWED'],
      [unauthenticated('TOKEN_EXPIRED', 'm'), 'ERROR_REASON_TOKEN_EXPIRED'],
      [unavailable('m'), 'ERROR_REASON_STORAGE_UNAVAILABLE'],
      [unavailable('m', 'SHUTTING_DOWN'), 'ERROR_REASON_SHUTTING_DOWN'],
    ];
    for (const [e, reason] of cases) {
      expect(wireReason(e)).to.equal(reason);
      expect(isSentValue(reason)).to.equal(true);
    }
  });

  it('an error that is not a DomainError goes out as INTERNAL', () => {
    expect(wireReason(new Error('boom'))).to.equal('ERROR_REASON_INTERNAL');
  });

  it('keeps the options it is built from', () => {
    const e = new DomainError({
      kind: 'resource_exhausted',
      reason: 'RATE_LIMITED',
      message: 'slow down',
      metadata: { group: 'watch' },
      fieldViolations: [{ field: 'f', description: 'd' }],
      retryAfterMs: 1000,
    });
    expect(e).to.be.instanceOf(Error);
    expect({ ...e, message: e.message, name: e.name }).to.deep.include({
      kind: 'resource_exhausted',
      reason: 'RATE_LIMITED',
      message: 'slow down',
      name: 'DomainError',
      metadata: { group: 'watch' },
      fieldViolations: [{ field: 'f', description: 'd' }],
      retryAfterMs: 1000,
    });
    const bare = new DomainError({ kind: 'not_found', reason: 'SYSTEM_NOT_FOUND', message: 'm' });
    expect(bare.metadata).to.deep.equal({});
    expect(bare.fieldViolations).to.deep.equal([]);
    expect(bare.retryAfterMs).to.equal(undefined);
  });

  it('a reason errors.proto does not list does not compile', () => {
    // @ts-expect-error: not an ErrorReason (the compiler refuses it, so tsc checks this line)
    const typo = new DomainError({ kind: 'not_found', reason: 'SYSTEM_NOT_FUOND', message: 'm' });
    // @ts-expect-error: the prefixed name is the wire's, not a DomainError reason
    notFound('ERROR_REASON_SYSTEM_NOT_FOUND', 'm');
    // @ts-expect-error: UNSPECIFIED is never sent
    notFound('UNSPECIFIED', 'm');
    // Forced past the type, the transport still sends only listed names.
    expect(wireReason(typo)).to.equal('ERROR_REASON_INTERNAL');
  });
});
