import { invalidArgument } from './errors';
import { ENVIRONMENTS, Policy } from './model';

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const SYSTEM_ID_RE = /^[a-z0-9][a-z0-9._-]{0,127}$/;
const RULE_NAME_RE = /^[a-z][a-z0-9_]{0,63}$/;
// Control characters in names end up in logs, reports and the ledger; refuse them.
const CONTROL_RE = /[\u0000-\u001f\u007f]/;

export function requiredText(field: string, value: string, max: number): string {
  const v = value.trim();
  if (v === '') throw invalidArgument(field, 'is required');
  return optionalText(field, v, max);
}

export function optionalText(field: string, value: string, max: number): string {
  const v = value.trim();
  if (v.length > max) throw invalidArgument(field, `must be at most ${max} characters`);
  if (CONTROL_RE.test(v)) throw invalidArgument(field, 'must not contain control characters');
  return v;
}

export function textList(field: string, values: string[], maxItems: number, maxLen: number): string[] {
  if (values.length > maxItems) throw invalidArgument(field, `must have at most ${maxItems} items`);
  return values.map((v, i) => requiredText(`${field}[${i}]`, v, maxLen));
}

export function validatePolicy(field: string, p: Policy | undefined): Policy {
  const policy: Policy = { autonomyMatrix: {}, customRules: {} };
  if (!p) return policy;
  for (const [env, limit] of Object.entries(p.autonomyMatrix)) {
    if (!(ENVIRONMENTS as readonly string[]).includes(env)) {
      throw invalidArgument(`${field}.autonomy_matrix`, `unknown environment "${env}"; allowed: ${ENVIRONMENTS.join(', ')}`);
    }
    const max = limit?.maxRiskLevel ?? 0;
    if (!Number.isFinite(max) || max < 0 || max > 10) {
      throw invalidArgument(`${field}.autonomy_matrix["${env}"].max_risk_level`, 'must be from 0.0 to 10.0');
    }
    policy.autonomyMatrix[env] = { maxRiskLevel: max };
  }
  const rules = Object.entries(p.customRules);
  if (rules.length > 100) throw invalidArgument(`${field}.custom_rules`, 'must have at most 100 rules');
  for (const [name, on] of rules) {
    if (!RULE_NAME_RE.test(name)) {
      throw invalidArgument(`${field}.custom_rules`, `rule name "${name.slice(0, 64)}" must match ${RULE_NAME_RE.source}`);
    }
    policy.customRules[name] = on;
  }
  return policy;
}
