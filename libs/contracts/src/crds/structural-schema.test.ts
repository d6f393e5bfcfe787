import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { gatewayParametersSpecSchema } from './gateway-parameters.js';
import { UnsupportedSchemaError, toStructuralSchema } from './structural-schema.js';
import type { JsonSchema } from './structural-schema.js';

function structural(schema: z.ZodType): JsonSchema {
  return toStructuralSchema(z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' }) as JsonSchema);
}

function property(schema: z.ZodType): unknown {
  return (structural(z.object({ p: schema })) as { properties: { p: unknown } }).properties.p;
}

describe('toStructuralSchema', () => {
  it('gives integers the narrowest format their bounds allow', () => {
    expect(property(z.number().int().min(0).max(1000))).toEqual({ type: 'integer', minimum: 0, maximum: 1000, format: 'int32' });
    expect(property(z.number().int())).toMatchObject({ type: 'integer', format: 'int64' });
  });

  it('turns literals and unions of literals into one enum', () => {
    expect(property(z.literal('x'))).toEqual({ type: 'string', enum: ['x'] });
    expect(property(z.union([z.literal('a'), z.literal('b'), z.enum(['c', 'a'])]))).toEqual({ type: 'string', enum: ['a', 'b', 'c'] });
  });

  it('keeps exclusive bounds, nullability, defaults and patterns', () => {
    expect(property(z.number().gt(0).lt(5))).toEqual({ type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 5, exclusiveMaximum: true });
    expect(property(z.string().nullable())).toEqual({ type: 'string', nullable: true });
    expect(property(z.enum(['a', 'b']).nullable())).toEqual({ type: 'string', enum: ['a', 'b'], nullable: true });
    expect(property(z.strictObject({ a: z.string() }).nullable())).toEqual({ type: 'object', properties: { a: { type: 'string' } }, required: ['a'], nullable: true });
    expect(property(z.number().int().min(1).max(9).default(3))).toMatchObject({ type: 'integer', default: 3, format: 'int32' });
    expect(property(z.string().regex(/^a+$/))).toEqual({ type: 'string', pattern: '^a+$' });
  });

  it('makes string-or-number an int-or-string, as Kubernetes quantities are', () => {
    const intOrString = { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] };
    expect(property(z.union([z.string(), z.number()]))).toEqual(intOrString);
    expect(property(z.union([z.string(), z.number()]).nullable())).toEqual({ ...intOrString, nullable: true });
  });

  it('maps records to additionalProperties and keeps free-form content only where zod accepts anything', () => {
    expect(property(z.record(z.string(), z.string()))).toEqual({ type: 'object', additionalProperties: { type: 'string' } });
    expect(property(z.record(z.string(), z.unknown()))).toEqual({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
    expect(property(z.looseObject({ a: z.string() }))).toEqual({
      type: 'object',
      required: ['a'],
      properties: { a: { type: 'string' } },
      'x-kubernetes-preserve-unknown-fields': true,
    });
  });

  it('drops additionalProperties: false (Kubernetes prunes unknown fields instead)', () => {
    expect(property(z.strictObject({ a: z.boolean().optional() }))).toEqual({ type: 'object', properties: { a: { type: 'boolean' } } });
  });

  it('inlines references and turns uniqueItems into a list-type set', () => {
    const port = z.number().int().min(1).max(65535).meta({ id: 'Port' });
    const schema = z.toJSONSchema(z.object({ a: port, b: z.array(port) }), { target: 'draft-2020-12', io: 'input' }) as JsonSchema;
    expect(JSON.stringify(schema)).toContain('$ref');
    const out = toStructuralSchema(schema) as { properties: { a: unknown; b: { items: unknown } } };
    expect(out.properties.a).toMatchObject({ type: 'integer', minimum: 1, maximum: 65535, format: 'int32' });
    expect(out.properties.b.items).toEqual(out.properties.a);
    expect(property(z.array(z.string()).refine(() => true))).toEqual({ type: 'array', items: { type: 'string' } });
    expect(toStructuralSchema({ type: 'array', items: { type: 'string' }, uniqueItems: true })).toEqual({ type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' });
  });

  it('refuses what a structural schema cannot say, naming where', () => {
    const tree: z.ZodType = z.object({ name: z.string(), get children() { return z.array(tree).optional(); } });
    expect(() => structural(tree)).toThrow(UnsupportedSchemaError);
    expect(() => property(z.union([z.string(), z.object({ a: z.string() })]))).toThrow(/\.p: a union of string, object/);
    expect(() => property(z.tuple([z.string(), z.number()]))).toThrow(/\.p: a tuple/);
    expect(() => property(z.union([z.string(), z.boolean()]))).toThrow(/\.p: a value of types string, boolean/);
    expect(() => property(z.null())).toThrow(/\.p: a schema without a single type/);
    expect(() => property(z.record(z.string().regex(/^x-/), z.string()))).toThrow(/property names/);
    expect(() => toStructuralSchema({ type: 'string', not: { enum: ['a'] } })).toThrow(/keyword "not"/);
  });

  it('translates the GatewayParameters spec', () => {
    const spec = structural(gatewayParametersSpecSchema) as { properties: Record<string, JsonSchema> };
    expect(spec.properties['replicas']).toEqual({ type: 'integer', minimum: 0, maximum: 1000, format: 'int32' });
    expect(spec.properties['resources']).toEqual({
      type: 'object',
      properties: {
        requests: { type: 'object', additionalProperties: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] } },
        limits: { type: 'object', additionalProperties: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] } },
      },
    });
  });
});
