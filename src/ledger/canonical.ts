/**
 * Canonical JSON (RFC 8785, JCS): object keys sorted by UTF-16 code units, no
 * whitespace, strings escaped as JSON.stringify does, numbers in ECMAScript's
 * shortest round-trip form. Identical values always give identical bytes, so
 * hashes and signatures can be recomputed by any JCS implementation.
 */
export function canonicalJson(value: unknown): string {
  return write(value);
}

/**
 * Text that is already canonical JSON, embedded as it is: sealing a ledger
 * entry puts its (canonical) payload into the signed form without parsing it
 * back and encoding it again.
 */
export class CanonicalText {
  constructor(readonly text: string) {}
}

// Characters JSON.stringify would escape (any surrogate, to leave lone ones to it).
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
const quote = (s: string): string => (NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : '"' + s + '"');

// One string built by concatenation (no intermediate arrays): this runs for every ledger entry,
// whose objects the writers build with their keys in order already, so sorting is skipped then.
function write(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonical JSON has no NaN or Infinity');
      return Object.is(value, -0) ? '0' : String(value);
    case 'object': {
      if (value instanceof CanonicalText) return value.text;
      if (value instanceof Date) return JSON.stringify(value.toISOString());
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          out += write(value[i] === undefined ? null : value[i]);
        }
        return out + ']';
      }
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj);
      for (let i = 1; i < keys.length; i++) {
        if (keys[i - 1] > keys[i]) {
          keys.sort();
          break;
        }
      }
      let out = '{';
      for (const k of keys) {
        const v = obj[k];
        if (v === undefined) continue;
        if (out.length > 1) out += ',';
        out += quote(k) + ':' + write(v);
      }
      return out + '}';
    }
    default:
      throw new TypeError(`canonical JSON cannot encode a ${typeof value}`);
  }
}
