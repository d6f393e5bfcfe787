import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { controllerName, DEFAULT_INSTANCE, resourceKey } from '@microgateway/contracts';
import type { Gateway } from '@microgateway/contracts';
import * as b from '@microgateway/contracts/testing';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ResourceCache } from '../cache/resource-cache.js';
import type { RenderOutput } from '../publish/output.js';
import { renderOutput } from '../publish/output.js';
import type { Resources } from '../translate/index.js';
import { resourcesFromObjects, translateGateway } from '../translate/index.js';
import { GatewayRenderState } from './gateway-render-state.js';

const options = { controllerName: controllerName(DEFAULT_INSTANCE) };
const inputs = { resources: 1, secrets: 0 };

/** Everything published, in an order that does not depend on how it was computed. */
function normalized(output: RenderOutput): unknown {
  const { published } = output;
  if (published === undefined) return { gateway: output.gateway };
  return {
    xds: published.xds && {
      digest: published.xds.digest,
      version: published.xds.version,
      // The text of every entry (an incremental one may carry its bytes too: the same text, checked below).
      entries: [...published.xds.entries]
        .map(({ bytes, ...entry }) => {
          if (bytes !== undefined) expect(Buffer.from(bytes).toString('utf8')).toBe(entry.json);
          return entry;
        })
        .sort((x, y) => (x.key < y.key ? -1 : 1)),
    },
    infra: published.infra,
    status: [...published.status].sort(([x], [y]) => (x < y ? -1 : 1)),
    statusDigest: published.statusDigest,
    sources: published.sources,
  };
}

function full(resources: Resources, ref: { namespace: string; name: string }): RenderOutput {
  const gateway = resources.gateways.find((g) => g.metadata.namespace === ref.namespace && g.metadata.name === ref.name);
  return renderOutput(ref, gateway && translateGateway(resources, gateway, options), resources, inputs);
}

function expectSame(state: GatewayRenderState, resources: Resources, ref: { namespace: string; name: string }): RenderOutput {
  const gateway = resources.gateways.find((g) => g.metadata.namespace === ref.namespace && g.metadata.name === ref.name);
  const incremental = state.render(resources, gateway, inputs);
  expect(normalized(incremental)).toEqual(normalized(full(resources, ref)));
  return incremental;
}

/** The renderer's own cache, fed like the KV watch feeds it: an unchanged object keeps its identity. */
class World {
  readonly cache = new ResourceCache();
  private revision = 0;

  put(...objects: { kind: string; metadata: { name: string; namespace?: string } }[]): this {
    for (const object of objects) {
      const key = resourceKey({ kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name });
      this.cache.apply({ bucket: 'resources', key, revision: ++this.revision, operation: 'PUT', value: new TextEncoder().encode(JSON.stringify(object)) });
    }
    return this;
  }

  delete(kind: string, namespace: string | undefined, name: string): this {
    this.cache.apply({ bucket: 'resources', key: resourceKey({ kind, namespace, name }), revision: ++this.revision, operation: 'DEL', value: new Uint8Array() });
    return this;
  }
}

const gw = { namespace: 'default', name: 'gw' };

function route(i: number, options: { path?: string; service?: string; serviceNamespace?: string; hostname?: string } = {}): ReturnType<typeof b.httpRoute> {
  const backend = b.backendRef({ name: options.service ?? `svc-${i % 3}`, ...(options.serviceNamespace === undefined ? {} : { namespace: options.serviceNamespace }) });
  return b.httpRoute({
    name: `r-${i}`,
    spec: {
      hostnames: [options.hostname ?? `h${i % 4}.example.com`],
      rules: [
        b.httpRouteRule({ matches: [{ path: { type: 'PathPrefix', value: options.path ?? `/p${i % 5}` } }], backendRefs: [backend, b.backendRef({ name: 'svc-0', weight: 2 })] }),
        b.httpRouteRule({ matches: [{ path: { type: 'Exact', value: `/exact/${i}` } }, { method: 'POST' }] }),
      ],
    },
  });
}

describe('GatewayRenderState', () => {
  it('renders exactly what a full render gives, through a sequence of changes', () => {
    const world = new World().put(
      b.gatewayClass(),
      b.gateway({ spec: { listeners: [b.listener(), b.listener({ name: 'h1', hostname: 'h1.example.com' }), b.listener({ name: 'other', port: 8080 })] } }),
      b.namespace(),
      b.namespace({ name: 'backends' }),
      b.service(),
      b.endpointSlice(),
    );
    for (let s = 0; s < 3; s++) world.put(b.service({ name: `svc-${s}` }), b.endpointSlice({ serviceName: `svc-${s}`, addresses: [`10.0.0.${s + 1}`] }));
    world.put(b.service({ name: 'far', namespace: 'backends' }), b.endpointSlice({ serviceName: 'far', namespace: 'backends' }));
    for (let i = 0; i < 40; i++) world.put(route(i));
    world.put(route(40, { service: 'far', serviceNamespace: 'backends' }), route(41, { service: 'far', serviceNamespace: 'backends', hostname: 'h1.example.com' }));
    const state = new GatewayRenderState(gw, options);
    const snapshot = (): Resources => world.cache.resources();

    const first = expectSame(state, snapshot(), gw);
    expect(state.routes).toBe(42);
    expect(first.published?.xds?.entries.filter((e) => e.type === 'route')).toHaveLength(2);

    const steps: [string, () => void][] = [
      ['nothing changed', () => {}],
      ['a route path changes', () => world.put(route(7, { path: '/changed' }))],
      ['a route moves to another hostname', () => world.put(route(8, { hostname: 'h1.example.com' }))],
      ['a route is added', () => world.put(route(42))],
      ['a route is deleted', () => world.delete('HTTPRoute', 'default', 'r-3')],
      ['a route leaves the Gateway', () => world.put(b.httpRoute({ name: 'r-5', spec: { parentRefs: [{ name: 'elsewhere' }] } }))],
      ['a route comes back', () => world.put(route(5))],
      ['a Service loses its port', () => world.put(b.service({ name: 'svc-1', ports: [9999] }))],
      ['a Service gets it back', () => world.put(b.service({ name: 'svc-1' }))],
      ['an EndpointSlice changes', () => world.put(b.endpointSlice({ serviceName: 'svc-2', addresses: ['10.9.9.9', '10.9.9.8'] }))],
      ['a Service is deleted', () => world.delete('Service', 'default', 'svc-2')],
      ['a ReferenceGrant allows the cross-namespace backend', () => world.put(b.referenceGrant())],
      ['the ReferenceGrant changes', () => world.put(b.referenceGrant({ spec: { to: [{ group: '', kind: 'Service', name: 'nothing' }] } }))],
      ['the ReferenceGrant is deleted', () => world.delete('ReferenceGrant', 'backends', 'allow-routes')],
      ['a ReferenceGrant again', () => world.put(b.referenceGrant({ name: 'again' }))],
      ['every route but one is deleted', () => { for (let i = 0; i < 42; i++) if (i !== 9) world.delete('HTTPRoute', 'default', `r-${i}`); }],
      ['many routes come back', () => { for (let i = 0; i < 42; i++) world.put(route(i)); }],
      ['the Gateway changes (a new listener)', () => world.put(b.gateway({ spec: { listeners: [b.listener(), b.listener({ name: 'h2', hostname: 'h2.example.com' })] } }))],
      ['a route changes after that', () => world.put(route(11, { path: '/again' }))],
      ['the GatewayClass changes', () => world.put(b.gatewayClass({ generation: 2 }))],
      ['the Gateway is deleted', () => world.delete('Gateway', 'default', 'gw')],
      ['the Gateway is back', () => world.put(b.gateway())],
    ];
    for (const [, change] of steps) {
      change();
      expectSame(state, snapshot(), gw);
    }
  });

  it('re-translates only the route that changed', () => {
    const world = new World().put(b.gatewayClass(), b.gateway(), b.service({ name: 'svc-0' }), b.service({ name: 'svc-1' }), b.service({ name: 'svc-2' }));
    for (let i = 0; i < 20; i++) world.put(route(i));
    const state = new GatewayRenderState(gw, options);
    const before = expectSame(state, world.cache.resources(), gw);
    const statusBefore = new Map(before.published?.status);
    world.put(route(4, { path: '/new' }));
    const after = expectSame(state, world.cache.resources(), gw);
    const changed = (after.published?.xds?.entries ?? []).filter((e) => before.published?.xds?.entries.find((x) => x.key === e.key)?.digest !== e.digest);
    expect(changed.map((e) => e.type)).toEqual(['route']);
    // Status facts of the other routes are the very same serialized values (not re-serialized);
    // the class, the Gateway and the changed route are serialized again.
    const unchanged = [...(after.published?.status ?? [])].filter(([key, value]) => statusBefore.get(key) === value);
    expect(unchanged.length).toBe((after.published?.status.size ?? 0) - 3);
  });

  it('follows Namespace labels that decide which routes a Selector listener admits', () => {
    const selector = b.listener({ allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { env: 'prod' } } } } });
    const world = new World().put(b.gatewayClass(), b.gateway({ spec: { listeners: [selector] } }), b.namespace({ name: 'team', labels: { env: 'prod' } }));
    world.put(b.service({ name: 'svc-0', namespace: 'team' }), b.httpRoute({ name: 'r', namespace: 'team', spec: { parentRefs: [{ name: 'gw', namespace: 'default' }], rules: [b.httpRouteRule({ backendRefs: [b.backendRef({ name: 'svc-0' })] })] } }));
    const state = new GatewayRenderState(gw, options);
    const admitted = expectSame(state, world.cache.resources(), gw);
    world.put(b.namespace({ name: 'team', labels: { env: 'test' } }));
    const refused = expectSame(state, world.cache.resources(), gw);
    expect(refused.published?.xds?.digest).not.toBe(admitted.published?.xds?.digest);
    world.put(b.namespace({ name: 'team', labels: { env: 'prod' } }));
    expect(expectSame(state, world.cache.resources(), gw).published?.xds?.digest).toBe(admitted.published?.xds?.digest);
  });

  it('forgets a Gateway that is not accepted and renders it fully', () => {
    const params = { group: 'microgateway.dev', kind: 'GatewayParameters', name: 'missing' };
    const world = new World().put(b.gatewayClass(), b.gateway(), b.service({ name: 'svc-0' }), route(0));
    const state = new GatewayRenderState(gw, options);
    expectSame(state, world.cache.resources(), gw);
    world.put(b.gateway({ spec: { infrastructure: { parametersRef: params } } }));
    expectSame(state, world.cache.resources(), gw);
    expect(state.routes).toBe(0);
    world.put(b.gateway());
    expectSame(state, world.cache.resources(), gw);
  });
});

describe('GatewayRenderState on every golden case', () => {
  const dir = fileURLToPath(new URL('../translate/testdata/', import.meta.url));
  const base = readFileSync(`${dir}base/base.yaml`, 'utf8');
  const cases = readdirSync(dir).filter((f) => f.endsWith('.in.yaml'));

  it.each(cases)('%s', (file) => {
    const docs = parseAllDocuments(`${base}\n---\n${readFileSync(`${dir}${file}`, 'utf8')}`).map((d) => d.toJS() as unknown);
    const { resources } = resourcesFromObjects(docs);
    for (const gateway of resources.gateways as Gateway[]) {
      const ref = { namespace: gateway.metadata.namespace, name: gateway.metadata.name };
      const state = new GatewayRenderState(ref, options);
      // From nothing, again with everything kept, then the routes arriving in two halves (inserts into kept lists).
      expectSame(state, resources, ref);
      expectSame(state, resources, ref);
      const state2 = new GatewayRenderState(ref, options);
      const half = { ...resources, httpRoutes: resources.httpRoutes.filter((_, i) => i % 2 === 0) };
      expectSame(state2, half, ref);
      expectSame(state2, { ...resources, httpRoutes: [...half.httpRoutes, ...resources.httpRoutes.filter((_, i) => i % 2 === 1)] }, ref);
      expectSame(state2, resources, ref);
    }
  });
});
