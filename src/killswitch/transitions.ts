import type { LifecyclePhase, OperationalStatus } from '../domain/model';

/**
 * Operational status moves. Every status can be stopped; leaving emergency
 * stop is possible only to a status that is safe to inspect from
 * (maintenance, suspended) or straight back to active, and needs an admin
 * (checked by the operations service).
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
