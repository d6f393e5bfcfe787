import protobuf from 'protobufjs';
import { describe, fieldPath, indexPath, keyPath, XdsCodecError } from './errors.js';
import { hasSpecialJson, typeInfo, typeNameOf, VALUE_FIELDS, WRAPPER_TYPES } from './fields.js';
import { scalarFromJson, type WireScalar } from './scalars.js';
import { parseDuration, parseFieldMask, parseTimestamp } from './well-known.js';

/**
 * Strict proto3 JSON → the plain object protobufjs's `Type.encode` writes. Replaces
 * `Type.fromObject`, which ignores unknown fields, coerces wrong types and knows none of the
 * well-known types' JSON forms. Values written explicitly (even zeros) are kept, so a decode
 * shows exactly what was sent.
 */

type Json = Record<string, unknown>;
type Wire = Record<string, unknown>;

/** Enough for Envoy's deepest configs; a cycle in hand-built input fails here, not in a stack overflow. */
const MAX_DEPTH = 64;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class JsonToWire {
  /** root.lookup walks namespaces on every call; resources repeat the same few type URLs. */
  private readonly anyTypes = new Map<string, protobuf.Type>();

  constructor(private readonly root: protobuf.Root) {}

  /** The message type an Any's "@type" names; throws when that type is not loaded. */
  anyType(typeUrl: unknown, path: string): protobuf.Type {
    if (typeof typeUrl !== 'string' || !typeUrl.includes('/')) {
      throw new XdsCodecError(path, `"@type" must be a type URL like "type.googleapis.com/<message>", got ${describe(typeUrl)}`);
    }
    const cached = this.anyTypes.get(typeUrl);
    if (cached) return cached;
    const type = this.root.lookup(typeNameOf(typeUrl));
    if (!(type instanceof protobuf.Type)) {
      throw new XdsCodecError(path, `unknown type ${typeUrl}: not in the codec's protos (add its .proto to extraProtoFiles)`);
    }
    this.anyTypes.set(typeUrl, type);
    return type;
  }

  /** An Any given as {"@type", ...fields} (or {"@type", "value"} for well-known types) → {type_url, value bytes}. */
  any(json: unknown, path: string, depth: number): Wire {
    if (!isObject(json)) throw new XdsCodecError(path, `expected an object with "@type", got ${describe(json)}`);
    const typeUrl = json['@type'];
    const type = this.anyType(typeUrl, fieldPath(path, '@type'));
    const inner = hasSpecialJson(typeInfo(type).name) ? this.valueOf(type, json['value'], fieldPath(path, 'value'), depth + 1) : this.message(type, json, path, depth + 1, true);
    return { type_url: typeUrl, value: type.encode(inner).finish() };
  }

  /** Any message-typed JSON value, dispatching to the well-known types' JSON forms. */
  valueOf(type: protobuf.Type, json: unknown, path: string, depth: number): Wire {
    if (depth > MAX_DEPTH) throw new XdsCodecError(path, `nested deeper than ${MAX_DEPTH} levels`);
    const name = typeInfo(type).name;
    const wrapped = WRAPPER_TYPES[name];
    if (wrapped) return { value: scalarFromJson(wrapped, json, path) };
    switch (name) {
      case 'google.protobuf.Any':
        return this.any(json, path, depth);
      case 'google.protobuf.Duration':
        return { ...parseDuration(stringOf(json, path, 'a Duration string like "5s"'), path) };
      case 'google.protobuf.Timestamp':
        return { ...parseTimestamp(stringOf(json, path, 'an RFC 3339 Timestamp string'), path) };
      case 'google.protobuf.FieldMask':
        return { paths: parseFieldMask(stringOf(json, path, 'a FieldMask string'), path) };
      case 'google.protobuf.Struct':
        return this.struct(json, path, depth);
      case 'google.protobuf.Value':
        return this.jsonValue(json, path, depth);
      case 'google.protobuf.ListValue':
        return this.listValue(json, path, depth);
      default:
        return this.message(type, json, path, depth, false);
    }
  }

  /** A regular message: every key must name a field; at most one member of each oneof. */
  message(type: protobuf.Type, json: unknown, path: string, depth: number, inAny: boolean): Wire {
    const info = typeInfo(type);
    if (!isObject(json)) throw new XdsCodecError(path, `expected an object (${info.name}), got ${describe(json)}`);
    const fields = info.fields;
    const wire: Wire = {};
    const oneofs = type.oneofsArray.length > 0 ? new Map<string, string>() : undefined;
    for (const [key, value] of Object.entries(json)) {
      if (key === '@type' && inAny) continue;
      const field = fields.get(key);
      const at = fieldPath(path, key);
      if (!field) throw new XdsCodecError(at, `unknown field (not in ${info.name}; the bundled Envoy protos may predate it)`);
      if (value === null && !isValueField(field)) continue; // proto3 JSON: null = absent
      if (Object.hasOwn(wire, field.name)) throw new XdsCodecError(at, `field ${field.name} given twice (proto and JSON name)`);
      this.claimOneof(field, oneofs, at);
      wire[field.name] = this.fieldValue(field, value, at, depth + 1);
    }
    return wire;
  }

  private claimOneof(field: protobuf.Field, oneofs: Map<string, string> | undefined, path: string): void {
    const oneof = field.partOf;
    if (!oneof || !oneofs) return;
    const taken = oneofs.get(oneof.name);
    if (taken) throw new XdsCodecError(path, `oneof ${oneof.name} already set by ${taken}`);
    oneofs.set(oneof.name, field.name);
  }

  private fieldValue(field: protobuf.Field, value: unknown, path: string, depth: number): unknown {
    if (field.map) return this.mapValue(field, (field as unknown as protobuf.MapField).keyType, value, path, depth);
    if (field.repeated) {
      if (!Array.isArray(value)) throw new XdsCodecError(path, `expected an array, got ${describe(value)}`);
      return value.map((item, i) => this.single(field, item, indexPath(path, i), depth));
    }
    return this.single(field, value, path, depth);
  }

  private mapValue(field: protobuf.Field, keyType: string, value: unknown, path: string, depth: number): Wire {
    if (!isObject(value)) throw new XdsCodecError(path, `expected an object (map), got ${describe(value)}`);
    const wire = dictionary();
    for (const [key, item] of Object.entries(value)) {
      const at = keyPath(path, key);
      checkMapKey(keyType, key, at);
      wire[key] = this.single(field, item, at, depth);
    }
    return wire;
  }

  private single(field: protobuf.Field, value: unknown, path: string, depth: number): unknown {
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Type) return this.valueOf(resolved, value, path, depth);
    if (resolved instanceof protobuf.Enum) return enumFromJson(resolved, value, path);
    if (value === null) throw new XdsCodecError(path, 'null is not allowed here');
    return scalarFromJson(field.type, value, path);
  }

  private struct(json: unknown, path: string, depth: number): Wire {
    if (!isObject(json)) throw new XdsCodecError(path, `expected an object (Struct), got ${describe(json)}`);
    const fields = dictionary();
    for (const [key, value] of Object.entries(json)) fields[key] = this.jsonValue(value, keyPath(path, key), depth + 1);
    return { fields };
  }

  private listValue(json: unknown, path: string, depth: number): Wire {
    if (!Array.isArray(json)) throw new XdsCodecError(path, `expected an array (ListValue), got ${describe(json)}`);
    return { values: json.map((v, i) => this.jsonValue(v, indexPath(path, i), depth + 1)) };
  }

  /** google.protobuf.Value: any JSON value. */
  private jsonValue(json: unknown, path: string, depth: number): Wire {
    if (depth > MAX_DEPTH) throw new XdsCodecError(path, `nested deeper than ${MAX_DEPTH} levels`);
    if (json === null) return { [VALUE_FIELDS.null]: 0 };
    if (typeof json === 'number') return { [VALUE_FIELDS.number]: json };
    if (typeof json === 'string') return { [VALUE_FIELDS.string]: json };
    if (typeof json === 'boolean') return { [VALUE_FIELDS.bool]: json };
    if (Array.isArray(json)) return { [VALUE_FIELDS.list]: this.listValue(json, path, depth) };
    if (isObject(json)) return { [VALUE_FIELDS.struct]: this.struct(json, path, depth) };
    throw new XdsCodecError(path, `not a JSON value: ${describe(json)}`);
  }
}

/** A map's wire object: no prototype, so a key like "__proto__" stays an entry instead of vanishing. */
function dictionary(): Wire {
  return Object.create(null) as Wire;
}

function isValueField(field: protobuf.Field): boolean {
  return field.resolvedType instanceof protobuf.Type && typeInfo(field.resolvedType).name === 'google.protobuf.Value';
}

function stringOf(json: unknown, path: string, expected: string): string {
  if (typeof json !== 'string') throw new XdsCodecError(path, `expected ${expected}, got ${describe(json)}`);
  return json;
}

/** Enum values by name, or by number when the number is defined (unknown numbers are refused). */
function enumFromJson(type: protobuf.Enum, value: unknown, path: string): number {
  if (typeof value === 'string' && Object.hasOwn(type.values, value)) return type.values[value] as number;
  if (typeof value === 'number' && Object.hasOwn(type.valuesById, value)) return value;
  const names = Object.keys(type.values);
  const shown = names.length > 12 ? `${names.slice(0, 12).join(', ')}, …` : names.join(', ');
  throw new XdsCodecError(path, `${describe(value)} is not a value of enum ${type.fullName.slice(1)} (${shown})`);
}

/** Map keys are JSON strings; integer and bool keys must still parse as their key type. */
function checkMapKey(keyType: string, key: string, path: string): void {
  if (keyType === 'string') return;
  if (keyType === 'bool') throw new XdsCodecError(path, 'bool-keyed maps are not supported');
  scalarFromJson(keyType, key, path) satisfies WireScalar;
}
