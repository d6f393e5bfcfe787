import { describe, expect, it } from 'vitest';
import { controllerName } from '../instance.js';
import {
  DEFAULTS,
  endpointSlice,
  gateway,
  gatewayClass,
  httpRoute,
  httpRouteRule,
  httpsListener,
  namespace,
  referenceGrant,
  service,
  tlsSecret,
} from './index.js';

describe('test builders', () => {
  it('produce objects whose defaults fit together', () => {
    const gw = gateway();
    const route = httpRoute();
    expect(gatewayClass().spec.controllerName).toBe(controllerName('default'));
    expect(gw.spec.gatewayClassName).toBe(gatewayClass().metadata.name);
    expect(route.spec.parentRefs?.[0]?.name).toBe(gw.metadata.name);
    expect(route.spec.rules?.[0]?.backendRefs?.[0]).toEqual({ name: service().metadata.name, port: DEFAULTS.servicePort });
    expect(endpointSlice().metadata.labels?.['kubernetes.io/service-name']).toBe(service().metadata.name);
    expect(referenceGrant().spec.from[0]?.namespace).toBe(route.metadata.namespace);
    expect(namespace().metadata.name).toBe(gw.metadata.namespace);
  });

  it('apply overrides to metadata and spec', () => {
    const gw = gateway({ name: 'edge', namespace: 'prod', labels: { a: 'b' }, spec: { listeners: [httpsListener('wildcard')] } });
    expect(gw.metadata).toMatchObject({ name: 'edge', namespace: 'prod', labels: { a: 'b' } });
    expect(gw.spec.listeners[0]?.tls?.certificateRefs?.[0]?.name).toBe('wildcard');
    expect(httpRoute({ spec: { hostnames: ['a.example'] } }).spec.rules).toHaveLength(1);
    expect(httpRouteRule({ backendRefs: [] }).backendRefs).toEqual([]);
    expect(endpointSlice({ addresses: ['10.0.0.1', '10.0.0.2'] }).endpoints).toHaveLength(2);
    expect(tlsSecret().type).toBe('kubernetes.io/tls');
    expect(namespace({ namespace: 'ignored' }).metadata).not.toHaveProperty('namespace');
  });

  it('refuse to build invalid objects', () => {
    expect(() => gateway({ spec: { listeners: [] } })).toThrow();
    expect(() => service({ ports: [0] })).toThrow();
  });
});
