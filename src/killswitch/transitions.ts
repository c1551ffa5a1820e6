import type { Role } from '../domain/context';
import { failedPrecondition, permissionDenied } from '../domain/errors';
import type { LifecyclePhase, OperationalStatus } from '../domain/model';

/**
 * Operational status moves. Every status can be stopped; leaving emergency
 * stop is possible only to a status that is safe to inspect from
 * (maintenance, suspended) or straight back to active, and needs an admin
 * (checked by checkTransition).
 */
export const STATUS_TRANSITIONS: Readonly<Record<OperationalStatus, readonly OperationalStatus[]>> = {
  active: ['degraded', 'maintenance', 'suspended', 'emergency_stop'],
  degraded: ['active', 'maintenance', 'suspended', 'emergency_stop'],
  maintenance: ['active', 'degraded', 'suspended', 'emergency_stop'],
  suspended: ['active', 'degraded', 'maintenance', 'emergency_stop'],
  emergency_stop: ['maintenance', 'suspended', 'active'],
};

/**
 * Lifecycle moves (NIST AI RMF): forward one phase, back to any earlier phase
 * for rework, or to decommissioning from anywhere. Skipping ahead is refused,
 * and decommissioning is final.
 */
export const PHASE_TRANSITIONS: Readonly<Record<LifecyclePhase, readonly LifecyclePhase[]>> = {
  design: ['development', 'decommissioning'],
  development: ['validation', 'design', 'decommissioning'],
  validation: ['deployment', 'development', 'design', 'decommissioning'],
  deployment: ['operation', 'validation', 'development', 'design', 'decommissioning'],
  operation: ['monitoring', 'deployment', 'validation', 'development', 'design', 'decommissioning'],
  monitoring: ['operation', 'deployment', 'validation', 'development', 'design', 'decommissioning'],
  decommissioning: [],
};

/**
 * Throws unless `role` may move a system's status (kind "status") or phase from `from` to `to`:
 * leaving emergency stop takes an admin, and every move must be in the tables above.
 */
export function checkTransition(
  kind: 'status' | 'phase',
  from: OperationalStatus | LifecyclePhase,
  to: OperationalStatus | LifecyclePhase,
  role: Role,
): void {
  if (kind === 'status' && from === 'emergency_stop' && role !== 'admin') {
    throw permissionDenied('EMERGENCY_STOP_REQUIRES_ADMIN', 'only an admin may release a system from emergency stop');
  }
  const allowed: readonly string[] =
    kind === 'status' ? STATUS_TRANSITIONS[from as OperationalStatus] : PHASE_TRANSITIONS[from as LifecyclePhase];
  if (!allowed.includes(to)) {
    throw failedPrecondition(
      'TRANSITION_NOT_ALLOWED',
      `${kind === 'status' ? 'operational status' : 'lifecycle phase'} cannot go from ${from} to ${to}; allowed: ${allowed.join(', ') || 'none'}`,
      { from, to, allowed: allowed.join(',') },
    );
  }
}
