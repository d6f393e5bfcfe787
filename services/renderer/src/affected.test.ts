import type { GatewayRef, ResourceRef } from '@microgateway/contracts';
import * as b from '@microgateway/contracts/testing';
import { describe, expect, it } from 'vitest';
import type { AffectedWorld, ObjectChange } from './affected.js';
import { affectedGateways } from './affected.js';

const gw = (name: string, namespace = 'default'): GatewayRef => ({ namespace, name });

function world(overrides: Partial<AffectedWorld> = {}): AffectedWorld {
  return {
    gatewayClasses: [b.gatewayClass(), b.gatewayClass({ name: 'other' })],
    gateways: [
      b.gateway({ name: 'a' }),
      b.gateway({ name: 'b', spec: { gatewayClassName: 'other', listeners: [b.httpsListener('cert')] } }),
      b.gateway({ name: 'c', namespace: 'edge', spec: { listeners: [b.httpsListener('cert', { tls: { mode: 'Terminate', certificateRefs: [{ name: 'shared', namespace: 'certs' }] } })] } }),
    ],
    httpRoutes: [
      b.httpRoute({ name: 'r1', spec: { parentRefs: [{ name: 'a' }] } }),
      b.httpRoute({ name: 'r2', spec: { parentRefs: [{ name: 'b' }], rules: [b.httpRouteRule({ backendRefs: [b.backendRef({ name: 'api', namespace: 'backends' })] })] } }),
    ],
    ...overrides,
  };
}

function change(ref: ResourceRef, before?: unknown, after?: unknown): ObjectChange {
  return { ref, before, after };
}

describe('affectedGateways', () => {
  it('a Gateway affects itself, also when it was deleted', () => {
    expect(affectedGateways(change({ kind: 'Gateway', namespace: 'x', name: 'gone' }, b.gateway({ name: 'gone', namespace: 'x' })), world())).toEqual([gw('gone', 'x')]);
  });

  it("a route affects its old and its new parents (the old one must drop the route's config)", () => {
    const before = b.httpRoute({ name: 'r', spec: { parentRefs: [{ name: 'a' }] } });
    const after = b.httpRoute({ name: 'r', spec: { parentRefs: [{ name: 'c', namespace: 'edge' }, { name: 'mesh', kind: 'Service', group: '' }] } });
    expect(affectedGateways(change({ kind: 'HTTPRoute', namespace: 'default', name: 'r' }, before, after), world())).toEqual([gw('a'), gw('c', 'edge')]);
    expect(affectedGateways(change({ kind: 'HTTPRoute', namespace: 'default', name: 'r' }, before, undefined), world())).toEqual([gw('a')]);
  });

  it('a GatewayClass affects the Gateways of that class only', () => {
    expect(affectedGateways(change({ kind: 'GatewayClass', name: 'other' }, undefined, b.gatewayClass({ name: 'other' })), world())).toEqual([gw('b')]);
  });

  it('a Service or its EndpointSlices affect the parents of routes sending or mirroring to it', () => {
    const mirror = b.httpRoute({
      name: 'm',
      spec: { parentRefs: [{ name: 'c', namespace: 'edge' }], rules: [b.httpRouteRule({ filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'api', namespace: 'backends' } } }] })] },
    });
    const w = world({ httpRoutes: [...world().httpRoutes, mirror] });
    expect(affectedGateways(change({ kind: 'Service', namespace: 'backends', name: 'api' }, undefined, {}), w)).toEqual([gw('b'), gw('c', 'edge')]);
    const slice = b.endpointSlice({ namespace: 'backends', serviceName: 'api' });
    expect(affectedGateways(change({ kind: 'EndpointSlice', namespace: 'backends', name: slice.metadata.name }, slice, undefined), w)).toEqual([gw('b'), gw('c', 'edge')]);
    expect(affectedGateways(change({ kind: 'Service', namespace: 'default', name: 'unused' }, undefined, {}), w)).toEqual([]);
  });

  it('a Secret affects the Gateways whose listeners reference it, in their namespace or across', () => {
    expect(affectedGateways(change({ kind: 'Secret', namespace: 'default', name: 'cert' }, undefined, {}), world())).toEqual([gw('b')]);
    expect(affectedGateways(change({ kind: 'Secret', namespace: 'certs', name: 'shared' }, undefined, {}), world())).toEqual([gw('c', 'edge')]);
  });

  it('a ReferenceGrant affects Gateways with references into its namespace from elsewhere', () => {
    expect(affectedGateways(change({ kind: 'ReferenceGrant', namespace: 'backends', name: 'g' }, undefined, {}), world())).toEqual([gw('b')]);
    expect(affectedGateways(change({ kind: 'ReferenceGrant', namespace: 'certs', name: 'g' }, {}, undefined), world())).toEqual([gw('c', 'edge')]);
    expect(affectedGateways(change({ kind: 'ReferenceGrant', namespace: 'nobody', name: 'g' }, {}, undefined), world())).toEqual([]);
  });

  it("a Namespace affects Gateways selecting namespaces by label and the parents of the namespace's routes", () => {
    const selecting = b.gateway({ name: 's', spec: { listeners: [b.listener({ allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { a: 'b' } } } } })] } });
    const w = world({ gateways: [...world().gateways, selecting] });
    expect(affectedGateways(change({ kind: 'Namespace', name: 'default' }, undefined, b.namespace()), w)).toEqual([gw('a'), gw('b'), gw('s')]);
    expect(affectedGateways(change({ kind: 'Namespace', name: 'quiet' }, undefined, {}), w)).toEqual([gw('s')]);
  });

  it('GatewayParameters affect Gateways referencing them directly or through their class', () => {
    const params = { group: 'microgateway.dev', kind: 'GatewayParameters', name: 'p' };
    const w = world({
      gatewayClasses: [b.gatewayClass(), { ...b.gatewayClass({ name: 'other' }), spec: { controllerName: 'x/y', parametersRef: { ...params, namespace: 'ops' } } }],
      gateways: [...world().gateways, b.gateway({ name: 'd', spec: { infrastructure: { parametersRef: params } } })],
    });
    expect(affectedGateways(change({ kind: 'GatewayParameters', namespace: 'ops', name: 'p' }, undefined, {}), w)).toEqual([gw('b')]);
    expect(affectedGateways(change({ kind: 'GatewayParameters', namespace: 'default', name: 'p' }, undefined, {}), w)).toEqual([gw('d')]);
  });

  it('kinds no translation reads affect nothing', () => {
    expect(affectedGateways(change({ kind: 'ConfigMap', namespace: 'default', name: 'x' }, undefined, {}), world())).toEqual([]);
  });
});
