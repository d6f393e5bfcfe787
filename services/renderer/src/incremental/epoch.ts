import type { Gateway, GatewayIr, GatewayRef } from '@microgateway/contracts';
import type { XdsEntry } from '../publish/output.js';
import { xdsEntry } from '../publish/output.js';
import { buildGatewayIr, owner } from '../translate/gatewayapi/ir.js';
import type { ListenerState } from '../translate/gatewayapi/listeners.js';
import { evaluateListeners, listenerUsable } from '../translate/gatewayapi/listeners.js';
import type { RouteTranslation } from '../translate/gatewayapi/routes.js';
import type { IndexRead, ResourceIndex } from '../translate/resources.js';
import { buildListener } from '../translate/xds/listener.js';
import { buildSecret } from '../translate/xds/secret.js';
import type { VirtualHostBucket } from './route-table.js';
import { ChainTable } from './route-table.js';

/**
 * What an incremental render keeps while the Gateway object and its listeners' lookups hold: the
 * evaluated listeners (route translations point at them), the IR without routes, a ChainTable per
 * RouteConfiguration, and the Listener and Secret entries, which depend on nothing else.
 */
export interface Epoch {
  gateway: Gateway;
  reads: IndexRead[];
  listeners: ListenerState[];
  /** The IR without routes: ports, chains (with the virtual hosts of listener hostnames), secrets. */
  skeleton: GatewayIr;
  chains: ChainTable[];
  /** Per HTTP port: its RouteConfiguration and the listeners that share it. */
  httpChains: Map<number, { table: ChainTable; listeners: ListenerState[] }>;
  httpsChains: Map<ListenerState, ChainTable>;
  listenerEntries: XdsEntry[];
  secretEntries: XdsEntry[];
}

export function buildEpoch(index: ResourceIndex, gateway: Gateway, ref: GatewayRef): Epoch {
  const { result: listeners, reads } = index.recording(() => evaluateListeners(index, gateway));
  const skeleton = buildGatewayIr(ref, listeners, []);
  const usable = listeners.filter(listenerUsable);
  const chains: ChainTable[] = [];
  const httpChains = new Map<number, { table: ChainTable; listeners: ListenerState[] }>();
  const httpsChains = new Map<ListenerState, ChainTable>();
  for (const port of skeleton.ports) {
    const group = usable.filter((l) => l.spec.port === port.port);
    for (const chain of port.chains) {
      const table = new ChainTable(chain, port);
      chains.push(table);
      if (port.protocol === 'HTTP') httpChains.set(port.port, { table, listeners: group });
      else {
        // httpsChain names each listener's RouteConfiguration `port-<P>/<listener>`.
        const listener = group.find((l) => chain.routeConfigName === `port-${port.port}/${l.spec.name}`);
        if (listener === undefined) throw new Error(`no listener for chain ${chain.routeConfigName}`);
        httpsChains.set(listener, table);
      }
    }
  }
  return {
    gateway,
    reads,
    listeners,
    skeleton,
    chains,
    httpChains,
    httpsChains,
    listenerEntries: skeleton.ports.map((p) => xdsEntry(ref, buildListener(p))),
    secretEntries: skeleton.secrets.map((s) => xdsEntry(ref, buildSecret(s))),
  };
}

/** The virtual hosts a route's IR routes go to: what httpChain / httpsChain of the full IR do, for one route. */
export function placements(translation: RouteTranslation, epoch: Epoch): VirtualHostBucket[] {
  const out: VirtualHostBucket[] = [];
  for (const attachment of translation.attachments) {
    const https = epoch.httpsChains.get(attachment.listener);
    if (https !== undefined) {
      for (const hostname of attachment.hostnames) out.push(https.bucket(hostname));
      continue;
    }
    const http = epoch.httpChains.get(attachment.listener.spec.port);
    if (http === undefined || !http.listeners.includes(attachment.listener)) continue;
    for (const hostname of attachment.hostnames) if (owner(hostname, http.listeners) === attachment.listener) out.push(http.table.bucket(hostname));
  }
  return out;
}
