import { describe, expect, it } from 'vitest';
import {
  XDS_TYPE_SHORTS,
  XDS_TYPE_URLS,
  parseXdsKey,
  xdsGatewayFilter,
  xdsManifestKey,
  xdsResourceKey,
  xdsTypeShortOf,
} from './xds-keys.js';

const gateway = { namespace: 'prod', name: 'edge.example.com' };

describe('xds keys', () => {
  it('name the manifest and each resource under the Gateway', () => {
    expect(xdsManifestKey(gateway)).toBe('prod.edge=2Eexample=2Ecom.manifest');
    expect(xdsResourceKey(gateway, 'cluster', 'prod/echo:8080')).toBe('prod.edge=2Eexample=2Ecom.cluster.prod=2Fecho=3A8080');
    expect(xdsGatewayFilter(gateway)).toBe('prod.edge=2Eexample=2Ecom.>');
  });

  it('round-trip every type and awkward resource names', () => {
    const names = ['listener-80', 'route.http', 'manifest', 'a=b', 'ns/svc:80/v1', 'x'.repeat(300)];
    for (const type of XDS_TYPE_SHORTS) {
      for (const resourceName of names) {
        expect(parseXdsKey(xdsResourceKey(gateway, type, resourceName))).toEqual({ kind: 'resource', gateway, type, resourceName });
      }
    }
    expect(parseXdsKey(xdsManifestKey(gateway))).toEqual({ kind: 'manifest', gateway });
  });

  it('refuses unknown types and malformed keys', () => {
    for (const bad of ['prod.gw', 'prod.gw.manifest.x', 'prod.gw.vhost.a', 'prod.gw.cluster', 'prod.gw.cluster.a.b', 'prod..manifest']) {
      expect(() => parseXdsKey(bad), bad).toThrow();
    }
  });

  it('maps type URLs to short names and back', () => {
    for (const type of XDS_TYPE_SHORTS) expect(xdsTypeShortOf(XDS_TYPE_URLS[type])).toBe(type);
    expect(xdsTypeShortOf('type.googleapis.com/envoy.config.core.v3.Node')).toBeUndefined();
  });
});
