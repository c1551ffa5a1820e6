/**
 * `npm run eval` judges the whole decision pipeline (classification, policy, assessors, limits),
 * not the classifier alone: a "hit" is any outcome other than APPROVED for a production task of a
 * system in the row's sector (high-risk in an EU AI Act Annex III sector, else limited risk).
 */
import * as path from 'node:path';
import type { AiSystem } from '../src/domain/model';
import type { Classifier, ClassifierMessage } from '../src/engine/classifier';
import type { DecisionDraft } from '../src/engine/decide';
import { decide } from '../src/engine/decide';
import type { RuleSet } from '../src/engine/rules';
import { loadRuleSet } from '../src/engine/rules';
import { ROOT } from './corpus';

/** Sector names of the shared simulations and of our corpus, as the policy names them. */
const SECTORS: Record<string, string> = {
  healthcare: 'healthcare',
  fintech: 'banking',
  banking: 'banking',
  insurance: 'insurance',
  'hr & employment': 'employment',
  hr: 'employment',
  'government & public services': 'essential_services',
  public_benefits: 'essential_services',
  'critical infrastructure': 'critical_infrastructure',
  infrastructure: 'critical_infrastructure',
  education: 'education',
  legal: 'justice',
};

export function evalSystem(rules: RuleSet, sector: string): AiSystem {
  const mapped = SECTORS[sector.toLowerCase()] ?? 'general';
  const highRisk = rules.policy.baseline.annexIiiSectors.includes(mapped);
  return {
    id: 'eval',
    tenantId: '00000000-0000-0000-0000-000000000000',
    name: 'Evaluation system',
    version: '1.0.0',
    sector: mapped,
    role: 'deployer',
    risk: highRisk ? 'high' : 'limited',
    sandbox: false,
    euDatabaseId: highRisk ? 'EU-DB-EVAL' : '',
    trainingFlops: 0,
    loggingEnabled: true,
    jurisdiction: 'EU',
    intendedPurpose: '',
    prohibitedDomains: [],
    lifecyclePhase: 'operation',
    operationalStatus: 'active',
    externalDependencies: [],
    policy: null,
    candidatePolicy: null,
    createdAt: new Date(0),
    updatedAt: new Date(0),
  };
}

export interface EvalDecider {
  decide(messages: readonly ClassifierMessage[], sector: string): DecisionDraft;
}

export function evalDecider(classifier: Classifier): EvalDecider {
  const rules = loadRuleSet(path.join(ROOT, 'config'), classifier.rulesHash);
  return {
    decide: (messages, sector) =>
      decide(rules, {
        system: evalSystem(rules, sector),
        tenantPolicy: null,
        status: { verified: true, status: 'active', phase: 'operation' },
        env: 'production',
        artifactType: 'prompt',
        classification: classifier.classifyMessages(messages),
      }),
  };
}
