import { describe, expect, it } from 'vitest';
import { gateway } from '../testing/index.js';
import { LAST_APPLIED_ANNOTATION, digestInput, normalizeObject } from './normalize.js';

function liveGateway(): Record<string, unknown> {
  const base = gateway({ annotations: { [LAST_APPLIED_ANNOTATION]: '{"spec":{}}', team: 'edge' } });
  return {
    ...base,
    metadata: { ...base.metadata, managedFields: [{ manager: 'kubectl', operation: 'Apply' }], uid: 'u-1' },
    status: { conditions: [] },
  };
}

describe('normalizeObject', () => {
  it('strips managedFields, the last-applied annotation and status', () => {
    const normalized = normalizeObject(liveGateway()) as Record<string, Record<string, unknown>>;
    expect(normalized).not.toHaveProperty('status');
    expect(normalized['metadata']).not.toHaveProperty('managedFields');
    expect(normalized['metadata']?.['annotations']).toEqual({ team: 'edge' });
    expect(normalized['metadata']?.['generation']).toBe(1);
    expect(normalized['metadata']?.['resourceVersion']).toBe('1');
  });

  it('drops annotations that held only the last-applied configuration', () => {
    const normalized = normalizeObject(gateway({ annotations: { [LAST_APPLIED_ANNOTATION]: '{}' } }));
    expect(normalized.metadata).not.toHaveProperty('annotations');
  });

  it('returns keys sorted at every depth and does not touch its input', () => {
    const input = liveGateway();
    const before = JSON.stringify(input);
    const normalized = normalizeObject(input);
    expect(JSON.stringify(input)).toBe(before);
    expect(Object.keys(normalized)).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
    expect(Object.keys((normalized as { metadata: object }).metadata)).toEqual([...Object.keys((normalized as { metadata: object }).metadata)].sort());
  });

  it('keeps unknown fields', () => {
    const withExtra = { ...gateway(), spec: { ...gateway().spec, futureField: { b: 1, a: 2 } } };
    expect(normalizeObject(withExtra).spec).toMatchObject({ futureField: { a: 2, b: 1 } });
  });
});

describe('digestInput', () => {
  it('ignores resourceVersion, bookkeeping and status but not content', () => {
    const base = liveGateway();
    const bumped = { ...base, metadata: { ...(base['metadata'] as object), resourceVersion: '99', managedFields: [] }, status: { x: 1 } };
    expect(digestInput(bumped)).toBe(digestInput(base));
    expect(digestInput(gateway({ labels: { a: 'b' } }))).not.toBe(digestInput(gateway()));
    expect(digestInput(gateway({ generation: 2 }))).not.toBe(digestInput(gateway()));
  });

  it('is canonical JSON', () => {
    expect(digestInput({ kind: 'X', metadata: { resourceVersion: '1', name: 'n' }, b: 1 })).toBe('{"b":1,"kind":"X","metadata":{"name":"n"}}');
    expect(digestInput({ kind: 'X' })).toBe('{"kind":"X"}');
  });
});
