import type { Role } from '../domain/context';

const ALL: Role[] = ['admin', 'dev', 'auditor', 'app'];
const AUDIT: Role[] = ['admin', 'auditor'];

/**
 * Who may call what, keyed by gRPC method path. A method missing here cannot
 * be served: the server refuses to start (deny by default), and a test walks
 * every method of every service descriptor against this table.
 */
export const ROLE_RULES: Readonly<Record<string, readonly Role[]>> = {
  '/btv.v1.GovernanceService/RegisterTenant': ['admin'],
  '/btv.v1.GovernanceService/GetTenant': ['admin'],
  '/btv.v1.GovernanceService/RegisterSystem': ['admin', 'dev'],
  '/btv.v1.GovernanceService/GetSystem': ['admin', 'dev', 'auditor'],
  '/btv.v1.GovernanceService/ListSystems': ['admin', 'dev', 'auditor'],
  '/btv.v1.GovernanceService/Enforce': ['admin', 'dev', 'app'],
  '/btv.v1.OperationsService/EmergencyStop': ['admin'],
  // dev may change status too, but never out of emergency stop (checked by the operations service).
  '/btv.v1.OperationsService/SetOperationalStatus': ['admin', 'dev'],
  '/btv.v1.OperationsService/SetLifecyclePhase': ['admin', 'dev'],
  '/btv.v1.OperationsService/GetOperationalStatus': ALL,
  '/btv.v1.OperationsService/WatchSystemStatus': ALL,
  '/btv.v1.AuditService/GetComplianceReport': AUDIT,
  '/btv.v1.AuditService/GetComplianceStatistics': AUDIT,
  '/btv.v1.AuditService/ListPendingReviews': AUDIT,
  '/btv.v1.AuditService/ResolveReview': ['admin'],
  '/btv.v1.AuditService/ListLedgerEntries': AUDIT,
  '/btv.v1.AuditService/VerifyLedger': AUDIT,
  '/btv.v1.AuditService/CreateLedgerCheckpoint': AUDIT,
  '/btv.v1.AuditService/ListLedgerCheckpoints': AUDIT,
  '/btv.v1.AuditService/GetPolicyImpact': AUDIT,
  '/btv.v1.AuditService/GetInclusionProof': AUDIT,
  '/btv.v1.AuditService/GetConsistencyProof': AUDIT,
};

export function allowedRoles(methodPath: string): readonly Role[] | undefined {
  return Object.prototype.hasOwnProperty.call(ROLE_RULES, methodPath) ? ROLE_RULES[methodPath] : undefined;
}
