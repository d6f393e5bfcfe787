import { controllerName, rendererStatusReporter, statusKey } from '@microgateway/contracts';
import * as b from '@microgateway/contracts/testing';
import { describe, expect, it } from 'vitest';
import { resourcesFromObjects, translateGateway } from '../translate/index.js';
import { renderOutput } from './output.js';

const gw = { namespace: 'default', name: 'gw' };
const options = { controllerName: controllerName('default') };
const inputs = { resources: 9, secrets: 0 };

function render(objects: unknown[]): ReturnType<typeof renderOutput> {
  const { resources } = resourcesFromObjects(objects);
  const gateway = resources.gateways[0];
  return renderOutput(gw, gateway && translateGateway(resources, gateway, options), resources, inputs);
}

const base = (): unknown[] => [b.gatewayClass(), b.gateway(), b.service(), b.endpointSlice(), b.httpRoute()];

describe('renderOutput', () => {
  it('gives every Envoy resource its key and digest, and equal inputs equal digests', () => {
    const one = render(base());
    const two = render(base());
    expect(one.published?.xds?.entries.map((e) => e.key)).toEqual(['default.gw.listener.port-80', 'default.gw.route.port-80', 'default.gw.cluster.default=2Fecho=2F8080', 'default.gw.endpoint.default=2Fecho=2F8080']);
    expect(one.published?.xds?.digest).toBe(two.published?.xds?.digest);
    expect(one.published?.statusDigest).toBe(two.published?.statusDigest);
    expect(one.published?.xds?.version).toMatch(/^[0-9a-f]{16}$/);
  });

  it('changes only the digests of what a route change touches', () => {
    const before = render(base());
    const after = render([...base().slice(0, 4), b.httpRoute({ spec: { rules: [b.httpRouteRule({ matches: [{ path: { type: 'Exact', value: '/x' } }] })] } })]);
    const digests = (o: typeof before): Record<string, string> => Object.fromEntries((o.published?.xds?.entries ?? []).map((e) => [e.type, e.digest]));
    expect(digests(after)['route']).not.toBe(digests(before)['route']);
    expect(digests(after)['cluster']).toBe(digests(before)['cluster']);
    expect(digests(after)['listener']).toBe(digests(before)['listener']);
  });

  it('keeps status but publishes no xds or infra for a Gateway that is not accepted', () => {
    const params = { group: 'microgateway.dev', kind: 'GatewayParameters', name: 'missing' };
    const output = render([b.gatewayClass(), b.gateway({ spec: { infrastructure: { parametersRef: params } } }), b.httpRoute()]);
    expect(output.published?.xds).toBeUndefined();
    expect(output.published?.infra).toBeUndefined();
    expect([...(output.published?.status.keys() ?? [])]).toContain(statusKey({ kind: 'Gateway', namespace: 'default', name: 'gw' }, rendererStatusReporter(gw)));
  });

  it('publishes nothing for a Gateway that is gone or another controller’s (its keys go)', () => {
    expect(render([b.gatewayClass()]).published).toBeUndefined();
    expect(render([b.gatewayClass({ controllerName: 'example.com/other' }), b.gateway()]).published).toBeUndefined();
  });

  it('lists the objects the configuration came from with their resourceVersions', () => {
    const sources = render(base()).published?.sources ?? [];
    expect(sources.map((s) => `${s.kind}/${s.name}@${s.resourceVersion}`)).toEqual(['GatewayClass/microgateway@1', 'Gateway/gw@1', 'HTTPRoute/route@1', 'Service/echo@1']);
  });
});
