import type { GatewayIr } from '@microgateway/contracts';
import { buildCluster, buildEndpoints, invalidBackendCluster } from './cluster.js';
import { buildListener } from './listener.js';
import { buildRouteConfiguration } from './route.js';
import { buildSecret } from './secret.js';
import type { EnvoyResources } from './types.js';

export type { EnvoyResource, EnvoyResources } from './types.js';
export { INVALID_BACKEND_CLUSTER } from './cluster.js';

function usesInvalidBackend(ir: GatewayIr): boolean {
  return ir.ports.some((p) =>
    p.chains.some((c) => c.virtualHosts.some((v) => v.routes.some((r) => r.action.kind === 'forward' && r.action.invalidWeight > 0 && r.action.backends.length > 0))),
  );
}

/** The second stage: IR → Envoy resources. Pure and order-preserving (the IR is already sorted). */
export function toEnvoy(ir: GatewayIr): EnvoyResources {
  const clusters = ir.clusters.map(buildCluster);
  if (usesInvalidBackend(ir)) clusters.push(invalidBackendCluster());
  clusters.sort((a, b) => (String(a['name']) < String(b['name']) ? -1 : 1));
  return {
    listeners: ir.ports.map(buildListener),
    routes: ir.ports.flatMap((p) => p.chains.map((c) => buildRouteConfiguration(c, p))),
    clusters,
    endpoints: ir.clusters.map(buildEndpoints),
    secrets: ir.secrets.map(buildSecret),
  };
}
