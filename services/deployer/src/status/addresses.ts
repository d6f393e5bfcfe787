import type { ServiceObservation } from './inputs.js';

/** A `status.addresses` entry of a Gateway (GatewayStatusAddress). */
export type GatewayStatusAddress = {
  type: 'IPAddress' | 'Hostname';
  value: string;
};

/**
 * The addresses clients reach the Gateway at: a LoadBalancer Service's ingress IPs and hostnames
 * (none until the load balancer assigns them), or the cluster IPs of any other Service type.
 * Order follows the Service; duplicates are dropped.
 */
export function gatewayAddresses(service: ServiceObservation | undefined): GatewayStatusAddress[] {
  if (service === undefined) return [];
  const found = service.type === 'LoadBalancer' ? ingressAddresses(service) : clusterAddresses(service);
  return dedupe(found);
}

function ingressAddresses(service: ServiceObservation): GatewayStatusAddress[] {
  return service.loadBalancerIngress.flatMap((ingress): GatewayStatusAddress[] => [
    ...(ingress.ip ? [{ type: 'IPAddress' as const, value: ingress.ip }] : []),
    ...(ingress.hostname ? [{ type: 'Hostname' as const, value: ingress.hostname }] : []),
  ]);
}

function clusterAddresses(service: ServiceObservation): GatewayStatusAddress[] {
  return service.clusterIPs.filter((ip) => ip !== '' && ip !== 'None').map((ip) => ({ type: 'IPAddress', value: ip }));
}

function dedupe(addresses: GatewayStatusAddress[]): GatewayStatusAddress[] {
  const seen = new Set<string>();
  return addresses.filter((a) => {
    const key = `${a.type}/${a.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** GatewayStatus.addresses holds at most 16 entries (the CRD's MaxItems). */
export const MAX_GATEWAY_ADDRESSES = 16;
