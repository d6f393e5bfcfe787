import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { protoIncludeDirs } from './load.js';

/** The fully qualified ADS service name inside the PackageDefinition. */
export const ADS_SERVICE = 'envoy.service.discovery.v3.AggregatedDiscoveryService';

/**
 * The proto-loader PackageDefinition of the ADS service (and everything it imports), with the
 * options the xDS server expects: snake_case field names, enums and 64-bit numbers as strings, no
 * defaults filled in. Resources inside DiscoveryResponse stay `google.protobuf.Any` with bytes;
 * the codec produces those.
 */
export function adsPackageDefinition(): PackageDefinition {
  return loadSync('envoy/service/discovery/v3/ads.proto', {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: false,
    oneofs: true,
    includeDirs: [...protoIncludeDirs],
  });
}
