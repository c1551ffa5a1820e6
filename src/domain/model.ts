/** Domain vocabulary: lower-case names, as stored and ledgered. The transport maps proto enums to these. */
export const OPERATIONAL_STATUSES = ['active', 'degraded', 'maintenance', 'suspended', 'emergency_stop'] as const;
export type OperationalStatus = (typeof OPERATIONAL_STATUSES)[number];

export const LIFECYCLE_PHASES = [
  'design',
  'development',
  'validation',
  'deployment',
  'operation',
  'monitoring',
  'decommissioning',
] as const;
export type LifecyclePhase = (typeof LIFECYCLE_PHASES)[number];

export const RISK_CLASSES = ['minimal', 'limited', 'high', 'systemic_gpai', 'prohibited'] as const;
export type RiskClass = (typeof RISK_CLASSES)[number];

export type Sector = string;
export type ValueChainRole = 'provider' | 'deployer' | 'importer' | 'distributor';
export type RiskLevel = 'low' | 'medium' | 'high' | 'critical';

export type EnforcementMode = 'enforce' | 'monitor';

export interface Policy {
  autonomyMatrix: Record<string, { maxRiskLevel: number }>;
  customRules: Record<string, boolean>;
  /** Unset inherits from the level above (enforce at the top). */
  mode?: EnforcementMode;
}

export interface Tenant {
  id: string;
  name: string;
  policy: Policy;
  /** Evaluated beside the policy and measured; never changes an answer. */
  candidatePolicy: Policy | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ThirdPartyComponent {
  name: string;
  version: string;
  vendor: string;
  licenseType: string;
  riskLevel: RiskLevel;
  vulnerabilities: string[];
}

/** The fields a caller may set on a system; the rest are server-owned. */
export interface SystemSpec {
  id: string;
  name: string;
  version: string;
  sector: Sector;
  role: ValueChainRole;
  risk: RiskClass;
  sandbox: boolean;
  euDatabaseId: string;
  trainingFlops: number;
  loggingEnabled: boolean;
  jurisdiction: string;
  intendedPurpose: string;
  prohibitedDomains: string[];
  lifecyclePhase: LifecyclePhase;
  operationalStatus: OperationalStatus;
  externalDependencies: ThirdPartyComponent[];
  policy: Policy | null;
  /** Evaluated beside the policy and measured; never changes an answer. */
  candidatePolicy: Policy | null;
}

export interface AiSystem extends SystemSpec {
  tenantId: string;
  createdAt: Date;
  updatedAt: Date;
}

export const ENVIRONMENTS = ['development', 'staging', 'production'] as const;
