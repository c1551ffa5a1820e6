import type * as grpc from '@grpc/grpc-js';
import { configureTextEncoding, getTextEncoding } from '@bufbuild/protobuf/wire';
import { invalidArgument } from '../domain/errors';

/**
 * Strings in requests must be valid UTF-8: the protobuf runtime would put U+FFFD in place of bad
 * bytes and we would store what the caller never sent. Decoding is strict for the whole process
 * (only while a lenient pass names the bad field is it not).
 */
const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
let naming = false;
const base = getTextEncoding();
configureTextEncoding({
  checkUtf8: base.checkUtf8,
  encodeUtf8: base.encodeUtf8,
  encodeUtf8Into: base.encodeUtf8Into,
  decodeUtf8: (bytes) => (naming ? lenient : fatal).decode(bytes),
});

/** A request whose bytes are not its message: answered INVALID_ARGUMENT once the caller is authenticated. */
class Undecodable {
  constructor(
    readonly field: string,
    readonly description: string,
  ) {}
}

/**
 * A map entry keyed "__proto__" (protobuf field 1, length 9) that the generated decoder would assign
 * to the map object's prototype, silently dropping it; only the two registration calls carry maps.
 */
const PROTO_TEXT = Buffer.from('__proto__');

/**
 * Whether "__proto__" occurs as a map entry's key: field 1 (tag 0x0a) with length 9, also when the
 * length is written in more bytes than it needs (0x89 0x80… 0x00), which decodes alike. The same
 * text elsewhere (a purpose that mentions it) is left alone.
 */
function hasProtoKey(bytes: Buffer): boolean {
  for (let at = bytes.indexOf(PROTO_TEXT); at >= 0; at = bytes.indexOf(PROTO_TEXT, at + 1)) {
    let i = at - 1;
    if (bytes[i] === 0x09) {
      if (bytes[i - 1] === 0x0a) return true;
      continue;
    }
    if (bytes[i] !== 0x00) continue;
    for (i--; bytes[i] === 0x80; i--);
    if (bytes[i] === 0x89 && bytes[i - 1] === 0x0a) return true;
  }
  return false;
}
const MAP_FIELDS: Record<string, string> = {
  '/btv.v1.GovernanceService/RegisterSystem': 'system.policy',
  '/btv.v1.GovernanceService/RegisterTenant': 'tenant.policy',
};

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The path of the first string holding U+FFFD: where the lenient decoder replaced bad bytes. */
function replacedField(v: unknown, path: string): string | undefined {
  if (typeof v === 'string') return v.includes('\uFFFD') ? path : undefined;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const f = replacedField(v[i], `${path}[${i}]`);
      if (f) return f;
    }
    return undefined;
  }
  if (v && typeof v === 'object' && !(v instanceof Uint8Array) && !(v instanceof Date)) {
    for (const [k, x] of Object.entries(v)) {
      if (k.includes('\uFFFD')) return `${path}${path ? '.' : ''}${snake(k)}`;
      const f = replacedField(x, `${path}${path ? '.' : ''}${snake(k)}`);
      if (f) return f;
    }
  }
  return undefined;
}

function undecodable(method: grpc.MethodDefinition<unknown, unknown>, bytes: Buffer): Undecodable {
  naming = true;
  try {
    const field = replacedField(method.requestDeserialize(bytes), '');
    if (field) return new Undecodable(field, 'is not valid UTF-8');
  } catch {
    // not a message at all
  } finally {
    naming = false;
  }
  return new Undecodable('request', 'is not a valid message of this method (malformed bytes or a number out of range)');
}

/**
 * The definition with each request decoder made total: grpc-js answers a decoder's exception
 * INTERNAL ("Error deserializing request"), but bytes that are not the message (a number too large
 * for its field, a truncated or garbled message, invalid UTF-8) are the caller's bad input.
 */
export function tolerantDefinition<D extends grpc.ServiceDefinition>(definition: D): D {
  const copy: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [name, method] of Object.entries(definition)) {
    const mapField = MAP_FIELDS[method.path];
    copy[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer) => {
        if (mapField && hasProtoKey(bytes)) return new Undecodable(mapField, 'a key may not be "__proto__"');
        try {
          return method.requestDeserialize(bytes);
        } catch {
          return undecodable(method, bytes);
        }
      },
    };
  }
  return copy as unknown as D;
}

/** The request, or the INVALID_ARGUMENT its bytes deserve. */
export const decoded = <Req>(request: Req): Req => {
  if (request instanceof Undecodable) throw invalidArgument(request.field, request.description);
  return request;
};
