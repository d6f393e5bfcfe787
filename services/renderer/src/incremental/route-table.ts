import type { IrChain, IrPort, IrRoute } from '@microgateway/contracts';
import { compareRoutePrecedence } from '../translate/gatewayapi/precedence.js';
import { createHash } from 'node:crypto';
import { buildRoute, routeConfigurationShell, virtualHostJson } from '../translate/xds/route.js';

/**
 * The RouteConfigurations of one Gateway kept between renders: per chain, per domain (virtual
 * host), the IR routes in precedence order and the JSON text of each route and virtual host. A
 * render retracts the IR routes of the HTTPRoutes that changed and adds their new ones; only the
 * virtual hosts they touch are re-sorted and re-serialized, the rest is spliced in as text.
 *
 * Precedence (compareRoutePrecedence) is a total order over distinct IR routes (its last keys are
 * namespace/name, rule and match index), so inserting into a sorted list gives exactly the list a
 * full sort gives.
 */

/** Above this many additions to one virtual host in a render, append and sort instead of inserting. */
const INSERT_LIMIT = 16;

/** The JSON text of each IR route, per listener (redirects depend on the listener's port and protocol). */
const routeJsonMemo = new WeakMap<IrRoute, Map<string, string>>();

function routeJson(route: IrRoute, listener: IrPort): string {
  const at = `${listener.port}/${listener.protocol}`;
  let byListener = routeJsonMemo.get(route);
  if (byListener === undefined) routeJsonMemo.set(route, (byListener = new Map()));
  let json = byListener.get(at);
  if (json === undefined) byListener.set(at, (json = JSON.stringify(buildRoute(route, listener))));
  return json;
}

const COMMA = Buffer.from(',');

function insertSorted(routes: IrRoute[], route: IrRoute): void {
  let low = 0;
  let high = routes.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareRoutePrecedence(routes[middle] as IrRoute, route) < 0) low = middle + 1;
    else high = middle;
  }
  routes.splice(low, 0, route);
}

export class VirtualHostBucket {
  /** In precedence order once {@link ChainTable.settle} ran. */
  routes: IrRoute[] = [];
  private readonly removed = new Set<IrRoute>();
  private added: IrRoute[] = [];
  private encoded: Buffer | undefined;

  constructor(
    readonly chain: ChainTable,
    readonly domain: string,
    /** A listener hostname: the virtual host exists (404 for everything) even without routes. */
    readonly forced: boolean,
  ) {}

  add(routes: readonly IrRoute[]): void {
    for (const route of routes) this.added.push(route);
    this.encoded = undefined;
    this.chain.touch(this);
  }

  remove(routes: readonly IrRoute[]): void {
    for (const route of routes) this.removed.add(route);
    this.encoded = undefined;
    this.chain.touch(this);
  }

  /** Applies the pending changes; false when the virtual host no longer exists. */
  settle(): boolean {
    if (this.removed.size > 0) {
      this.routes = this.routes.filter((r) => !this.removed.has(r));
      this.added = this.added.filter((r) => !this.removed.has(r));
      this.removed.clear();
    }
    if (this.added.length > INSERT_LIMIT) this.routes = this.routes.concat(this.added).sort(compareRoutePrecedence);
    else for (const route of this.added) insertSorted(this.routes, route);
    this.added = [];
    return this.routes.length > 0 || this.forced;
  }

  /** The virtual host's JSON as UTF-8. */
  bytes(): Buffer {
    this.encoded ??= Buffer.from(
      virtualHostJson({ name: `${this.chain.chain.routeConfigName}/${this.domain}`, domains: [this.domain] }, this.chain.port, this.routes.map((r) => routeJson(r, this.chain.port))),
      'utf8',
    );
    return this.encoded;
  }
}

/** One RouteConfiguration (an IR chain) and its virtual hosts. */
export class ChainTable {
  private readonly buckets = new Map<string, VirtualHostBucket>();
  private readonly touched = new Set<VirtualHostBucket>();
  private value: { bytes: Buffer; digest: string } | undefined;
  /** What the renderer derived from {@link serialized} (its xds entry); dropped with it. */
  derived: unknown;

  constructor(
    readonly chain: IrChain,
    readonly port: IrPort,
  ) {
    // The chain as built without routes holds the virtual hosts that exist regardless (listener hostnames).
    for (const vhost of chain.virtualHosts) this.buckets.set(vhost.domains[0] ?? '', new VirtualHostBucket(this, vhost.domains[0] ?? '', true));
  }

  bucket(domain: string): VirtualHostBucket {
    let bucket = this.buckets.get(domain);
    if (bucket === undefined) this.buckets.set(domain, (bucket = new VirtualHostBucket(this, domain, false)));
    return bucket;
  }

  touch(bucket: VirtualHostBucket): void {
    this.touched.add(bucket);
    this.value = undefined;
    this.derived = undefined;
  }

  /** Applies every pending change; true when the chain's text changed. */
  settle(): boolean {
    if (this.touched.size === 0) return false;
    for (const bucket of this.touched) if (!bucket.settle()) this.buckets.delete(bucket.domain);
    this.touched.clear();
    return true;
  }

  /**
   * The RouteConfiguration's JSON as UTF-8 (byte for byte JSON.stringify(buildRouteConfiguration(...)))
   * and its digest: assembled and hashed from the virtual hosts' bytes, so a change re-encodes one
   * virtual host, never the whole 1.4 MB of a 10,000-route Gateway.
   */
  serialized(): { bytes: Buffer; digest: string } {
    if (this.value === undefined) {
      const { before, after } = routeConfigurationShell(this.chain, this.port);
      const parts: Buffer[] = [Buffer.from(before, 'utf8')];
      for (const domain of [...this.buckets.keys()].sort()) {
        if (parts.length > 1) parts.push(COMMA);
        parts.push((this.buckets.get(domain) as VirtualHostBucket).bytes());
      }
      parts.push(Buffer.from(after, 'utf8'));
      const hash = createHash('sha256');
      for (const part of parts) hash.update(part);
      this.value = { bytes: Buffer.concat(parts), digest: `sha256:${hash.digest('hex')}` };
    }
    return this.value;
  }
}
