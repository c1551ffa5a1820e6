import { invalidArgument } from '../domain/errors';

type ProtoEnum = Record<string, string | number>;

/**
 * Proto enums map to the domain's lower-case names by dropping the buf-style
 * prefix: SECTOR_BANKING <-> "banking". UNSPECIFIED maps to undefined so the
 * domain applies its default or requires the field; a number the enum does
 * not define is an INVALID_ARGUMENT naming the field.
 */
export function fromProto<T extends string>(e: ProtoEnum, prefix: string, value: number, field: string): T | undefined {
  if (value === 0) return undefined;
  const name = e[value];
  if (typeof name !== 'string' || !name.startsWith(prefix) || value < 0) {
    throw invalidArgument(field, `unknown value ${value}`);
  }
  return name.slice(prefix.length).toLowerCase() as T;
}

export function toProto(e: ProtoEnum, prefix: string, value: string): number {
  const n = e[prefix + value.toUpperCase()];
  return typeof n === 'number' ? n : 0;
}
