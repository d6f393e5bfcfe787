import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { CLUSTER_SCOPED_KINDS, isResourceKind, parseResource, resourceSchemas } from './kinds.js';
import { gatewaySchema } from './gateway.js';
import { httpRouteSchema } from './httproute.js';
import { referenceGrantSchema } from './reference-grant.js';
import { endpointSliceSchema } from './core.js';

const gatewayYaml = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: edge, namespace: prod, generation: 2 }
spec:
  gatewayClassName: microgateway
  listeners:
    - name: https
      hostname: "*.example.com"
      port: 443
      protocol: HTTPS
      tls:
        mode: Terminate
        certificateRefs: [{ kind: Secret, name: wildcard, namespace: certs }]
      allowedRoutes:
        namespaces:
          from: Selector
          selector: { matchLabels: { team: edge } }
        kinds: [{ kind: HTTPRoute }]
      futureListenerField: kept
`;

const routeYaml = `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: api.v1, namespace: prod }
spec:
  parentRefs: [{ name: edge, sectionName: https }]
  hostnames: [api.example.com]
  rules:
    - matches:
        - path: { type: PathPrefix, value: /v1 }
          headers: [{ name: x-env, value: canary }]
          queryParams: [{ type: RegularExpression, name: debug, value: "^1$" }]
          method: GET
      filters:
        - type: RequestHeaderModifier
          requestHeaderModifier: { set: [{ name: x-a, value: b }], remove: [x-c] }
        - type: ResponseHeaderModifier
          responseHeaderModifier: { add: [{ name: x-d, value: e }] }
        - type: URLRewrite
          urlRewrite: { path: { type: ReplacePrefixMatch, replacePrefixMatch: / } }
        - type: RequestMirror
          requestMirror: { backendRef: { name: shadow, port: 80 }, percent: 10 }
        - type: CORS
          cors: { allowOrigins: ["https://a.example"] }
      backendRefs:
        - { name: api, port: 8080, weight: 90 }
        - { name: api-canary, namespace: canary, port: 8080, weight: 10 }
      timeouts: { request: 10s, backendRequest: 2s }
    - filters:
        - type: RequestRedirect
          requestRedirect: { scheme: https, statusCode: 301 }
`;

describe('Gateway API schemas', () => {
  it('parse a Gateway with every listener field the renderer uses and keep unknown fields', () => {
    const gw = gatewaySchema.parse(parseYaml(gatewayYaml));
    const listener = gw.spec.listeners[0];
    expect(listener?.tls?.certificateRefs?.[0]).toEqual({ kind: 'Secret', name: 'wildcard', namespace: 'certs' });
    expect(listener?.allowedRoutes?.namespaces?.selector?.matchLabels).toEqual({ team: 'edge' });
    expect(listener).toHaveProperty('futureListenerField', 'kept');
  });

  it('parse an HTTPRoute with matches, filters (known and unknown types), weighted backends and timeouts', () => {
    const route = httpRouteSchema.parse(parseYaml(routeYaml));
    const [rule, redirect] = route.spec.rules ?? [];
    expect(rule?.matches?.[0]?.method).toBe('GET');
    expect(rule?.filters?.map((f) => f.type)).toEqual(['RequestHeaderModifier', 'ResponseHeaderModifier', 'URLRewrite', 'RequestMirror', 'CORS']);
    expect(rule?.filters?.[4]).toHaveProperty('cors');
    expect(rule?.backendRefs?.[1]).toEqual({ name: 'api-canary', namespace: 'canary', port: 8080, weight: 10 });
    expect(rule?.timeouts).toEqual({ request: '10s', backendRequest: '2s' });
    expect(redirect?.filters?.[0]?.requestRedirect?.statusCode).toBe(301);
  });

  it('reject objects missing what the API server guarantees', () => {
    const gw = parseYaml(gatewayYaml) as { spec: Record<string, unknown>; metadata: Record<string, unknown> };
    expect(gatewaySchema.safeParse({ ...gw, spec: { ...gw.spec, listeners: [] } }).success).toBe(false);
    expect(gatewaySchema.safeParse({ ...gw, metadata: { name: 'edge' } }).success).toBe(false);
    expect(gatewaySchema.safeParse({ ...gw, apiVersion: 'gateway.networking.k8s.io/v1alpha2' }).success).toBe(false);
    const route = parseYaml(routeYaml) as object;
    expect(httpRouteSchema.safeParse({ ...route, kind: 'GRPCRoute' }).success).toBe(false);
  });

  it('accept ReferenceGrant as v1beta1 and v1', () => {
    const grant = {
      kind: 'ReferenceGrant',
      metadata: { name: 'g', namespace: 'backends' },
      spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'prod' }], to: [{ group: '', kind: 'Service' }] },
    };
    for (const apiVersion of ['gateway.networking.k8s.io/v1beta1', 'gateway.networking.k8s.io/v1']) {
      expect(referenceGrantSchema.safeParse({ ...grant, apiVersion }).success).toBe(true);
    }
  });

  it('accept an EndpointSlice without endpoints (a Service with no ready Pods)', () => {
    const slice = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 's', namespace: 'n' }, addressType: 'IPv4' };
    expect(endpointSliceSchema.safeParse(slice).success).toBe(true);
  });

  it('select the schema by kind', () => {
    expect(parseResource('Gateway', parseYaml(gatewayYaml)).metadata.name).toBe('edge');
    expect(() => parseResource('HTTPRoute', parseYaml(gatewayYaml))).toThrow();
    expect(isResourceKind('HTTPRoute')).toBe(true);
    expect(isResourceKind('toString')).toBe(false);
    expect([...CLUSTER_SCOPED_KINDS].every((kind) => kind in resourceSchemas)).toBe(true);
  });
});
