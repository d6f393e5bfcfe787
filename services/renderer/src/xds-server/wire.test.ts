import { describe, expect, it } from 'vitest';
import { adsServiceDefinition, createXdsCodec } from './index.js';
import type { DeltaResponse, SotwResponse } from './protocol/index.js';
import type { EncodedAny } from './store.js';
import { encodeDeltaResponse, encodeSotwResponse } from './wire.js';

const codec = createXdsCodec();
const service = adsServiceDefinition();
const delta = service['DeltaAggregatedResources'];
const sotw = service['StreamAggregatedResources'];

const cluster = codec.encode({
  '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  name: 'default/echo/8080',
  type: 'EDS',
  connect_timeout: '5s',
  eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' } },
});
const endpoint = codec.encode({
  '@type': 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  cluster_name: 'default/echo/8080',
  endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '10.0.0.1', port_value: 3000 } } } }] }],
});

describe('hand-written ADS response encoding', () => {
  it('decodes with the real protos to what the generic serializer produces (delta)', () => {
    const response: DeltaResponse<EncodedAny> = {
      type_url: cluster.type_url,
      system_version_info: 'v1',
      nonce: 'n42',
      resources: [
        { name: 'default/echo/8080', version: 'abc', resource: cluster },
        { name: 'x'.repeat(300), version: 'def', resource: endpoint },
      ],
      removed_resources: ['gone/1', 'gone/2'],
    };
    const fast = encodeDeltaResponse(response);
    const generic = delta?.responseSerialize(response);
    expect(delta?.responseDeserialize(fast)).toEqual(delta?.responseDeserialize(generic as Buffer));
    // Encoded twice from the cache: the same bytes.
    expect(encodeDeltaResponse(response).equals(fast)).toBe(true);
  });

  it('decodes with the real protos to what the generic serializer produces (state of the world)', () => {
    const response: SotwResponse<EncodedAny> = { type_url: cluster.type_url, version_info: 'v7', nonce: '9', resources: [cluster] };
    const fast = encodeSotwResponse(response);
    expect(sotw?.responseDeserialize(fast)).toEqual(sotw?.responseDeserialize(sotw.responseSerialize(response) as Buffer));
  });

  it('keeps empty fields off the wire, as proto3 does', () => {
    const response: DeltaResponse<EncodedAny> = { type_url: cluster.type_url, system_version_info: '', nonce: 'n', resources: [], removed_resources: [] };
    expect(delta?.responseDeserialize(encodeDeltaResponse(response))).toEqual({ type_url: cluster.type_url, nonce: 'n' });
  });
});
