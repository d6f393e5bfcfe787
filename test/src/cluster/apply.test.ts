import { describe, expect, it } from 'vitest';
import { objectPath } from './apply.js';

describe('objectPath', () => {
  it('puts namespaced objects under their namespace and cluster objects at the top', () => {
    expect(objectPath({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'ns' } })).toBe('/apis/apps/v1/namespaces/ns/deployments/web');
    expect(objectPath({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } })).toBe('/api/v1/namespaces/ns');
    expect(objectPath({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' } })).toBe('/api/v1/namespaces/default/services/svc');
  });

  it('refuses a kind it has no plural for', () => {
    expect(() => objectPath({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })).toThrow(/Widget/);
  });
});
