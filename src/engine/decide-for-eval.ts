import * as path from 'node:path';
import { AiSystem } from '../domain/model';
import { projectRoot } from '../paths';
import { loadClassifier } from './classifier';
import { decide } from './decide';
import { loadRuleSet } from './rules';

/**
 * `npm run eval` drives the whole decision pipeline (classification, policy,
 * assessors, limits), not the classifier alone: a "hit" is any outcome other
 * than APPROVED for a production task of a system in the prompt's sector.
 */
const configDir = path.join(projectRoot(), 'config');
const classifier = loadClassifier(configDir);
const rules = loadRuleSet(configDir, classifier.rulesHash);

const SECTORS: Record<string, string> = {
  healthcare: 'healthcare',
  fintech: 'banking',
  'hr & employment': 'employment',
  'government & public services': 'essential_services',
  'critical infrastructure': 'critical_infrastructure',
  education: 'education',
};

function system(sector?: string): AiSystem {
  const mapped = sector ? SECTORS[sector.toLowerCase()] ?? 'general' : 'general';
  return {
    id: 'eval',
    tenantId: '00000000-0000-0000-0000-000000000000',
    name: 'Evaluation system',
    version: '1.0.0',
    sector: mapped,
    role: 'deployer',
    // Sector systems are Annex III high-risk; the injection sets run on a general assistant.
    risk: sector ? 'high' : 'limited',
    sandbox: false,
    euDatabaseId: sector ? 'EU-DB-EVAL' : '',
    trainingFlops: 0,
    loggingEnabled: true,
    jurisdiction: 'EU',
    intendedPurpose: '',
    prohibitedDomains: [],
    lifecyclePhase: 'operation',
    operationalStatus: 'active',
    externalDependencies: [],
    policy: null,
    createdAt: new Date(0),
    updatedAt: new Date(0),
  };
}

export function decideForEval(prompt: string, sector?: string): boolean {
  const d = decide(rules, {
    system: system(sector),
    tenantPolicy: null,
    status: { verified: true, status: 'active', phase: 'operation' },
    env: 'production',
    artifactType: 'prompt',
    classification: classifier.classify(prompt),
  });
  return d.outcome !== 'approved';
}
