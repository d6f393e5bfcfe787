/**
 * Turns zod's JSON Schema output (`z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' })`)
 * into the structural OpenAPI v3 subset a CustomResourceDefinition accepts. Every keyword is either
 * translated or refused: a constraint the apiserver cannot express fails the generator instead of
 * silently vanishing from the CRD. (Draft 2020-12 rather than zod's 'openapi-3.0' target because
 * the latter already blurs tuples into arrays of a union, which would then pass here unnoticed.)
 */

export type JsonSchema = Record<string, unknown>;

/** A zod construct that has no structural-schema equivalent (the message names where). */
export class UnsupportedSchemaError extends Error {
  constructor(path: string, what: string) {
    super(`${path || '<root>'}: ${what} has no equivalent in a Kubernetes structural schema`);
    this.name = 'UnsupportedSchemaError';
  }
}

/** Keywords whose meaning in Kubernetes' JSONSchemaProps is the same as in zod's output. */
const COPIED = new Set([
  'type',
  'title',
  'description',
  'default',
  'nullable',
  'enum',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'multipleOf',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'required',
]);

/** Keywords handled below (by type), or bookkeeping that has no place in a CRD. */
const HANDLED = new Set([
  'properties',
  'additionalProperties',
  'propertyNames',
  'items',
  'uniqueItems',
  'format',
  'const',
  'prefixItems',
  'exclusiveMinimum',
  'exclusiveMaximum',
  '$ref',
  'anyOf',
  'oneOf',
]);
const DROPPED = new Set(['$schema', '$id', '$defs', 'definitions', '$comment']);

/**
 * String formats the apiserver checks the same way zod does. Others (e.g. zod's ISO 8601
 * `duration`, which Kubernetes reads as a Go duration) are dropped; zod's `pattern` still applies.
 */
const STRING_FORMATS = new Set(['date', 'date-time', 'email', 'hostname', 'ipv4', 'ipv6', 'uri', 'uuid', 'byte', 'password']);

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

interface Context {
  root: JsonSchema;
  path: string;
  /** `$ref`s being inlined, to refuse recursive schemas (a structural schema is a finite tree). */
  refs: readonly string[];
}

/** The structural schema for zod's JSON Schema of a CRD's spec (or any part of it). */
export function toStructuralSchema(schema: JsonSchema): JsonSchema {
  return convert(schema, { root: schema, path: '', refs: [] });
}

function convert(schema: JsonSchema, ctx: Context): JsonSchema {
  if (typeof schema['$ref'] === 'string') return convertRef(schema, schema['$ref'], ctx);
  const union = schema['anyOf'] ?? schema['oneOf'];
  if (union !== undefined) return convertUnion(schema, union as JsonSchema[], ctx);
  if (Array.isArray(schema['type'])) return convertTypeList(schema, schema['type'] as unknown[], ctx);

  const out = scalarKeywords(schema, ctx);
  switch (schema['type']) {
    case 'object':
      return { ...out, ...objectKeywords(schema, ctx) };
    case 'array':
      return { ...out, ...arrayKeywords(schema, ctx) };
    case 'integer':
      return { ...out, format: integerFormat(schema) };
    case 'string':
      return withStringFormat(out, schema['format']);
    case 'number':
    case 'boolean':
      return out;
    default:
      throw new UnsupportedSchemaError(ctx.path, `a schema without a single type (${JSON.stringify(schema['type'])})`);
  }
}

/** The keywords every type shares, refusing unknown ones. */
function scalarKeywords(schema: JsonSchema, ctx: Context): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (COPIED.has(key)) out[key] = value;
    else if (!HANDLED.has(key) && !DROPPED.has(key)) throw new UnsupportedSchemaError(ctx.path, `keyword "${key}"`);
  }
  // OpenAPI v3.0 has no `const`, and its exclusive bounds are flags on minimum/maximum.
  if ('const' in schema) out['enum'] = [schema['const']];
  return { ...out, ...exclusiveBound(schema, 'exclusiveMinimum', 'minimum', ctx), ...exclusiveBound(schema, 'exclusiveMaximum', 'maximum', ctx) };
}

/** Inlines `#/...` references; Kubernetes has no `$ref`. */
function convertRef(schema: JsonSchema, ref: string, ctx: Context): JsonSchema {
  if (ctx.refs.includes(ref) || ref === '#') throw new UnsupportedSchemaError(ctx.path, `the recursive reference ${ref}`);
  if (!ref.startsWith('#/')) throw new UnsupportedSchemaError(ctx.path, `the external reference ${ref}`);
  let target: unknown = ctx.root;
  for (const part of ref.slice(2).split('/')) {
    target = (target as JsonSchema | undefined)?.[part.replaceAll('~1', '/').replaceAll('~0', '~')];
  }
  if (typeof target !== 'object' || target === null) throw new UnsupportedSchemaError(ctx.path, `the dangling reference ${ref}`);
  // Keywords next to the $ref (zod puts description and default there) refine the target.
  const { $ref: _ref, ...siblings } = schema;
  return convert({ ...(target as JsonSchema), ...siblings }, { ...ctx, refs: [...ctx.refs, ref] });
}

function exclusiveBound(schema: JsonSchema, exclusive: string, inclusive: string, ctx: Context): JsonSchema {
  const bound = schema[exclusive];
  if (bound === undefined) return {};
  if (typeof bound !== 'number' || schema[inclusive] !== undefined) throw new UnsupportedSchemaError(ctx.path, `${exclusive} next to ${inclusive}`);
  return { [inclusive]: bound, [exclusive]: true };
}

/** `type: [T, 'null']` is a nullable T; `type: ['string', 'number']` an int-or-string. */
function convertTypeList(schema: JsonSchema, types: readonly unknown[], ctx: Context): JsonSchema {
  const { type: _type, ...rest } = schema;
  const nonNull = types.filter((type) => type !== 'null');
  const nullable = nonNull.length < types.length ? { nullable: true } : {};
  if (nonNull.length === 1) return convert({ ...rest, ...nullable, type: nonNull[0] }, ctx);
  if (isIntOrString(new Set(nonNull))) return intOrString({ ...rest, ...nullable }, ctx);
  throw new UnsupportedSchemaError(ctx.path, `a value of types ${nonNull.map(String).join(', ')}`);
}

/**
 * Structural schemas need one type per node, so only unions that keep one are translated: enums
 * and literals of one type (merged into one `enum`), string-or-number (int-or-string, as resource
 * quantities are in Kubernetes), X-or-null (nullable) and a union of one branch.
 */
function convertUnion(schema: JsonSchema, union: readonly JsonSchema[], ctx: Context): JsonSchema {
  const { anyOf: _anyOf, oneOf: _oneOf, ...outer } = schema;
  const branches = union.filter((branch) => !(Object.keys(branch).length === 1 && branch['type'] === 'null'));
  if (branches.length < union.length) outer['nullable'] = true;
  const only = branches.length === 1 ? branches[0] : undefined;
  if (only) return convert({ ...only, ...outer }, ctx);

  const types = new Set(branches.map((branch) => branch['type']));
  const [type] = types;
  if (types.size === 1 && branches.every((branch) => isPlainEnum(branch))) {
    const values = branches.flatMap((branch) => (branch['enum'] as unknown[] | undefined) ?? [branch['const']]);
    return convert({ ...outer, type, enum: [...new Set(values)] }, ctx);
  }
  if (isIntOrString(types) && branches.every((branch) => Object.keys(branch).length === 1)) return intOrString(outer, ctx);
  throw new UnsupportedSchemaError(ctx.path, `a union of ${[...types].map(String).join(', ')}`);
}

function intOrString(outer: JsonSchema, ctx: Context): JsonSchema {
  const rest = convert({ ...outer, type: 'string' }, ctx);
  delete rest['type'];
  return { ...rest, 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] };
}

function isPlainEnum(branch: JsonSchema): boolean {
  const values = Array.isArray(branch['enum']) || 'const' in branch;
  return values && Object.keys(branch).every((key) => key === 'type' || key === 'enum' || key === 'const');
}

function isIntOrString(types: ReadonlySet<unknown>): boolean {
  const numeric = types.has('number') || types.has('integer');
  return types.size === 2 && types.has('string') && numeric;
}

function objectKeywords(schema: JsonSchema, ctx: Context): JsonSchema {
  const out: JsonSchema = {};
  const properties = schema['properties'] as Record<string, JsonSchema> | undefined;
  if (properties !== undefined) {
    out['properties'] = Object.fromEntries(
      Object.entries(properties).map(([name, property]) => [name, convert(property, { ...ctx, path: `${ctx.path}.${name}` })]),
    );
  }
  const names = schema['propertyNames'] as JsonSchema | undefined;
  // Keys are strings anyway; any further constraint on them would be lost.
  if (names !== undefined && !(Object.keys(names).length === 1 && names['type'] === 'string')) {
    throw new UnsupportedSchemaError(ctx.path, 'a constraint on property names');
  }
  return { ...out, ...additionalProperties(schema['additionalProperties'], properties !== undefined, ctx) };
}

/**
 * `false` (a strict object) is dropped: Kubernetes forbids it next to `properties` and instead
 * prunes unknown fields, which clients see as an error under strict field validation. `{}` or
 * `true` is free-form content, kept as it is. A schema is a map of that schema.
 */
function additionalProperties(value: unknown, hasProperties: boolean, ctx: Context): JsonSchema {
  if (value === undefined || value === false) return {};
  if (value === true || (typeof value === 'object' && value !== null && Object.keys(value).length === 0)) {
    return { 'x-kubernetes-preserve-unknown-fields': true };
  }
  if (hasProperties) throw new UnsupportedSchemaError(ctx.path, 'typed additional properties next to named ones');
  return { additionalProperties: convert(value as JsonSchema, { ...ctx, path: `${ctx.path}[*]` }) };
}

function arrayKeywords(schema: JsonSchema, ctx: Context): JsonSchema {
  const items = schema['items'];
  if (schema['prefixItems'] !== undefined) throw new UnsupportedSchemaError(ctx.path, 'a tuple');
  if (typeof items !== 'object' || items === null || Array.isArray(items)) throw new UnsupportedSchemaError(ctx.path, 'an array without one item schema (a tuple)');
  const out: JsonSchema = { items: convert(items as JsonSchema, { ...ctx, path: `${ctx.path}[*]` }) };
  // Kubernetes refuses uniqueItems (quadratic); a list-type set says the same and is checked.
  if (schema['uniqueItems'] === true) out['x-kubernetes-list-type'] = 'set';
  return out;
}

/** int32 when zod's bounds fit in it (so clients may use 32-bit integers), else int64. */
function integerFormat(schema: JsonSchema): 'int32' | 'int64' {
  const min = schema['minimum'];
  const max = schema['maximum'];
  return typeof min === 'number' && typeof max === 'number' && min >= INT32_MIN && max <= INT32_MAX ? 'int32' : 'int64';
}

function withStringFormat(out: JsonSchema, format: unknown): JsonSchema {
  return typeof format === 'string' && STRING_FORMATS.has(format) ? { ...out, format } : out;
}
