import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from 'chai';
import type { AiSystem, Policy } from '../../src/domain/model';
import type { DecisionInput } from '../../src/engine/decide';
import { baselineRisk, decide, effectiveLimit } from '../../src/engine/decide';
import { loadRuleSet, parsePenalties, parsePolicy, RulesError } from '../../src/engine/rules';
import type { Classification, Finding } from '../../src/engine/threat-types';
import { systemSpec } from '../fakes/specs';

const CONFIG = path.resolve(__dirname, '../../config');
const rules = loadRuleSet(CONFIG);

const system = (patch: Partial<AiSystem> = {}): AiSystem => ({
  ...systemSpec('sys', { name: 'S', version: '1', risk: 'high', intendedPurpose: '', lifecyclePhase: 'operation' }),
  tenantId: '00000000-0000-0000-0000-000000000001',
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...patch,
});
const none: Classification = {
  findings: [],
  normalized: 'summarise the policy',
  clean: 'Summarise the policy',
  decoded: [],
};
const finding = (f: Partial<Finding>): Finding => ({
  domain: 'MISUSE',
  subThreat: 'prompt_injection',
  pattern: 'p',
  severity: 8,
  confidence: 0.9,
  certain: true,
  messageIndex: 0,
  ...f,
});
const input = (patch: Partial<DecisionInput> = {}): DecisionInput => ({
  system: system(),
  tenantPolicy: null,
  status: { verified: true, status: 'active', phase: 'operation' },
  env: 'production',
  artifactType: 'prompt',
  classification: none,
  ...patch,
});
const policy = (limits: Record<string, number>, customRules: Record<string, boolean> = {}): Policy => ({
  autonomyMatrix: Object.fromEntries(Object.entries(limits).map(([k, v]) => [k, { maxRiskLevel: v }])),
  customRules,
});

describe('decision pipeline (pure)', () => {
  describe('policy merge', () => {
    const cases: [string, Policy | null, Policy | null, number][] = [
      ['global only', null, null, 3],
      ['tenant tighter', policy({ production: 2 }), null, 2],
      ['tenant looser is ignored', policy({ production: 9 }), null, 3],
      ['system tighter than tenant', policy({ production: 2 }), policy({ production: 1 }), 1],
      ['system looser than tenant is ignored', policy({ production: 1 }), policy({ production: 2.5 }), 1],
      ['other environments untouched', policy({ staging: 1 }), null, 3],
    ];
    for (const [what, tenant, sys, want] of cases) {
      it(`${what} -> ${want}`, () => expect(effectiveLimit(rules, 'production', tenant, sys)).to.equal(want));
    }

    it('never mutates the global policy', () => {
      const before = JSON.stringify(rules.policy.autonomyMatrix);
      decide(
        rules,
        input({ tenantPolicy: policy({ production: 0.5 }), system: system({ policy: policy({ production: 0.1 }) }) }),
      );
      expect(JSON.stringify(rules.policy.autonomyMatrix)).to.equal(before);
    });

    it('cannot allow a prohibited practice, whatever the tenant limits', () => {
      const d = decide(
        rules,
        input({
          env: 'development',
          tenantPolicy: policy({ development: 10 }),
          classification: {
            ...none,
            findings: [
              finding({
                domain: 'BIASES',
                subThreat: 'social_scoring',
                severity: 10,
                prohibitedPractice: 'social_scoring',
              }),
            ],
          },
        }),
      );
      expect(d).to.include({ outcome: 'blocked', riskScore: 10, reasonCode: 'PROHIBITED_PRACTICE' });
    });
  });

  describe('assessors', () => {
    it('adds the regulatory and technical parts into the baseline', () => {
      const b = rules.policy.baseline;
      expect(baselineRisk(rules, system())).to.equal(b.riskClass.high + b.annexIiiSector);
      expect(baselineRisk(rules, system({ loggingEnabled: false, risk: 'limited' }))).to.equal(
        b.riskClass.limited + b.annexIiiSector + b.loggingDisabled,
      );
      expect(baselineRisk(rules, system({ trainingFlops: 1e25, sector: 'general', risk: 'systemic_gpai' }))).to.equal(
        b.riskClass.systemic_gpai + b.gpaiSystemic,
      );
    });

    it('blocks a certain finding of an attack in every environment, development included (critical)', () => {
      const d = decide(
        rules,
        input({ env: 'development', classification: { ...none, findings: [finding({ severity: 7 })] } }),
      );
      expect(d).to.include({ outcome: 'blocked', reasonCode: 'CRITICAL_THREAT', riskScore: 10 });
    });

    it('weighs an uncertain finding at most uncertain_severity: a limited system in development is approved, in production blocked', () => {
      const f = finding({ severity: 9, certain: false });
      const limited = system({ risk: 'limited', sector: 'general' });
      const dev = decide(
        rules,
        input({ env: 'development', system: limited, classification: { ...none, findings: [f] } }),
      );
      expect(dev).to.include({ outcome: 'approved', riskScore: rules.policy.ethical.uncertainSeverity });
      const prod = decide(
        rules,
        input({ env: 'production', system: limited, classification: { ...none, findings: [f] } }),
      );
      expect(prod).to.include({ outcome: 'blocked', reasonCode: 'RISK_ABOVE_LIMIT' });
    });

    it('sends an uncertain finding on a high-risk system to human review, in every environment', () => {
      for (const env of ['development', 'staging', 'production']) {
        const d = decide(
          rules,
          input({ env, classification: { ...none, findings: [finding({ severity: 8, certain: false })] } }),
        );
        expect(d, env).to.include({ outcome: 'review_required', reasonCode: 'HUMAN_REVIEW_REQUIRED' });
      }
    });

    it('does not block an uncertain prohibited-practice finding as a prohibited practice: it is reviewed', () => {
      const f = finding({
        domain: 'BIASES',
        subThreat: 'social_scoring',
        severity: 10,
        prohibitedPractice: 'social_scoring',
        certain: false,
      });
      const d = decide(rules, input({ env: 'production', classification: { ...none, findings: [f] } }));
      expect(d).to.include({ outcome: 'review_required' });
    });

    it('approves a moderate finding under a loose limit and reports it', () => {
      const d = decide(
        rules,
        input({
          env: 'development',
          system: system({ risk: 'minimal', sector: 'general' }),
          classification: { ...none, findings: [finding({ domain: 'DRIFT', subThreat: 'model_drift', severity: 5 })] },
        }),
      );
      expect(d).to.include({ outcome: 'approved', riskScore: 5, subThreatType: 'model_drift' });
      expect(d.detectedThreats).to.deep.equal(['DRIFT']);
    });

    it('adds risk for findings in several domains', () => {
      const two = decide(
        rules,
        input({
          env: 'development',
          system: system({ risk: 'minimal', sector: 'general' }),
          classification: {
            ...none,
            findings: [finding({ severity: 5, domain: 'DRIFT' }), finding({ severity: 5, domain: 'PRIVACY' })],
          },
        }),
      );
      expect(two.riskScore).to.equal(5 + rules.policy.ethical.extraDomain);
    });
  });

  describe('status gate', () => {
    it('fails closed when the status cannot be verified', () => {
      const d = decide(rules, input({ status: { verified: false } }));
      expect(d).to.include({ outcome: 'blocked', riskScore: 10, reasonCode: 'STATUS_UNVERIFIED' });
    });
  });
});

describe('rule files', () => {
  const policyText = fs.readFileSync(path.join(CONFIG, 'policy.yaml'), 'utf8');
  const bad: [string, string, RegExp][] = [
    [
      'a limit above 10',
      policyText.replace('production: { max_risk_level: 3.0 }', 'production: { max_risk_level: 11 }'),
      /policy\.yaml: autonomy_matrix\.production\.max_risk_level must be a number/,
    ],
    [
      'a missing critical threshold',
      policyText.replace(/^critical_threshold: .*$/m, ''),
      /policy\.yaml: critical_threshold must be a number/,
    ],
    [
      'an invalid custom rule pattern',
      policyText.replace("'\\bpublic\\s+", "'(unclosed"),
      /policy\.yaml: custom_rules\.block_public_apis_in_prod\.patterns\[0\] is not a valid regular expression/,
    ],
    ['broken YAML', 'version: 1\nautonomy_matrix: [', /policy\.yaml: not valid YAML/],
    ['a wrong version', policyText.replace('version: 1', 'version: 2'), /policy\.yaml: version must be 1/],
  ];
  for (const [what, text, msg] of bad) {
    it(`names the file and the field for ${what}`, () =>
      expect(() => parsePolicy('/x/policy.yaml', text)).to.throw(RulesError, msg));
  }

  it('rejects a penalty whose maximum is below its minimum, naming it', () => {
    expect(() =>
      parsePenalties(
        '/x/penalties.yaml',
        'version: 1\npenalties:\n  - {id: a, regulation: r, article: a, jurisdiction: EU, currency: EUR, min_penalty: 10, max_penalty: 5, severity: high, description: d, applies_to: [x]}',
      ),
    ).to.throw(RulesError, /penalties\.yaml: penalties\[0\]\.max_penalty must be a number from 10/);
  });

  it('hashes the rule set, so every decision names the rules that made it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'btv-rules-'));
    for (const f of ['policy.yaml', 'penalties.yaml']) fs.copyFileSync(path.join(CONFIG, f), path.join(dir, f));
    const a = loadRuleSet(dir).hash;
    fs.appendFileSync(path.join(dir, 'policy.yaml'), '\n# changed\n');
    expect(loadRuleSet(dir).hash).to.not.equal(a);
    expect(loadRuleSet(CONFIG, 'model-a').hash).to.not.equal(loadRuleSet(CONFIG, 'model-b').hash);
  });
});
