import { describe, expect, it } from 'vitest';
import { bootstrapObject } from './envoy.js';

describe('bootstrapObject', () => {
  it('keeps an object as given', () => {
    const bootstrap = { node: { id: 'n' } };
    expect(bootstrapObject(bootstrap)).toBe(bootstrap);
  });

  it('parses YAML and JSON text', () => {
    expect(bootstrapObject('node:\n  id: n\n')).toEqual({ node: { id: 'n' } });
    expect(bootstrapObject('{"node": {"id": "n"}}')).toEqual({ node: { id: 'n' } });
  });

  it('refuses text that is not a mapping', () => {
    expect(() => bootstrapObject('- a\n- b\n')).toThrow(/must be a mapping/);
    expect(() => bootstrapObject('')).toThrow(/must be a mapping/);
  });
});
