import { invalidArgument } from './errors';
import type { Policy } from './model';
import { ENVIRONMENTS } from './model';

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const SYSTEM_ID_RE = /^[a-z0-9][a-z0-9._-]{0,127}$/;
const RULE_NAME_RE = /^[a-z][a-z0-9_]{0,63}$/;
// Control characters in names end up in logs, reports and the ledger; refuse them, the C1 controls
// (U+0080-U+009F, U+0085 is a line break to some readers) and the bidirectional overrides and
// isolates (U+202E makes "gpj.exe" read as "exe.jpg") included, and the invisible separators that
// break lines or hide a word boundary (U+2028/9, zero-width space, word joiner, BOM). The zero-width
// (non-)joiners stay: Persian and Indic scripts, and emoji sequences, need them.
export const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff]/;

// PostgreSQL timestamps span 4713 BC to 294276 AD; ours are far inside years 1..9999.
const MIN_TIME = Date.parse('0001-01-01T00:00:00Z');
const MAX_TIME = Date.parse('9999-12-31T23:59:59.999Z');

/** A [since, until) window of a query: each end, when given, a storable time, and since before until. */
export function validateWindow(since?: Date, until?: Date): void {
  for (const [field, d] of [
    ['since', since],
    ['until', until],
  ] as const) {
    if (d && !(d.getTime() >= MIN_TIME && d.getTime() <= MAX_TIME))
      throw invalidArgument(field, 'must be a time between the years 1 and 9999');
  }
  if (since && until && since >= until) throw invalidArgument('until', 'must be after since');
}

export function requiredText(field: string, value: string, max: number): string {
  const v = value.trim();
  if (v === '') throw invalidArgument(field, 'is required');
  return optionalText(field, v, max);
}

export function optionalText(field: string, value: string, max: number): string {
  const v = value.trim();
  if (v.length > max) throw invalidArgument(field, `must be at most ${max} characters`);
  if (CONTROL_RE.test(v))
    throw invalidArgument(field, 'must not contain control or bidirectional formatting characters');
  return v;
}

/**
 * Bounds what one request may store, measured as it is stored and ledgered (JSON, escapes included),
 * so every ledger entry, report and list page built from it fits a response.
 */
export function boundedRecord(field: string, value: unknown, maxBytes: number): void {
  const bytes = Buffer.byteLength(JSON.stringify(value));
  if (bytes > maxBytes)
    throw invalidArgument(field, `takes ${bytes} bytes once stored; at most ${maxBytes} are allowed`);
}

export function textList(field: string, values: string[], maxItems: number, maxLen: number): string[] {
  if (values.length > maxItems) throw invalidArgument(field, `must have at most ${maxItems} items`);
  return values.map((v, i) => requiredText(`${field}[${i}]`, v, maxLen));
}

/**
 * A policy as a tenant or system may set it. A rule name the global policy does not define is
 * refused, not ignored: a caller who thinks a rule is on when it does nothing has no protection.
 */
export function validatePolicy(field: string, p: Policy | undefined, knownRules?: ReadonlySet<string>): Policy {
  const policy: Policy = { autonomyMatrix: {}, customRules: {} };
  if (!p) return policy;
  for (const [env, limit] of Object.entries(p.autonomyMatrix)) {
    if (!(ENVIRONMENTS as readonly string[]).includes(env)) {
      throw invalidArgument(
        `${field}.autonomy_matrix`,
        `unknown environment "${env}"; allowed: ${ENVIRONMENTS.join(', ')}`,
      );
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
      throw invalidArgument(
        `${field}.custom_rules`,
        `rule name "${name.slice(0, 64)}" must match ${RULE_NAME_RE.source}`,
      );
    }
    if (knownRules && !knownRules.has(name)) {
      throw invalidArgument(
        `${field}.custom_rules["${name}"]`,
        `is not a rule of the global policy; known rules: ${[...knownRules].sort().join(', ') || 'none'}`,
      );
    }
    policy.customRules[name] = on;
  }
  // Only when set: a policy without a mode is ledgered exactly as before modes existed.
  if (p.mode) policy.mode = p.mode;
  return policy;
}
