import { expect } from 'chai';
import type { Role } from '../../src/domain/context';
import { DomainError } from '../../src/domain/errors';
import type { LifecyclePhase, OperationalStatus } from '../../src/domain/model';
import { checkTransition } from '../../src/killswitch/transitions';

type Move = ['status' | 'phase', OperationalStatus | LifecyclePhase, OperationalStatus | LifecyclePhase, Role];

const refusal = (move: Move): DomainError | undefined => {
  try {
    checkTransition(...move);
    return undefined;
  } catch (e) {
    return e as DomainError;
  }
};

describe('checkTransition', () => {
  const allowed: Move[] = [
    ['status', 'active', 'emergency_stop', 'dev'],
    ['status', 'emergency_stop', 'active', 'admin'],
    ['status', 'emergency_stop', 'maintenance', 'admin'],
    ['phase', 'design', 'development', 'dev'],
    ['phase', 'monitoring', 'design', 'dev'],
    ['phase', 'operation', 'decommissioning', 'dev'],
  ];
  for (const move of allowed) it(`allows ${move.join(' ')}`, () => expect(refusal(move)).to.equal(undefined));

  const refused: [Move, string, string][] = [
    [['status', 'emergency_stop', 'active', 'dev'], 'permission_denied', 'EMERGENCY_STOP_REQUIRES_ADMIN'],
    // The admin check comes first: a non-admin learns nothing of the table.
    [['status', 'emergency_stop', 'degraded', 'dev'], 'permission_denied', 'EMERGENCY_STOP_REQUIRES_ADMIN'],
    [['status', 'emergency_stop', 'degraded', 'admin'], 'failed_precondition', 'TRANSITION_NOT_ALLOWED'],
    [['phase', 'design', 'operation', 'admin'], 'failed_precondition', 'TRANSITION_NOT_ALLOWED'],
    [['phase', 'decommissioning', 'design', 'admin'], 'failed_precondition', 'TRANSITION_NOT_ALLOWED'],
  ];
  for (const [move, kind, reason] of refused)
    it(`refuses ${move.join(' ')} with ${reason}`, () => {
      const e = refusal(move);
      expect(e).to.be.instanceOf(DomainError);
      expect([e!.kind, e!.reason]).to.deep.equal([kind, reason]);
    });

  it('names the allowed moves', () => {
    const e = refusal(['phase', 'design', 'operation', 'dev'])!;
    expect(e.message).to.equal(
      'lifecycle phase cannot go from design to operation; allowed: development, decommissioning',
    );
    expect(e.metadata).to.deep.equal({ from: 'design', to: 'operation', allowed: 'development,decommissioning' });
    expect(refusal(['phase', 'decommissioning', 'design', 'dev'])!.message).to.match(/allowed: none$/);
  });
});
