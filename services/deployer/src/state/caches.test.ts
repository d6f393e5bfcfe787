import { XDS_STATUS_REPORTER, infraKey, rendererStatusReporter, statusKey } from '@microgateway/contracts';
import { describe, expect, it } from 'vitest';
import { FactCache } from './fact-cache.js';
import { InfraCache } from './infra-cache.js';

const gateway = { namespace: 'prod', name: 'edge' };
const bytes = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value));

const infra = {
  gateway,
  observedGeneration: 3,
  replicas: 2,
  ports: [{ name: 'port-80', port: 80, containerPort: 10080, protocol: 'TCP' }],
  service: { type: 'LoadBalancer', annotations: {}, labels: {} },
  labels: {},
  annotations: {},
  resources: {},
  logLevel: 'info',
};

describe('InfraCache', () => {
  it('keeps valid entries, forgets deleted ones and remembers the highest revision', () => {
    const cache = new InfraCache();
    expect(cache.apply({ key: infraKey(gateway), operation: 'PUT', revision: 4, value: bytes(infra) })).toEqual({ kind: 'upsert', gateway, revision: 4 });
    expect(cache.get(gateway)?.replicas).toBe(2);
    expect(cache.apply({ key: infraKey(gateway), operation: 'DEL', revision: 9, value: new Uint8Array() })).toEqual({ kind: 'delete', gateway, revision: 9 });
    expect(cache.get(gateway)).toBeUndefined();
    expect(cache.revision).toBe(9);
  });

  it('reports a value that breaks the contract and keeps the last good one', () => {
    const cache = new InfraCache();
    cache.apply({ key: infraKey(gateway), operation: 'PUT', revision: 1, value: bytes(infra) });
    const change = cache.apply({ key: infraKey(gateway), operation: 'PUT', revision: 2, value: bytes({ ...infra, replicas: -1 }) });
    expect(change.kind).toBe('invalid');
    expect(change.kind === 'invalid' && change.problem).toContain('replicas');
    expect(cache.get(gateway)?.replicas).toBe(2);
    expect(cache.apply({ key: 'not-a-key', operation: 'PUT', revision: 3, value: bytes(infra) }).kind).toBe('invalid');
  });
});

describe('FactCache', () => {
  const gatewayRef = { kind: 'Gateway', ...gateway };
  const condition = { type: 'Accepted', status: 'True', reason: 'Accepted', message: '', observedGeneration: 1 } as const;

  it('keeps facts per object and reporter, and the Engines verdict apart', () => {
    const cache = new FactCache();
    const reporter = rendererStatusReporter(gateway);
    cache.apply({ key: statusKey(gatewayRef, reporter), operation: 'PUT', value: bytes({ kind: 'Gateway', ...gateway, conditions: [condition], listeners: [] }) });
    cache.apply({ key: statusKey(gatewayRef, XDS_STATUS_REPORTER), operation: 'PUT', value: bytes({ kind: 'EngineConfig', ...gateway, outcome: 'rejected', version: 'v2', message: 'bad regex' }) });
    expect(cache.gatewayFacts(gateway)).toHaveLength(1);
    expect(cache.xdsOutcome(gateway)).toEqual({ kind: 'rejected', version: 'v2', message: 'bad regex' });
    cache.apply({ key: statusKey(gatewayRef, reporter), operation: 'DEL', value: new Uint8Array() });
    expect(cache.gatewayFacts(gateway)).toEqual([]);
    expect(cache.xdsOutcome(gateway)?.kind).toBe('rejected');
  });

  it('reports a fact that breaks the contract and keeps the others', () => {
    const cache = new FactCache();
    const route = { kind: 'HTTPRoute', namespace: 'prod', name: 'r' };
    cache.apply({ key: statusKey(route, 'renderer@prod/a'), operation: 'PUT', value: bytes({ kind: 'HTTPRoute', namespace: 'prod', name: 'r', parents: [] }) });
    const change = cache.apply({ key: statusKey(route, 'renderer@prod/b'), operation: 'PUT', value: bytes({ kind: 'HTTPRoute', parents: 'nope' }) });
    expect(change.kind).toBe('invalid');
    expect(cache.routeFacts({ namespace: 'prod', name: 'r' })).toHaveLength(1);
  });
});
