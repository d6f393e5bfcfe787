import { describe, expect, it } from 'vitest';
import { changedFields } from './diff.js';

describe('changedFields', () => {
  it('names changed members of spec and metadata and other top-level fields', () => {
    const before = { metadata: { name: 'a', labels: { x: '1' }, resourceVersion: '1', generation: 1 }, spec: { listeners: [1], addresses: [] }, data: { k: 'v' } };
    const after = { metadata: { name: 'a', labels: { x: '2' }, resourceVersion: '2', generation: 2 }, spec: { listeners: [2], addresses: [] }, data: { k: 'w' } };
    expect(changedFields(before, after)).toEqual(['data', 'metadata.labels', 'spec.listeners']);
  });

  it('reports fields that appear or disappear, and nothing when only bookkeeping changed', () => {
    expect(changedFields({ spec: { a: 1 } }, { spec: { b: 1 } })).toEqual(['spec.a', 'spec.b']);
    expect(changedFields({ spec: { a: 1 } }, { endpoints: [] , spec: { a: 1 } })).toEqual(['endpoints']);
    expect(changedFields({ metadata: { resourceVersion: '1' } }, { metadata: { resourceVersion: '9' } })).toEqual([]);
    expect(changedFields({ spec: { a: { y: 1, x: 2 } } }, { spec: { a: { x: 2, y: 1 } } })).toEqual([]);
  });
});
