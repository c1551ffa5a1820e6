import type { SystemSpec } from '../../src/domain/model';

/** A registrable system spec: limited risk, active, in design. */
export const systemSpec = (id: string, over: Partial<SystemSpec> = {}): SystemSpec => ({
  id,
  name: `System ${id}`,
  version: '1.0.0',
  sector: 'banking',
  role: 'deployer',
  risk: 'limited',
  sandbox: false,
  euDatabaseId: '',
  trainingFlops: 0,
  loggingEnabled: true,
  jurisdiction: 'EU',
  intendedPurpose: 'unit tests',
  prohibitedDomains: [],
  lifecyclePhase: 'design',
  operationalStatus: 'active',
  externalDependencies: [],
  policy: null,
  candidatePolicy: null,
  ...over,
});
