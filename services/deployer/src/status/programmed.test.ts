import { describe, expect, it } from 'vitest';
import type { EngineFacts } from './programmed.js';
import { engineVerdict } from './programmed.js';

const ready: EngineFacts = {
  xds: { kind: 'applied', version: 'v1' },
  engine: { deployment: { availableReplicas: 1, desiredReplicas: 1 }, service: { type: 'ClusterIP', clusterIPs: ['10.96.0.20'], loadBalancerIngress: [] } },
  addresses: [{ type: 'IPAddress', value: '10.96.0.20' }],
};

describe('engineVerdict', () => {
  it.each([
    { name: 'everything in place', facts: ready, want: ['True', 'Programmed'] },
    { name: 'nothing created yet', facts: { addresses: [] }, want: ['False', 'Pending'] },
    { name: 'no available replica', facts: { ...ready, engine: { deployment: { availableReplicas: 0, desiredReplicas: 1 } } }, want: ['False', 'Pending'] },
    { name: 'no xDS outcome yet', facts: { ...ready, xds: undefined }, want: ['False', 'Pending'] },
    { name: 'older version applied', facts: { ...ready, renderedVersion: 'v2' }, want: ['False', 'Pending'] },
    { name: 'current version applied', facts: { ...ready, renderedVersion: 'v1' }, want: ['True', 'Programmed'] },
    { name: 'NACK', facts: { ...ready, xds: { kind: 'rejected', version: 'v1', message: 'bad' } }, want: ['False', 'Invalid'] },
    { name: 'NACK of an older version', facts: { ...ready, renderedVersion: 'v2', xds: { kind: 'rejected', version: 'v1', message: 'bad' } }, want: ['False', 'Pending'] },
    { name: 'no address', facts: { ...ready, addresses: [] }, want: ['False', 'AddressNotAssigned'] },
  ] satisfies { name: string; facts: EngineFacts; want: [string, string] }[])('$name', ({ facts, want }) => {
    const verdict = engineVerdict(facts);
    expect([verdict.status, verdict.reason]).toEqual(want);
  });

  it("carries Envoy's message on a NACK", () => {
    expect(engineVerdict({ ...ready, xds: { kind: 'rejected', version: 'v1', message: 'duplicate listener' } }).message).toContain('duplicate listener');
  });
});
