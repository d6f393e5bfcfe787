import { describe, expect, it } from 'vitest';
import { BUILTIN_KINDS, apiVersionOf, collectionPath, microgatewayKinds } from './kinds.js';

describe('watched kinds', () => {
  it('build API paths and apiVersions for core and named groups', () => {
    const byName = new Map(BUILTIN_KINDS.map((k) => [k.kind, k]));
    expect(collectionPath(byName.get('Secret')!)).toBe('/api/v1/secrets');
    expect(collectionPath(byName.get('HTTPRoute')!)).toBe('/apis/gateway.networking.k8s.io/v1/httproutes');
    expect(apiVersionOf(byName.get('EndpointSlice')!)).toBe('discovery.k8s.io/v1');
    expect(byName.get('Secret')!.bucket).toBe('secrets');
    expect(BUILTIN_KINDS.filter((k) => k.bucket === 'secrets').map((k) => k.kind)).toEqual(['Secret']);
  });

  it('pick listable, watchable top-level microgateway.dev resources from discovery', () => {
    const kinds = microgatewayKinds('v1alpha1', [
      { name: 'denyrules', kind: 'DenyRules', namespaced: true, verbs: ['get', 'list', 'watch'] },
      { name: 'denyrules/status', kind: 'DenyRules', namespaced: true, verbs: ['get', 'patch'] },
      { name: 'gatewayparameters', kind: 'GatewayParameters', namespaced: true, verbs: ['get', 'list', 'watch'] },
      { name: 'opaque', kind: 'Opaque', namespaced: false, verbs: ['get'] },
    ]);
    expect(kinds.map((k) => [k.kind, k.plural, apiVersionOf(k)])).toEqual([
      ['DenyRules', 'denyrules', 'microgateway.dev/v1alpha1'],
      ['GatewayParameters', 'gatewayparameters', 'microgateway.dev/v1alpha1'],
    ]);
  });
});
