import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { superLinear } from './classifier/linear';
import YAML from 'yaml';
import type { RiskClass } from '../domain/model';
import { RISK_CLASSES } from '../domain/model';

export class RulesError extends Error {}

export interface GlobalPolicy {
  autonomyMatrix: Record<string, number>;
  criticalThreshold: number;
  greyBand: number;
  degradedLimitFactor: number;
  baseline: {
    riskClass: Record<RiskClass, number>;
    annexIiiSector: number;
    annexIiiSectors: string[];
    loggingDisabled: number;
    gpaiSystemicFlops: number;
    gpaiSystemic: number;
    sandbox: number;
    providerRole: number;
  };
  /**
   * criticalSeverity: a certain finding at or above it (or of a prohibited practice) is blocked in
   * every environment. uncertainSeverity: an uncertain finding counts at most this much.
   */
  ethical: { extraDomain: number; criticalSeverity: number; uncertainSeverity: number };
  customRules: Record<string, { description: string; environments: string[]; patterns: RegExp[] }>;
  recommendations: Record<string, string>;
  complianceStatus: { attentionViolationRate: number; criticalViolationRate: number };
  /** Environments where a tenant or system may run in monitor mode (answers never blocked). */
  monitorEnvironments: string[];
}

export interface Penalty {
  id: string;
  regulation: string;
  article: string;
  jurisdiction: string;
  currency: string;
  minPenalty: number;
  maxPenalty: number;
  turnoverPercent?: number;
  severity: string;
  description: string;
  appliesTo: string[];
}

export interface RuleSet {
  policy: GlobalPolicy;
  penalties: Penalty[];
  /** SHA-256 of the policy and penalty files as loaded. */
  hash: string;
}

/** Reads a field path from parsed YAML, failing with the file and the field named. */
class Reader {
  constructor(
    private readonly file: string,
    private readonly doc: unknown,
  ) {}

  private fail(field: string, why: string): never {
    throw new RulesError(`${this.file}: ${field} ${why}`);
  }

  get(field: string): unknown {
    return field
      .split('.')
      .reduce<unknown>(
        (o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined),
        this.doc,
      );
  }

  num(field: string, min: number, max: number, v: unknown = this.get(field)): number {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
      this.fail(field, `must be a number from ${min} to ${max}`);
    return v;
  }

  str(field: string, v: unknown = this.get(field)): string {
    if (typeof v !== 'string' || v.trim() === '') this.fail(field, 'must be a non-empty string');
    return v;
  }

  list(field: string, v: unknown = this.get(field)): unknown[] {
    if (!Array.isArray(v)) this.fail(field, 'must be a list');
    return v;
  }

  map(field: string, v: unknown = this.get(field)): Record<string, unknown> {
    if (!v || typeof v !== 'object' || Array.isArray(v)) this.fail(field, 'must be a mapping');
    return v as Record<string, unknown>;
  }

  regex(field: string, v: unknown): RegExp {
    let re: RegExp;
    try {
      re = new RegExp(this.str(field, v), 'iu');
    } catch (e) {
      this.fail(field, `is not a valid regular expression: ${(e as Error).message}`);
    }
    const why = superLinear(re);
    if (why) this.fail(field, `is not linear in the length of the text (${why})`);
    return re;
  }
}

function parse(file: string, text: string): Reader {
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (e) {
    throw new RulesError(`${file}: not valid YAML: ${(e as Error).message}`);
  }
  const r = new Reader(file, doc);
  if (r.get('version') !== 1) throw new RulesError(`${file}: version must be 1`);
  return r;
}

export function parsePolicy(file: string, text: string): GlobalPolicy {
  const r = parse(file, text);
  const matrix: Record<string, number> = {};
  for (const [env, v] of Object.entries(r.map('autonomy_matrix'))) {
    if (!/^[a-z][a-z0-9_-]{0,31}$/.test(env))
      throw new RulesError(`${file}: autonomy_matrix.${env} is not a valid environment name`);
    matrix[env] = r.num(`autonomy_matrix.${env}.max_risk_level`, 0, 10, (v as Record<string, unknown>)?.max_risk_level);
  }
  if (Object.keys(matrix).length === 0)
    throw new RulesError(`${file}: autonomy_matrix must name at least one environment`);
  const riskClass = {} as Record<RiskClass, number>;
  for (const rc of RISK_CLASSES) riskClass[rc] = r.num(`baseline.risk_class.${rc}`, 0, 10);
  const customRules: GlobalPolicy['customRules'] = {};
  for (const [name, v] of Object.entries(r.map('custom_rules'))) {
    const f = `custom_rules.${name}`;
    const rule = r.map(f, v);
    customRules[name] = {
      description: r.str(`${f}.description`, rule.description),
      environments: r.list(`${f}.environments`, rule.environments).map((e, i) => r.str(`${f}.environments[${i}]`, e)),
      patterns: r.list(`${f}.patterns`, rule.patterns).map((p, i) => r.regex(`${f}.patterns[${i}]`, p)),
    };
  }
  return {
    autonomyMatrix: matrix,
    criticalThreshold: r.num('critical_threshold', 0, 10),
    greyBand: r.num('grey_band', 0, 10),
    degradedLimitFactor: r.num('degraded_limit_factor', 0, 1),
    baseline: {
      riskClass,
      annexIiiSector: r.num('baseline.annex_iii_sector', 0, 10),
      annexIiiSectors: r.list('baseline.annex_iii_sectors').map((s, i) => r.str(`baseline.annex_iii_sectors[${i}]`, s)),
      loggingDisabled: r.num('baseline.logging_disabled', 0, 10),
      gpaiSystemicFlops: r.num('baseline.gpai_systemic_flops', 0, Number.MAX_VALUE),
      gpaiSystemic: r.num('baseline.gpai_systemic', 0, 10),
      sandbox: r.num('baseline.sandbox', -10, 10),
      providerRole: r.num('baseline.provider_role', 0, 10),
    },
    ethical: {
      extraDomain: r.num('ethical.extra_domain', 0, 10),
      criticalSeverity: r.num('ethical.critical_severity', 0, 10),
      uncertainSeverity: r.num('ethical.uncertain_severity', 0, 10),
    },
    customRules,
    complianceStatus: {
      attentionViolationRate: r.num('compliance_status.attention_violation_rate', 0, 1),
      criticalViolationRate: r.num('compliance_status.critical_violation_rate', 0, 1),
    },
    monitorEnvironments: monitorEnvironments(r, file, matrix),
    recommendations: Object.fromEntries(
      Object.entries(r.map('recommendations')).map(([k, v]) => [k, r.str(`recommendations.${k}`, v)]),
    ),
  };
}

/** monitor_mode.environments, each one of the autonomy matrix; absent: monitor mode nowhere. */
function monitorEnvironments(r: Reader, file: string, matrix: Record<string, number>): string[] {
  if (r.get('monitor_mode') === undefined) return [];
  const envs = r.list('monitor_mode.environments').map((e, i) => r.str(`monitor_mode.environments[${i}]`, e));
  for (const env of envs)
    if (!(env in matrix))
      throw new RulesError(`${file}: monitor_mode.environments names "${env}", which is not in autonomy_matrix`);
  return envs;
}

export function parsePenalties(file: string, text: string): Penalty[] {
  const r = parse(file, text);
  const ids = new Set<string>();
  return r.list('penalties').map((v, i) => {
    const f = `penalties[${i}]`;
    const p = r.map(f, v);
    const id = r.str(`${f}.id`, p.id);
    if (ids.has(id)) throw new RulesError(`${file}: ${f}.id "${id}" appears twice`);
    ids.add(id);
    const min = r.num(`${f}.min_penalty`, 0, 1e12, p.min_penalty);
    const max = r.num(`${f}.max_penalty`, min, 1e12, p.max_penalty);
    return {
      id,
      regulation: r.str(`${f}.regulation`, p.regulation),
      article: r.str(`${f}.article`, p.article),
      jurisdiction: r.str(`${f}.jurisdiction`, p.jurisdiction),
      currency: r.str(`${f}.currency`, p.currency),
      minPenalty: min,
      maxPenalty: max,
      turnoverPercent:
        p.turnover_percent === undefined ? undefined : r.num(`${f}.turnover_percent`, 0, 100, p.turnover_percent),
      severity: r.str(`${f}.severity`, p.severity),
      description: r.str(`${f}.description`, p.description),
      appliesTo: r.list(`${f}.applies_to`, p.applies_to).map((a, j) => r.str(`${f}.applies_to[${j}]`, a)),
    };
  });
}

export const POLICY_FILE = 'policy.yaml';
export const PENALTIES_FILE = 'penalties.yaml';

export function loadRuleSet(configDir: string, extraHash = ''): RuleSet {
  const read = (name: string) => {
    const file = path.join(configDir, name);
    try {
      return { file, text: fs.readFileSync(file, 'utf8') };
    } catch {
      throw new RulesError(`${file}: cannot be read`);
    }
  };
  const p = read(POLICY_FILE);
  const q = read(PENALTIES_FILE);
  const hash = crypto
    .createHash('sha256')
    .update(p.text)
    .update('\0')
    .update(q.text)
    .update('\0')
    .update(extraHash)
    .digest('hex');
  return { policy: parsePolicy(p.file, p.text), penalties: parsePenalties(q.file, q.text), hash };
}
