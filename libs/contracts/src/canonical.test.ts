import { describe, expect, it } from 'vitest';
import { canonicalJson, sortKeys } from './canonical.js';

describe('canonical JSON', () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('gives equal strings for equal data built in any key order', () => {
    const keys = ['x', 'a', 'm', 'b', 'zz', '_', 'A'];
    const forward = Object.fromEntries(keys.map((k, i) => [k, { v: i, w: [k] }]));
    const backward = Object.fromEntries([...keys].reverse().map((k) => [k, { w: [k], v: keys.indexOf(k) }]));
    expect(canonicalJson(forward)).toBe(canonicalJson(backward));
  });

  it('drops undefined members', () => {
    expect(sortKeys({ a: undefined, b: 1 })).toEqual({ b: 1 });
    expect(canonicalJson({ a: undefined })).toBe('{}');
  });

  it('refuses what JSON cannot represent faithfully', () => {
    for (const bad of [Number.NaN, Infinity, 10n, () => 1, new Date(0), new Map(), Symbol('s'), undefined]) {
      expect(() => canonicalJson({ nested: [bad] }), String(bad)).toThrow(/\$\.nested\[0\]/);
    }
  });

  it('accepts objects without a prototype', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { b: 2, a: 1 });
    expect(canonicalJson(bare)).toBe('{"a":1,"b":2}');
  });
});
