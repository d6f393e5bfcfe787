import protobuf from 'protobufjs';
import { describe, XdsCodecError } from './errors.js';

/**
 * proto3 JSON scalars ↔ the values protobufjs's encoder writes. Strict: a value of the wrong JSON
 * type, a fraction for an integer, or an out-of-range number throws instead of being coerced.
 */

type Long = protobuf.Long;
/** protobufjs types `util.Long` as a bare constructor; it is the `long` package's class. */
const LongImpl = protobuf.util.Long as unknown as { fromString(text: string, unsigned: boolean): Long };

/** Wire value for one scalar field: number, boolean, string, Long or bytes. */
export type WireScalar = number | boolean | string | Long | Uint8Array;

const INT32 = { min: -2_147_483_648, max: 2_147_483_647 };
const UINT32 = { min: 0, max: 4_294_967_295 };
const FLOAT32_MAX = 3.4028234663852886e38;

const int32Types = new Set(['int32', 'sint32', 'sfixed32']);
const uint32Types = new Set(['uint32', 'fixed32']);
const int64Types = new Set(['int64', 'sint64', 'sfixed64']);
const uint64Types = new Set(['uint64', 'fixed64']);

const NUMBER_TEXT = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const INTEGER_TEXT = /^-?\d+$/;
const BASE64 = /^(?:[A-Za-z0-9+/_-]{4})*(?:[A-Za-z0-9+/_-]{2}(?:==)?|[A-Za-z0-9+/_-]{3}=?)?$/;

/** A JSON number, or a decimal string (proto3 JSON allows quoting any number). */
function numberOf(value: unknown, path: string, type: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && NUMBER_TEXT.test(value)) return Number(value);
  throw new XdsCodecError(path, `expected ${type} (a number), got ${describe(value)}`);
}

function int32Of(value: unknown, path: string, type: string, range: { min: number; max: number }): number {
  const n = numberOf(value, path, type);
  if (!Number.isInteger(n) || n < range.min || n > range.max) throw new XdsCodecError(path, `${describe(value)} is not a valid ${type}`);
  return n;
}

/** int64/uint64 as a safe-integer number or a decimal string (exact beyond 2^53). */
function int64Of(value: unknown, path: string, type: string, unsigned: boolean): number | Long {
  if (typeof value === 'number' && Number.isSafeInteger(value) && (!unsigned || value >= 0)) return value;
  if (typeof value === 'string' && INTEGER_TEXT.test(value)) {
    const long = LongImpl.fromString(value, unsigned);
    const canonical = value.replace(/^(-?)0+(?=\d)/, '$1');
    if (long.toString() === canonical) return long;
  }
  throw new XdsCodecError(path, `${describe(value)} is not a valid ${type} (use a decimal string beyond 2^53)`);
}

function floatOf(value: unknown, path: string, type: string): number {
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  const n = numberOf(value, path, type);
  if (!Number.isFinite(n) || (type === 'float' && Math.abs(n) > FLOAT32_MAX)) throw new XdsCodecError(path, `${describe(value)} is out of range for ${type}`);
  return n;
}

function bytesOf(value: unknown, path: string): Uint8Array {
  if (typeof value !== 'string' || !BASE64.test(value)) throw new XdsCodecError(path, `expected base64 bytes, got ${describe(value)}`);
  return Buffer.from(value, 'base64');
}

function typed<T>(value: unknown, path: string, jsType: 'string' | 'boolean'): T {
  if (typeof value !== jsType) throw new XdsCodecError(path, `expected a ${jsType}, got ${describe(value)}`);
  return value as T;
}

/** The wire value of a scalar field given its protobuf type name (`int32`, `bytes`, …). */
export function scalarFromJson(type: string, value: unknown, path: string): WireScalar {
  if (int32Types.has(type)) return int32Of(value, path, type, INT32);
  if (uint32Types.has(type)) return int32Of(value, path, type, UINT32);
  if (int64Types.has(type)) return int64Of(value, path, type, false);
  if (uint64Types.has(type)) return int64Of(value, path, type, true);
  if (type === 'double' || type === 'float') return floatOf(value, path, type);
  if (type === 'bool') return typed<boolean>(value, path, 'boolean');
  if (type === 'string') return typed<string>(value, path, 'string');
  if (type === 'bytes') return bytesOf(value, path);
  throw new XdsCodecError(path, `unsupported scalar type ${type}`);
}

/** The shortest decimal that reads back as the same float32 (what protobuf's printers emit). */
function float32Json(n: number): number {
  for (let digits = 1; digits < 10; digits++) {
    const candidate = Number(n.toPrecision(digits));
    if (Math.fround(candidate) === n) return candidate;
  }
  return n;
}

/** The proto3 JSON form of a decoded scalar: 64-bit integers as strings, bytes as base64. */
export function scalarToJson(type: string, value: unknown): unknown {
  if (int64Types.has(type) || uint64Types.has(type)) return String(value);
  if (type === 'bytes') return Buffer.from(value as Uint8Array).toString('base64');
  if ((type === 'double' || type === 'float') && typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
    return type === 'float' ? float32Json(value) : value;
  }
  return value;
}
