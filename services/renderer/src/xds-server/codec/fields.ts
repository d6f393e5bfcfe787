import type protobuf from 'protobufjs';

/**
 * Per-type facts computed once: the full name (protobufjs recomputes `fullName` on every read,
 * which dominated encode time) and the fields by proto name (snake_case, what the translation
 * writes) and by proto3 JSON name (lowerCamelCase, which proto3 JSON parsers must accept too).
 */
export interface TypeInfo {
  /** Without the leading dot, e.g. `google.protobuf.Duration`. */
  readonly name: string;
  readonly fields: ReadonlyMap<string, protobuf.Field>;
}

const infos = new WeakMap<protobuf.Type, TypeInfo>();

/** protoc's default json_name: drop underscores, capitalize the letter after each. */
export function jsonNameOf(protoName: string): string {
  return protoName.replace(/_+([a-zA-Z0-9])/g, (_m, c: string) => c.toUpperCase());
}

export function typeInfo(type: protobuf.Type): TypeInfo {
  let info = infos.get(type);
  if (!info) {
    const fields = new Map<string, protobuf.Field>();
    for (const field of type.fieldsArray) {
      const jsonName = (field.options?.['json_name'] as string | undefined) ?? jsonNameOf(field.name);
      fields.set(jsonName, field.resolve());
    }
    // Proto names win over a json name that happens to collide with another field's proto name.
    for (const field of type.fieldsArray) fields.set(field.name, field);
    info = { name: type.fullName.slice(1), fields };
    infos.set(type, info);
  }
  return info;
}

/** The type name after the last "/" of an Any's type URL. */
export function typeNameOf(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
}

/**
 * google.protobuf.Value's fields. protobufjs serves struct.proto from its bundled JSON, whose
 * names are camelCase whatever `keepCase` says (and its encoder ignores unknown keys silently).
 */
export const VALUE_FIELDS = {
  null: 'nullValue',
  number: 'numberValue',
  string: 'stringValue',
  bool: 'boolValue',
  struct: 'structValue',
  list: 'listValue',
} as const;

/** Wrapper message → the scalar type its `value` holds. */
export const WRAPPER_TYPES: Readonly<Record<string, string>> = {
  'google.protobuf.DoubleValue': 'double',
  'google.protobuf.FloatValue': 'float',
  'google.protobuf.Int64Value': 'int64',
  'google.protobuf.UInt64Value': 'uint64',
  'google.protobuf.Int32Value': 'int32',
  'google.protobuf.UInt32Value': 'uint32',
  'google.protobuf.BoolValue': 'bool',
  'google.protobuf.StringValue': 'string',
  'google.protobuf.BytesValue': 'bytes',
};

const SPECIAL_JSON = new Set([
  'google.protobuf.Duration',
  'google.protobuf.Timestamp',
  'google.protobuf.FieldMask',
  'google.protobuf.Struct',
  'google.protobuf.Value',
  'google.protobuf.ListValue',
]);

/** Types whose JSON form is not an object of fields; inside an Any they go under "value". */
export function hasSpecialJson(typeName: string): boolean {
  return typeName in WRAPPER_TYPES || SPECIAL_JSON.has(typeName);
}
