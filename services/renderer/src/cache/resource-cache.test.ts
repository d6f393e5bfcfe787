import { resourceKey } from '@microgateway/contracts';
import * as b from '@microgateway/contracts/testing';
import { describe, expect, it } from 'vitest';
import type { CacheEntry } from './resource-cache.js';
import { ResourceCache } from './resource-cache.js';

const encode = (value: unknown): Uint8Array => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

function put(key: string, value: unknown, revision: number, bucket: CacheEntry['bucket'] = 'resources'): CacheEntry {
  return { bucket, key, revision, operation: 'PUT', value: encode(value) };
}

const routeKey = resourceKey({ kind: 'HTTPRoute', namespace: 'default', name: 'route' });

describe('ResourceCache', () => {
  it('parses values with their contracts and hands them to the translation', () => {
    const cache = new ResourceCache();
    const result = cache.apply(put(routeKey, b.httpRoute(), 3));
    expect(result).toMatchObject({ kind: 'changed', change: { ref: { kind: 'HTTPRoute', namespace: 'default', name: 'route' }, before: undefined } });
    cache.apply(put(resourceKey({ kind: 'GatewayClass', name: 'microgateway' }), b.gatewayClass(), 4));
    expect(cache.resources().httpRoutes).toHaveLength(1);
    expect(cache.resources().gatewayClasses).toHaveLength(1);
    expect(cache.revisions).toEqual({ resources: 4, secrets: 0 });
  });

  it('reports a malformed value and keeps the last good object', () => {
    const cache = new ResourceCache();
    cache.apply(put(routeKey, b.httpRoute(), 1));
    expect(cache.apply(put(routeKey, '{not json', 2))).toMatchObject({ kind: 'invalid', problem: expect.stringContaining('not JSON') });
    expect(cache.apply(put(routeKey, { ...b.httpRoute(), spec: { parentRefs: 'x' } }, 3))).toMatchObject({ kind: 'invalid' });
    expect(cache.resources().httpRoutes[0]?.metadata.name).toBe('route');
    expect(cache.revisions.resources).toBe(3);
  });

  it('refuses an object stored under another key, and non-Secrets in the secrets bucket', () => {
    const cache = new ResourceCache();
    expect(cache.apply(put(resourceKey({ kind: 'HTTPRoute', namespace: 'default', name: 'other' }), b.httpRoute(), 1))).toMatchObject({
      kind: 'invalid',
      problem: expect.stringContaining('not what its key names'),
    });
    expect(cache.apply(put(routeKey, b.httpRoute(), 1, 'secrets'))).toMatchObject({ kind: 'invalid' });
    expect(cache.apply(put('not-a-key', {}, 2))).toMatchObject({ kind: 'invalid' });
    expect(cache.size).toBe(0);
  });

  it('ignores kinds no translation reads, and deletes of unknown keys', () => {
    const cache = new ResourceCache();
    const key = resourceKey({ kind: 'DenyRules', namespace: 'default', name: 'x' });
    expect(cache.apply(put(key, { apiVersion: 'microgateway.dev/v1alpha1', kind: 'DenyRules', metadata: { name: 'x', namespace: 'default' } }, 1)).kind).toBe('ignored');
    expect(cache.apply({ bucket: 'resources', key: routeKey, revision: 2, operation: 'DEL', value: new Uint8Array() }).kind).toBe('ignored');
  });

  it('reports the object before and after, and forgets deleted ones', () => {
    const cache = new ResourceCache();
    cache.apply(put(routeKey, b.httpRoute(), 1));
    const changed = cache.apply(put(routeKey, b.httpRoute({ spec: { parentRefs: [{ name: 'other' }] } }), 2));
    expect(changed).toMatchObject({ kind: 'changed', change: { before: { spec: { parentRefs: [{ name: 'gw' }] } }, after: { spec: { parentRefs: [{ name: 'other' }] } } } });
    const deleted = cache.apply({ bucket: 'resources', key: routeKey, revision: 3, operation: 'DEL', value: new Uint8Array() });
    expect(deleted).toMatchObject({ kind: 'changed', change: { before: { metadata: { name: 'route' } } } });
    expect(deleted.kind === 'changed' ? deleted.change.after : 'not changed').toBeUndefined();
    expect(cache.resources().httpRoutes).toEqual([]);
  });

  it('finds a Gateway and keeps Secrets from their own bucket', () => {
    const cache = new ResourceCache();
    cache.apply(put(resourceKey({ kind: 'Gateway', namespace: 'default', name: 'gw' }), b.gateway(), 1));
    cache.apply(put(resourceKey({ kind: 'Secret', namespace: 'default', name: 'tls-cert' }), b.tlsSecret(), 7, 'secrets'));
    expect(cache.gateway('default', 'gw')?.metadata.name).toBe('gw');
    expect(cache.gateway('default', 'nope')).toBeUndefined();
    expect(cache.resources().secrets).toHaveLength(1);
    expect(cache.revisions).toEqual({ resources: 1, secrets: 7 });
  });
});
