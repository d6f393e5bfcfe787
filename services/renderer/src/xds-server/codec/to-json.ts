import protobuf from 'protobufjs';
import { hasSpecialJson, typeInfo, typeNameOf, VALUE_FIELDS, WRAPPER_TYPES } from './fields.js';
import { scalarToJson } from './scalars.js';
import { formatDuration, formatFieldMask, formatTimestamp, type SecondsNanos } from './well-known.js';

/**
 * Decoded protobufjs messages → proto3-JSON-ish objects with snake_case names: only fields that
 * were on the wire, Durations/Timestamps as strings, enums by name, 64-bit integers as strings,
 * bytes as base64, wrappers unwrapped, Struct as plain JSON, and Any expanded with "@type".
 */

type Json = Record<string, unknown>;
type Decoded = Record<string, unknown>;

export class WireToJson {
  private readonly anyTypes = new Map<string, protobuf.Type | null>();

  constructor(private readonly root: protobuf.Root) {}

  /** The loaded type a type URL names, or null (cached: root.lookup walks namespaces). */
  typeOf(typeUrl: string): protobuf.Type | null {
    let type = this.anyTypes.get(typeUrl);
    if (type === undefined) {
      const found = this.root.lookup(typeNameOf(typeUrl));
      type = found instanceof protobuf.Type ? found : null;
      this.anyTypes.set(typeUrl, type);
    }
    return type;
  }

  /** An Any: look its type up, decode the bytes, put "@type" first. Unknown types stay opaque. */
  any(typeUrl: string, value: Uint8Array): Json {
    const type = this.typeOf(typeUrl);
    if (!type) return { '@type': typeUrl, value: Buffer.from(value).toString('base64') };
    const decoded = type.decode(value) as unknown as Decoded;
    const json = this.valueOf(type, decoded);
    return hasSpecialJson(typeInfo(type).name) ? { '@type': typeUrl, value: json } : { '@type': typeUrl, ...(json as Json) };
  }

  valueOf(type: protobuf.Type, message: Decoded): unknown {
    const name = typeInfo(type).name;
    if (name in WRAPPER_TYPES) return this.wrapped(type, message);
    switch (name) {
      case 'google.protobuf.Any':
        return this.any(String(message['type_url'] ?? ''), (message['value'] as Uint8Array | undefined) ?? new Uint8Array());
      case 'google.protobuf.Duration':
        return formatDuration(secondsNanos(message));
      case 'google.protobuf.Timestamp':
        return formatTimestamp(secondsNanos(message));
      case 'google.protobuf.FieldMask':
        return formatFieldMask((message['paths'] as string[] | undefined) ?? []);
      case 'google.protobuf.Struct':
        return structJson(message);
      case 'google.protobuf.Value':
        return valueJson(message);
      case 'google.protobuf.ListValue':
        return listJson(message);
      default:
        return this.message(type, message);
    }
  }

  /** Only fields present on the wire (own properties); empty repeated fields and maps are left out. */
  message(type: protobuf.Type, message: Decoded): Json {
    const json: Json = {};
    for (const field of type.fieldsArray) {
      if (!Object.hasOwn(message, field.name)) continue;
      const value = message[field.name];
      if (value === null || value === undefined) continue;
      const converted = this.fieldValue(field, value);
      if (converted !== undefined) json[field.name] = converted;
    }
    return json;
  }

  private fieldValue(field: protobuf.Field, value: unknown): unknown {
    if (field.map) {
      const entries = Object.entries(value as Decoded);
      if (entries.length === 0) return undefined;
      return Object.fromEntries(entries.map(([k, v]) => [k, this.single(field, v)]));
    }
    if (field.repeated) {
      const items = value as unknown[];
      return items.length === 0 ? undefined : items.map((item) => this.single(field, item));
    }
    return this.single(field, value);
  }

  private single(field: protobuf.Field, value: unknown): unknown {
    const resolved = field.resolve().resolvedType;
    if (resolved instanceof protobuf.Type) return this.valueOf(resolved, value as Decoded);
    if (resolved instanceof protobuf.Enum) return resolved.valuesById[value as number] ?? value;
    return scalarToJson(field.type, value);
  }

  private wrapped(type: protobuf.Type, message: Decoded): unknown {
    const field = typeInfo(type).fields.get('value') as protobuf.Field;
    return scalarToJson(field.type, message['value'] ?? field.typeDefault);
  }
}

function secondsNanos(message: Decoded): SecondsNanos {
  return { seconds: Number(message['seconds'] ?? 0), nanos: Number(message['nanos'] ?? 0) };
}

function structJson(message: Decoded): Json {
  const fields = (message['fields'] as Record<string, Decoded> | undefined) ?? {};
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, valueJson(v)]));
}

function listJson(message: Decoded): unknown[] {
  return ((message['values'] as Decoded[] | undefined) ?? []).map(valueJson);
}

function valueJson(message: Decoded): unknown {
  if (Object.hasOwn(message, VALUE_FIELDS.number)) return message[VALUE_FIELDS.number];
  if (Object.hasOwn(message, VALUE_FIELDS.string)) return message[VALUE_FIELDS.string];
  if (Object.hasOwn(message, VALUE_FIELDS.bool)) return message[VALUE_FIELDS.bool];
  if (Object.hasOwn(message, VALUE_FIELDS.struct)) return structJson(message[VALUE_FIELDS.struct] as Decoded);
  if (Object.hasOwn(message, VALUE_FIELDS.list)) return listJson(message[VALUE_FIELDS.list] as Decoded);
  return null;
}
