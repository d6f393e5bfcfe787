import { describe, expect, it } from 'vitest';
import { parseSpiffeId, spiffeId, trustDomain } from './spiffe.js';

describe('SPIFFE ids', () => {
  it('name the instance and the Gateway', () => {
    expect(trustDomain('default')).toBe('default.microgateway.dev');
    expect(spiffeId('default', { namespace: 'prod', name: 'edge.example' })).toBe(
      'spiffe://default.microgateway.dev/ns/prod/gateway/edge.example',
    );
  });

  it('round-trip', () => {
    for (const instance of ['default', 'a', 'team-b', 'x'.repeat(32)]) {
      for (const gateway of [{ namespace: 'prod', name: 'gw' }, { namespace: 'a'.repeat(63), name: `${'b'.repeat(63)}.c` }]) {
        expect(parseSpiffeId(spiffeId(instance, gateway))).toEqual({ instance, gateway });
      }
    }
  });

  it('refuse identities that are not exactly an Engine of an instance', () => {
    const bad = [
      'spiffe://default.microgateway.dev/ns/prod/gateway/gw/extra',
      'spiffe://default.microgateway.dev/ns/prod/renderer/gw',
      'spiffe://default.example.dev/ns/prod/gateway/gw',
      'spiffe://microgateway.dev/ns/prod/gateway/gw',
      'spiffe://Default.microgateway.dev/ns/prod/gateway/gw',
      'spiffe://default.microgateway.dev/ns/Prod/gateway/gw',
      'spiffe://default.microgateway.dev/ns/prod/gateway/..',
      'spiffe://default.microgateway.dev/ns/prod/gateway/gw%2F',
      'https://default.microgateway.dev/ns/prod/gateway/gw',
      ' spiffe://default.microgateway.dev/ns/prod/gateway/gw',
    ];
    for (const uri of bad) expect(() => parseSpiffeId(uri), uri).toThrow();
  });

  it('refuse to build an identity for invalid names', () => {
    expect(() => spiffeId('Default', { namespace: 'prod', name: 'gw' })).toThrow();
    expect(() => spiffeId('default', { namespace: 'prod', name: 'a/b' })).toThrow(/Gateway name/);
  });
});
