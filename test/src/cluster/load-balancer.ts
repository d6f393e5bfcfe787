// LoadBalancer Services get an address, as MetalLB or cloud-provider-kind would give them: one IP
// per Service from the cluster's 10.204.x.0/24, written to status.loadBalancer.ingress. kube-proxy
// programs the rules for it and the host routes that range to the node namespace, so the Service
// answers from the host on <ip>:<port>.
import type { ClusterNetwork } from './network.js';
import { isConflict, isNotFound, MERGE_PATCH, objectKey, WatchCache } from './rest.js';
import type { KubeObject, KubeRest } from './rest.js';

interface Service extends KubeObject {
  spec?: { type?: string; loadBalancerClass?: string; loadBalancerIP?: string };
  status?: { loadBalancer?: { ingress?: { ip?: string }[] } };
}

export interface LoadBalancerAllocator {
  stop(): void;
}

/** Pure bookkeeping: which Service holds which address of the range. */
export class AddressPool {
  private readonly byService = new Map<string, string>();

  constructor(private readonly prefix: string) {}

  /** The Service's address: the one it has (if it is ours and free), else the lowest free one. */
  assign(key: string, current: string | undefined): string | undefined {
    const held = this.byService.get(key);
    if (held) return held;
    const taken = new Set(this.byService.values());
    if (current?.startsWith(this.prefix) && !taken.has(current)) {
      this.byService.set(key, current);
      return current;
    }
    for (let host = 1; host < 255; host++) {
      const address = `${this.prefix}${host}`;
      if (taken.has(address)) continue;
      this.byService.set(key, address);
      return address;
    }
    return undefined;
  }

  release(key: string): void {
    this.byService.delete(key);
  }
}

export async function startLoadBalancerAllocator(rest: KubeRest, net: ClusterNetwork, log: (line: string) => void): Promise<LoadBalancerAllocator> {
  const pool = new AddressPool(`10.204.${net.index}.`);
  const write = async (svc: Service, ip: string): Promise<void> => {
    const path = `/api/v1/namespaces/${svc.metadata.namespace}/services/${svc.metadata.name}/status`;
    try {
      await rest.request('PATCH', path, { status: { loadBalancer: { ingress: [{ ip, ipMode: 'VIP' }] } } }, MERGE_PATCH);
    } catch (error) {
      if (!isNotFound(error) && !isConflict(error)) log(`load balancer ${objectKey(svc)}: ${String(error)}`);
    }
  };
  const cache = new WatchCache<Service>(rest, '/api/v1/services', '', (type, svc) => {
    const key = objectKey(svc);
    // A Service with a loadBalancerClass asks for another implementation.
    if (type === 'DELETED' || svc.spec?.type !== 'LoadBalancer' || svc.spec.loadBalancerClass) {
      pool.release(key);
      return;
    }
    const current = svc.status?.loadBalancer?.ingress?.[0]?.ip;
    const ip = pool.assign(key, svc.spec.loadBalancerIP || current);
    if (!ip) return log(`load balancer ${key}: no free address left in ${net.loadBalancerCidr}`);
    if (ip !== current) void write(svc, ip);
  }, log);
  await cache.start();
  return { stop: () => cache.stop() };
}
