import type { GatewayIr, IrChain, IrCluster, IrGatewayRef, IrPort, IrRoute, IrSecret, IrVirtualHost } from '@microgateway/contracts';
import { containerPortOf } from '@microgateway/contracts';
import { ANY_HOST, intersectHostname } from './hostnames.js';
import type { ListenerState } from './listeners.js';
import { listenerUsable } from './listeners.js';
import { sortByPrecedence } from './precedence.js';
import type { RouteTranslation } from './routes.js';
import { compareStrings } from '../order.js';

/**
 * Assembles the Gateway's IR: one port per Gateway port with usable listeners, virtual hosts per
 * hostname holding the routes in precedence order, and the clusters and secrets they use.
 */

/** How specific a listener hostname is, for "requests SHOULD match at most one Listener" (spec, Listeners). */
function listenerSpecificity(hostname: string | undefined): number {
  if (hostname === undefined) return 0;
  if (!hostname.startsWith('*.')) return 10_000;
  return 100 + hostname.split('.').length;
}

/**
 * The listener on a port that serves `hostname`: the most specific listener hostname covering it.
 * A route attached to `*.example.com` with hostname `foo.example.com` is not served there when a
 * `foo.example.com` listener shares the port: that listener owns the name.
 */
export function owner(hostname: string, listeners: readonly ListenerState[]): ListenerState | undefined {
  const covering = listeners.filter((l) => l.hostname === undefined || (hostname !== ANY_HOST && intersectHostname(l.hostname, hostname) === hostname));
  return covering.sort((a, b) => listenerSpecificity(b.hostname) - listenerSpecificity(a.hostname))[0];
}

function virtualHosts(routeConfigName: string, byDomain: Map<string, IrRoute[]>): IrVirtualHost[] {
  return [...byDomain.keys()].sort().map((domain) => ({
    name: `${routeConfigName}/${domain}`,
    domains: [domain],
    routes: sortByPrecedence(byDomain.get(domain) ?? []),
  }));
}

function collect(byDomain: Map<string, IrRoute[]>, domain: string, routes: readonly IrRoute[]): void {
  // Appends in place: copying the list per route made a 10,000-route domain quadratic.
  let list = byDomain.get(domain);
  if (list === undefined) byDomain.set(domain, (list = []));
  for (const route of routes) list.push(route);
}

function httpChain(port: number, listeners: readonly ListenerState[], routes: readonly RouteTranslation[]): IrChain {
  const routeConfigName = `port-${port}`;
  const byDomain = new Map<string, IrRoute[]>();
  for (const translation of routes) {
    for (const attachment of translation.attachments) {
      if (!listeners.includes(attachment.listener)) continue;
      for (const hostname of attachment.hostnames) {
        if (owner(hostname, listeners) === attachment.listener) collect(byDomain, hostname, translation.routes);
      }
    }
  }
  // A listener's hostname is answered by that listener even when none of its routes covers it
  // (an empty virtual host: 404), so such requests never fall through to a less specific listener.
  for (const listener of listeners) if (listener.hostname !== undefined) collect(byDomain, listener.hostname, []);
  return { routeConfigName, virtualHosts: virtualHosts(routeConfigName, byDomain) };
}

function httpsChain(port: number, listener: ListenerState, routes: readonly RouteTranslation[]): IrChain {
  const routeConfigName = `port-${port}/${listener.spec.name}`;
  const byDomain = new Map<string, IrRoute[]>();
  for (const translation of routes) {
    for (const attachment of translation.attachments) {
      if (attachment.listener !== listener) continue;
      for (const hostname of attachment.hostnames) collect(byDomain, hostname, translation.routes);
    }
  }
  const chain: IrChain = { routeConfigName, secretNames: listener.secrets.map((s) => s.name).sort(), virtualHosts: virtualHosts(routeConfigName, byDomain) };
  if (listener.hostname !== undefined) chain.serverNames = [listener.hostname];
  return chain;
}

function byName<T extends { name: string }>(items: readonly T[]): T[] {
  return [...new Map(items.map((item) => [item.name, item])).values()].sort((a, b) => compareStrings(a.name, b.name));
}

function usedClusters(ports: readonly IrPort[], candidates: readonly IrCluster[]): IrCluster[] {
  const used = new Set<string>();
  for (const route of ports.flatMap((p) => p.chains.flatMap((c) => c.virtualHosts.flatMap((v) => v.routes)))) {
    if (route.action.kind === 'forward') for (const b of route.action.backends) used.add(b.cluster);
    for (const m of route.mirrors) used.add(m.cluster);
  }
  return byName(candidates.filter((c) => used.has(c.name)));
}

export function buildGatewayIr(gateway: IrGatewayRef, listeners: readonly ListenerState[], routes: readonly RouteTranslation[]): GatewayIr {
  const usable = listeners.filter(listenerUsable);
  const byPort = Map.groupBy(usable, (l) => l.spec.port);
  const ports: IrPort[] = [...byPort.keys()]
    .sort((a, b) => a - b)
    .map((port) => {
      const group = byPort.get(port) ?? [];
      const protocol = group[0]?.protocol === 'HTTPS' ? 'HTTPS' : 'HTTP';
      const chains =
        protocol === 'HTTP'
          ? [httpChain(port, group, routes)]
          : [...group].sort((a, b) => compareStrings(a.spec.name, b.spec.name)).map((l) => httpsChain(port, l, routes));
      return { port, containerPort: containerPortOf(port), protocol, chains };
    });
  const secrets: IrSecret[] = byName(usable.flatMap((l) => l.secrets));
  return { gateway, ports, clusters: usedClusters(ports, routes.flatMap((r) => r.clusters)), secrets };
}
