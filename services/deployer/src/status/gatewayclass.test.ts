import { describe, expect, it } from 'vitest';
import { gatewayClassStatus } from './gatewayclass.js';

const accepted = { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'GatewayClass is accepted', observedGeneration: 2 } as const;

describe('gatewayClassStatus', () => {
  it('publishes the supported features sorted and once each, for the conformance suite to read', () => {
    const status = gatewayClassStatus({
      generation: 2,
      existing: undefined,
      facts: [{ kind: 'GatewayClass', name: 'mgw', conditions: [accepted], supportedFeatures: ['HTTPRoute', 'Gateway', 'HTTPRoute'] }],
      now: '2026-11-25T10:00:00Z',
    });
    expect(status.supportedFeatures).toEqual([{ name: 'Gateway' }, { name: 'HTTPRoute' }]);
    expect(status.conditions?.[0]).toMatchObject({ type: 'Accepted', status: 'True', observedGeneration: 2 });
  });

  it('leaves supportedFeatures alone when the fact does not carry them', () => {
    const existing = { conditions: [], supportedFeatures: [{ name: 'Gateway' }] };
    const status = gatewayClassStatus({ generation: 1, existing, facts: [{ kind: 'GatewayClass', name: 'mgw', conditions: [{ ...accepted, observedGeneration: 1 }] }], now: '2026-11-25T10:00:00Z' });
    expect(status.supportedFeatures).toEqual([{ name: 'Gateway' }]);
  });
});
