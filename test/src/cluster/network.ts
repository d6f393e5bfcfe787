// The network of one local cluster, all of it inside network namespaces named after the cluster:
//
//   host ns ── mgwh<n> (10.203.n.1/30) ══veth══ uplink (10.203.n.2/30) ── node ns "mgw-<name>"
//                                                                         ├─ bridge mgwbr (10.201.n.1/24), ip_forward=1,
//                                                                         │  kube-proxy's iptables rules
//                                                                         └─ v<pod> ══veth══ eth0 (10.201.n.x) in pod ns "mgw-<name>-<pod>"
//
// The host gets routes for the Pod, Service and LoadBalancer ranges via the node namespace, so
// Pod IPs and ClusterIPs answer from the host. Nothing is NATed or routed towards anything outside
// the machine: the node namespace has no default route. kube-proxy's rules live in the node
// namespace, so two clusters never share an iptables chain, and deleting the namespaces removes
// every link, route and rule in one go (also after a crash).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ClusterNetwork {
  /** The cluster name, sanitised: [a-z0-9-], at most 20 characters. */
  name: string;
  /** 1–254: the third octet of every range below. */
  index: number;
  nodeNamespace: string;
  hostLink: string;
  hostAddress: string;
  nodeAddress: string;
  bridge: string;
  /** The bridge's address: the Pods' gateway and the Node's InternalIP. */
  gateway: string;
  podCidr: string;
  serviceCidr: string;
  loadBalancerCidr: string;
}

export const NETNS_PREFIX = 'mgw-';
const BRIDGE = 'mgwbr';
const UPLINK = 'uplink';

export function sanitizeClusterName(name: string): string {
  const clean = name.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '').slice(0, 20);
  if (!clean) throw new Error(`cluster name "${name}" has no usable characters`);
  return clean;
}

/** The preferred subnet index of a cluster name: stable, so a restarted cluster keeps its addresses. */
export function preferredIndex(name: string): number {
  const digest = createHash('sha256').update(name).digest();
  return 20 + ((digest[0] ?? 0) % 200);
}

export function clusterNetwork(rawName: string, index: number): ClusterNetwork {
  if (!Number.isInteger(index) || index < 1 || index > 254) throw new Error(`subnet index ${index} is not in 1..254`);
  const name = sanitizeClusterName(rawName);
  return {
    name,
    index,
    nodeNamespace: `${NETNS_PREFIX}${name}`,
    hostLink: `mgwh${index}`,
    hostAddress: `10.203.${index}.1`,
    nodeAddress: `10.203.${index}.2`,
    bridge: BRIDGE,
    gateway: `10.201.${index}.1`,
    podCidr: `10.201.${index}.0/24`,
    serviceCidr: `10.202.${index}.0/24`,
    loadBalancerCidr: `10.204.${index}.0/24`,
  };
}

/** The network namespace of one Pod. */
export function podNamespace(net: ClusterNetwork, podUid: string): string {
  return `${net.nodeNamespace}-${podUid.replace(/-/g, '').slice(0, 12)}`;
}

/** The Pod's veth end in the node namespace (interface names: at most 15 characters). */
export function podLink(podUid: string): string {
  return `v${podUid.replace(/-/g, '').slice(0, 12)}`;
}

export async function ip(args: string[]): Promise<string> {
  try {
    const { stdout } = await run('ip', args, { timeout: 15_000 });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`ip ${args.join(' ')}: ${stderr.trim() || (error as Error).message}`, { cause: error });
  }
}

async function inNamespace(ns: string, command: string, args: string[]): Promise<string> {
  const { stdout } = await run('ip', ['netns', 'exec', ns, command, ...args], { timeout: 15_000 });
  return stdout;
}

export function listNetns(): string[] {
  try {
    return readdirSync('/run/netns');
  } catch {
    return [];
  }
}

/** Namespaces of this cluster (node and Pods), e.g. left by a crashed run. */
export function clusterNamespaces(name: string): string[] {
  const node = `${NETNS_PREFIX}${sanitizeClusterName(name)}`;
  return listNetns().filter((ns) => ns === node || ns.startsWith(`${node}-`));
}

/**
 * Removes every namespace of the cluster: their links, routes and iptables rules go with them
 * (the host end of the uplink is a veth, deleted with its peer, and the host routes with it).
 */
export async function removeClusterNetwork(name: string): Promise<void> {
  // Pods first: their veths hang on the node namespace's bridge.
  const namespaces = clusterNamespaces(name).sort((a, b) => b.length - a.length);
  const node = `${NETNS_PREFIX}${sanitizeClusterName(name)}`;
  // The kernel tears a namespace down asynchronously; deleting the uplink first takes the host end
  // of the veth (and the host routes through it) away now, not some time later.
  if (namespaces.includes(node)) await ip(['-n', node, 'link', 'del', UPLINK]).catch(() => undefined);
  for (const ns of namespaces) await ip(['netns', 'delete', ns]).catch(() => undefined);
}

/** The iptables (nat) rules in the cluster's node namespace, whichever backend kube-proxy chose. */
export async function natRules(net: ClusterNetwork): Promise<string> {
  const outputs = await Promise.all(
    ['iptables-nft-save', 'iptables-legacy-save'].map((cmd) =>
      run('nsenter', [`--net=/run/netns/${net.nodeNamespace}`, '--', cmd, '-t', 'nat'], { timeout: 15_000 }).then((r) => r.stdout, () => ''),
    ),
  );
  return outputs.join('\n');
}

/** An index whose ranges no route or link on the host uses yet (the preferred one when free). */
export async function chooseIndex(name: string, requested?: number): Promise<number> {
  if (requested !== undefined) return requested;
  const routes = await ip(['-4', 'route', 'show', 'table', 'all']);
  const links = await ip(['-o', 'link', 'show']);
  const taken = (i: number): boolean =>
    [`10.201.${i}.`, `10.202.${i}.`, `10.203.${i}.`, `10.204.${i}.`].some((prefix) => routes.includes(prefix)) || links.includes(` mgwh${i}@`);
  const start = preferredIndex(sanitizeClusterName(name));
  for (let k = 0; k < 254; k++) {
    const i = ((start - 1 + k) % 254) + 1;
    if (!taken(i)) return i;
  }
  throw new Error('no free 10.201-204.x.0/24 subnets left for another local cluster');
}

export async function createClusterNetwork(net: ClusterNetwork): Promise<void> {
  const ns = net.nodeNamespace;
  await ip(['netns', 'add', ns]);
  await ip(['link', 'add', net.hostLink, 'type', 'veth', 'peer', 'name', UPLINK, 'netns', ns]);
  await ip(['addr', 'add', `${net.hostAddress}/30`, 'dev', net.hostLink]);
  await ip(['link', 'set', net.hostLink, 'up']);
  await ip(['-n', ns, 'link', 'set', 'lo', 'up']);
  await ip(['-n', ns, 'addr', 'add', `${net.nodeAddress}/30`, 'dev', UPLINK]);
  await ip(['-n', ns, 'link', 'set', UPLINK, 'up']);
  await ip(['-n', ns, 'link', 'add', net.bridge, 'type', 'bridge']);
  await ip(['-n', ns, 'addr', 'add', `${net.gateway}/24`, 'dev', net.bridge]);
  await ip(['-n', ns, 'link', 'set', net.bridge, 'up']);
  // Routing between the uplink and the bridge happens in here; the host itself forwards nothing.
  await inNamespace(ns, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
  // Pod → ClusterIP → Pod on the same bridge: the reply is bridged, so it must see iptables to be un-DNATed.
  await inNamespace(ns, 'sysctl', ['-qw', 'net.bridge.bridge-nf-call-iptables=1']).catch(() => undefined);
  for (const cidr of [net.podCidr, net.serviceCidr, net.loadBalancerCidr]) {
    await ip(['route', 'add', cidr, 'via', net.nodeAddress, 'dev', net.hostLink]);
  }
}

export interface PodNetwork {
  namespace: string;
  ip: string;
}

export async function createPodNetwork(net: ClusterNetwork, podUid: string, podIp: string): Promise<PodNetwork> {
  const ns = podNamespace(net, podUid);
  const link = podLink(podUid);
  await ip(['netns', 'delete', ns]).catch(() => undefined);
  await ip(['netns', 'add', ns]);
  await ip(['-n', net.nodeNamespace, 'link', 'del', link]).catch(() => undefined);
  await ip(['-n', net.nodeNamespace, 'link', 'add', link, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
  await ip(['-n', net.nodeNamespace, 'link', 'set', link, 'master', net.bridge]);
  // Hairpin: a Pod reaching itself through its Service's ClusterIP leaves and re-enters on this port.
  await ip(['-n', net.nodeNamespace, 'link', 'set', link, 'type', 'bridge_slave', 'hairpin', 'on']);
  await ip(['-n', net.nodeNamespace, 'link', 'set', link, 'up']);
  await ip(['-n', ns, 'link', 'set', 'lo', 'up']);
  await ip(['-n', ns, 'addr', 'add', `${podIp}/24`, 'dev', 'eth0']);
  await ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
  await ip(['-n', ns, 'route', 'add', 'default', 'via', net.gateway]);
  // An address used before may still have a neighbour entry for the old Pod's interface.
  await ip(['-n', net.nodeNamespace, 'neigh', 'flush', 'to', podIp]).catch(() => undefined);
  return { namespace: ns, ip: podIp };
}

export async function removePodNetwork(net: ClusterNetwork, podUid: string): Promise<void> {
  await ip(['netns', 'delete', podNamespace(net, podUid)]).catch(() => undefined);
  await ip(['-n', net.nodeNamespace, 'link', 'del', podLink(podUid)]).catch(() => undefined);
}

/**
 * Hands out Pod IPs from the cluster's /24 (.1 is the bridge) round-robin, like the host-local
 * IPAM plugin: an address just released is the last to be handed out again, so neighbour and
 * bridge caches that still point at the old Pod's interface have long expired by then.
 */
export class PodIpAllocator {
  private readonly used = new Map<string, number>();
  private last = 1;

  constructor(private readonly net: ClusterNetwork) {}

  allocate(podUid: string): string {
    const existing = this.used.get(podUid);
    if (existing !== undefined) return this.address(existing);
    const taken = new Set(this.used.values());
    for (let k = 1; k <= 253; k++) {
      const host = ((this.last - 2 + k) % 253) + 2;
      if (taken.has(host)) continue;
      this.used.set(podUid, host);
      this.last = host;
      return this.address(host);
    }
    throw new Error(`no free Pod IP left in ${this.net.podCidr}`);
  }

  release(podUid: string): void {
    this.used.delete(podUid);
  }

  private address(host: number): string {
    return `10.201.${this.net.index}.${host}`;
  }
}
