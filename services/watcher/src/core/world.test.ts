import { describe, expect, it } from 'vitest';
import { ObjectCache } from './cache.js';
import type { WatchedKind } from './kinds.js';
import { BUILTIN_KINDS } from './kinds.js';
import { selectWorld } from './world.js';

const kind = (name: string): WatchedKind => {
  const found = BUILTIN_KINDS.find((k) => k.kind === name);
  if (!found) throw new Error(name);
  return found;
};
const policyKind: WatchedKind = { kind: 'DenyRules', group: 'microgateway.dev', version: 'v1alpha1', plural: 'denyrules', namespaced: true, bucket: 'resources' };

function meta(name: string, namespace?: string, labels?: Record<string, string>): Record<string, unknown> {
  return { name, ...(namespace ? { namespace } : {}), ...(labels ? { labels } : {}), resourceVersion: '1' };
}

function cluster(): ObjectCache {
  const cache = new ObjectCache();
  const put = (k: WatchedKind, object: Record<string, unknown>): void => void cache.upsert(k, object, 0);
  put(kind('GatewayClass'), { metadata: meta('ours'), spec: { controllerName: 'microgateway.dev/default' } });
  put(kind('GatewayClass'), { metadata: meta('theirs'), spec: { controllerName: 'microgateway.dev/other' } });
  put(kind('Gateway'), {
    metadata: meta('web', 'edge'),
    spec: {
      gatewayClassName: 'ours',
      listeners: [
        { name: 'https', port: 443, protocol: 'HTTPS', tls: { certificateRefs: [{ name: 'web-cert' }, { name: 'shared-cert', namespace: 'certs' }, { name: 'stolen', namespace: 'vault' }] } },
      ],
    },
  });
  put(kind('Gateway'), { metadata: meta('other', 'edge'), spec: { gatewayClassName: 'theirs', listeners: [{ name: 'h', port: 80, protocol: 'HTTP', tls: { certificateRefs: [{ name: 'other-cert' }] } }] } });
  put(kind('HTTPRoute'), {
    metadata: meta('api', 'apps'),
    spec: {
      parentRefs: [{ name: 'web', namespace: 'edge' }],
      rules: [
        {
          backendRefs: [{ name: 'api', port: 80 }, { name: 'ext', kind: 'ExternalThing', group: 'x.io' }],
          filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'shadow', namespace: 'mirror' } } }, { type: 'ExtensionRef', extensionRef: { group: 'microgateway.dev', kind: 'DenyRules', name: 'by-ref' } }],
        },
      ],
    },
  });
  put(kind('HTTPRoute'), { metadata: meta('theirs', 'apps'), spec: { parentRefs: [{ name: 'other', namespace: 'edge' }], rules: [{ backendRefs: [{ name: 'private' }] }] } });
  put(kind('HTTPRoute'), { metadata: meta('same-ns-default', 'edge'), spec: { parentRefs: [{ name: 'web' }] } });
  put(kind('HTTPRoute'), { metadata: meta('wrong-ns', 'apps'), spec: { parentRefs: [{ name: 'web' }] } });
  for (const [name, namespace] of [['api', 'apps'], ['shadow', 'mirror'], ['private', 'apps']] as const) {
    put(kind('Service'), { metadata: meta(name, namespace), spec: {} });
    put(kind('EndpointSlice'), { metadata: meta(`${name}-abc`, namespace, { 'kubernetes.io/service-name': name }), addressType: 'IPv4', endpoints: [] });
  }
  for (const [name, namespace] of [['web-cert', 'edge'], ['shared-cert', 'certs'], ['stolen', 'vault'], ['other-cert', 'edge'], ['unrelated', 'edge']] as const) {
    put(kind('Secret'), { metadata: meta(name, namespace), data: {} });
  }
  put(kind('ReferenceGrant'), {
    metadata: meta('allow-edge', 'certs'),
    spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'edge' }], to: [{ group: '', kind: 'Secret' }] },
  });
  put(kind('ReferenceGrant'), {
    metadata: meta('allow-nobody', 'vault'),
    spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'elsewhere' }], to: [{ group: '', kind: 'Secret' }] },
  });
  for (const name of ['edge', 'apps', 'mirror', 'certs', 'vault', 'kube-system']) put(kind('Namespace'), { metadata: meta(name) });
  put(policyKind, { metadata: meta('by-ref', 'apps'), spec: {} });
  put(policyKind, { metadata: meta('by-target', 'edge'), spec: { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'web' }] } });
  put(policyKind, { metadata: meta('by-label', 'x', { 'microgateway.dev/instance': 'default' }), spec: {} });
  put(policyKind, { metadata: meta('targets-theirs', 'edge'), spec: { targetRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'other' } } });
  put(policyKind, { metadata: meta('labelled-other', 'x', { 'microgateway.dev/instance': 'other' }), spec: {} });
  cache.setExtensionKinds(['DenyRules']);
  return cache;
}

describe('selectWorld', () => {
  it('selects exactly the objects of the instance and what they reference', () => {
    const world = [...selectWorld('default', cluster())].sort();
    expect(world).toEqual(
      [
        'GatewayClass._.ours',
        'Gateway.edge.web',
        'HTTPRoute.apps.api',
        'HTTPRoute.edge.same-ns-default',
        'Service.apps.api',
        'Service.mirror.shadow',
        'EndpointSlice.apps.api-abc',
        'EndpointSlice.mirror.shadow-abc',
        'Secret.edge.web-cert',
        'Secret.certs.shared-cert',
        'ReferenceGrant.certs.allow-edge',
        'Namespace._.edge',
        'Namespace._.apps',
        'DenyRules.apps.by-ref',
        'DenyRules.edge.by-target',
        'DenyRules.x.by-label',
      ].sort(),
    );
  });

  it('gives another instance only its own world', () => {
    const world = selectWorld('other', cluster());
    expect(world).toContain('Gateway.edge.other');
    expect(world).toContain('Service.apps.private');
    expect(world).toContain('DenyRules.edge.targets-theirs');
    expect(world).toContain('DenyRules.x.labelled-other');
    expect(world).not.toContain('Gateway.edge.web');
    expect(world).not.toContain('Secret.edge.web-cert');
    expect(world).not.toContain('HTTPRoute.apps.api');
  });

  it('follows a Gateway that moves to another class', () => {
    const cache = cluster();
    cache.upsert(kind('Gateway'), { metadata: meta('web', 'edge'), spec: { gatewayClassName: 'theirs', listeners: [] } }, 0);
    const world = selectWorld('default', cache);
    expect(world).toEqual(new Set(['GatewayClass._.ours', 'DenyRules.x.by-label']));
  });

  it('survives objects that break their contract (the world reads them defensively)', () => {
    const cache = cluster();
    cache.upsert(kind('HTTPRoute'), { metadata: meta('broken', 'apps'), spec: { parentRefs: 'web', rules: [null, { backendRefs: [7] }] } }, 0);
    cache.upsert(kind('HTTPRoute'), { metadata: meta('half', 'apps'), spec: { parentRefs: [{ name: 'web', namespace: 'edge', port: 'x' }] } }, 0);
    const world = selectWorld('default', cache);
    expect(world).not.toContain('HTTPRoute.apps.broken');
    expect(world).toContain('HTTPRoute.apps.half');
  });
});
