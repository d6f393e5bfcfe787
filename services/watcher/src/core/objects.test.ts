import { describe, expect, it } from 'vitest';
import type { WatchedKind } from './kinds.js';
import { BUILTIN_KINDS } from './kinds.js';
import { fieldPath, ingestObject } from './objects.js';

const kind = (name: string): WatchedKind => BUILTIN_KINDS.find((k) => k.kind === name) as WatchedKind;

describe('ingestObject', () => {
  it('fills apiVersion and kind of list items, strips status and managedFields, and digests without resourceVersion', () => {
    const raw = { metadata: { name: 'web', namespace: 'edge', resourceVersion: '5', generation: 2, managedFields: [{}] }, spec: { gatewayClassName: 'c', listeners: [{ name: 'h', port: 80, protocol: 'HTTP' }] }, status: { conditions: [] } };
    const object = ingestObject(kind('Gateway'), raw, 42);
    expect(object).toMatchObject({ key: 'Gateway.edge.web', ref: { kind: 'Gateway', namespace: 'edge', name: 'web' }, resourceVersion: '5', generation: 2, problems: undefined, receivedAt: 42 });
    expect(object?.object).toEqual({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'web', namespace: 'edge', resourceVersion: '5', generation: 2 }, spec: raw.spec });
    const bumped = ingestObject(kind('Gateway'), { ...raw, metadata: { ...raw.metadata, resourceVersion: '6' }, status: { x: 1 } }, 0);
    expect(bumped?.digest).toBe(object?.digest);
    expect(object?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('keys cluster-scoped objects with the cluster token and dotted names reversibly', () => {
    expect(ingestObject(kind('GatewayClass'), { metadata: { name: 'a.b' }, spec: { controllerName: 'x' } }, 0)?.key).toBe('GatewayClass._.a=2Eb');
  });

  it('refuses what cannot be keyed: no name, or a scope that does not fit the kind', () => {
    expect(ingestObject(kind('Gateway'), { metadata: { name: 'x' } }, 0)).toBeUndefined();
    expect(ingestObject(kind('Namespace'), { metadata: { name: 'x', namespace: 'y' } }, 0)).toBeUndefined();
    expect(ingestObject(kind('Namespace'), { metadata: {} }, 0)).toBeUndefined();
    expect(ingestObject(kind('Namespace'), 'text', 0)).toBeUndefined();
  });

  it('lists contract problems with the field path and a machine-readable reason', () => {
    const object = ingestObject(kind('Gateway'), { metadata: { name: 'web', namespace: 'edge' }, spec: { gatewayClassName: 'c', listeners: [{ name: 'h', port: 0, protocol: 'HTTP' }] } }, 0);
    expect(object?.problems).toEqual([{ field: 'spec.listeners[0].port', reason: 'TooSmall', message: expect.any(String) }]);
    const generic: WatchedKind = { kind: 'DenyRules', group: 'microgateway.dev', version: 'v1alpha1', plural: 'denyrules', namespaced: true, bucket: 'resources' };
    expect(ingestObject(generic, { metadata: { name: 'd', namespace: 'n', labels: { a: 1 } } }, 0)?.problems).toEqual([
      { field: 'metadata.labels.a', reason: 'InvalidType', message: expect.any(String) },
    ]);
  });

  it('writes paths the way events name fields', () => {
    expect(fieldPath(['spec', 'rules', 0, 'filters', 1, 'type'])).toBe('spec.rules[0].filters[1].type');
    expect(fieldPath([])).toBe('(object)');
  });
});
