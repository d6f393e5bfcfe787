import type { IrAction, IrChain, IrHeaderModifier, IrMatch, IrPort, IrRoute, IrVirtualHost } from '@microgateway/contracts';
import { XDS_TYPE_URLS } from '@microgateway/contracts';
import { INVALID_BACKEND_CLUSTER } from './cluster.js';
import type { EnvoyResource } from './types.js';

/**
 * RouteConfigurations: one per chain, a virtual host per hostname, routes in the IR's precedence
 * order. Every Gateway API match, filter and action maps onto a native Envoy route field.
 */

function stringMatch(type: 'Exact' | 'RegularExpression', value: string): Record<string, unknown> {
  return type === 'Exact' ? { exact: value } : { safe_regex: { regex: value } };
}

function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function pathMatch(path: IrMatch['path']): Record<string, unknown> {
  if (path.type === 'Exact') return { path: path.value };
  if (path.type === 'RegularExpression') return { safe_regex: { regex: path.value } };
  // path_separated_prefix matches `/foo` and `/foo/...` but not `/foobar`, exactly the spec's PathPrefix.
  return path.value === '/' ? { prefix: '/' } : { path_separated_prefix: path.value };
}

function routeMatch(match: IrMatch): Record<string, unknown> {
  const out = pathMatch(match.path);
  const headers = match.headers.map((h) => ({ name: h.name, string_match: stringMatch(h.type, h.value) }));
  if (match.method !== undefined) headers.push({ name: ':method', string_match: { exact: match.method } });
  if (headers.length > 0) out['headers'] = headers;
  if (match.queryParams.length > 0) out['query_parameters'] = match.queryParams.map((q) => ({ name: q.name, string_match: stringMatch(q.type, q.value) }));
  return out;
}

function headerOptions(modifier: IrHeaderModifier): Record<string, unknown>[] {
  return [
    ...modifier.set.map((h) => ({ header: { key: h.name, value: h.value }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' })),
    ...modifier.add.map((h) => ({ header: { key: h.name, value: h.value }, append_action: 'APPEND_IF_EXISTS_OR_ADD' })),
  ];
}

function headerFields(route: Pick<IrRoute, 'requestHeaders' | 'responseHeaders'>, out: Record<string, unknown>): void {
  for (const [modifier, prefix] of [
    [route.requestHeaders, 'request'],
    [route.responseHeaders, 'response'],
  ] as const) {
    if (modifier === undefined) continue;
    const add = headerOptions(modifier);
    if (add.length > 0) out[`${prefix}_headers_to_add`] = add;
    if (modifier.remove.length > 0) out[`${prefix}_headers_to_remove`] = modifier.remove;
  }
}

/** URLRewrite path: ReplacePrefixMatch with `/` must not leave a double slash (`/foo/bar` → `/bar`). */
function pathRewrite(route: IrRoute, path: { type: string; value: string }): Record<string, unknown> {
  if (path.type === 'ReplaceFullPath') return { regex_rewrite: { pattern: { regex: '^/.*$' }, substitution: path.value } };
  const prefix = route.match.path.value;
  if (path.value === '/' || path.value === '') {
    return { regex_rewrite: { pattern: { regex: `^${escapeRegex(prefix === '/' ? '' : prefix)}/*` }, substitution: '/' } };
  }
  return { prefix_rewrite: path.value };
}

const REDIRECT_CODES: Record<number, string> = {
  301: 'MOVED_PERMANENTLY',
  302: 'FOUND',
  303: 'SEE_OTHER',
  307: 'TEMPORARY_REDIRECT',
  308: 'PERMANENT_REDIRECT',
};

const WELL_KNOWN_PORTS: Record<string, number> = { http: 80, https: 443 };

/**
 * The redirect port (spec, HTTPRequestRedirectFilter `port`): the given port; else the well-known
 * port of a new scheme; else the listener's port. A well-known port for the resulting scheme is
 * left out of Location — Envoy then writes the host without a port (the HCM strips the request's).
 */
function redirectPort(action: Extract<IrAction, { kind: 'redirect' }>, listener: IrPort): number | undefined {
  const scheme = action.scheme ?? (listener.protocol === 'HTTPS' ? 'https' : 'http');
  const port = action.port ?? (action.scheme !== undefined ? WELL_KNOWN_PORTS[action.scheme] : listener.port);
  return port === WELL_KNOWN_PORTS[scheme] ? undefined : port;
}

function redirect(route: IrRoute, action: Extract<IrAction, { kind: 'redirect' }>, listener: IrPort): Record<string, unknown> {
  const out: Record<string, unknown> = { response_code: REDIRECT_CODES[action.statusCode] };
  if (action.scheme !== undefined) out['scheme_redirect'] = action.scheme;
  if (action.hostname !== undefined) out['host_redirect'] = action.hostname;
  const port = redirectPort(action, listener);
  if (port !== undefined) out['port_redirect'] = port;
  if (action.path?.type === 'ReplaceFullPath') out['path_redirect'] = action.path.value;
  if (action.path?.type === 'ReplacePrefixMatch') {
    // `/` as the replacement must not produce `//rest`; Envoy's regex_rewrite in redirects does the same as in routes.
    const rewrite = pathRewrite(route, action.path);
    Object.assign(out, rewrite);
  }
  return out;
}

function forward(route: IrRoute, action: Extract<IrAction, { kind: 'forward' }>): Record<string, unknown> {
  const weighted: Record<string, unknown>[] = action.backends.map((b) => {
    const entry: Record<string, unknown> = { name: b.cluster, weight: b.weight };
    headerFields(b, entry);
    return entry;
  });
  if (action.invalidWeight > 0) weighted.push({ name: INVALID_BACKEND_CLUSTER, weight: action.invalidWeight });
  // A single backend without its own header filters is a plain cluster route.
  const only = weighted.length === 1 && Object.keys(weighted[0] ?? {}).length === 2 ? weighted[0] : undefined;
  const out: Record<string, unknown> = only !== undefined ? { cluster: only['name'] } : { weighted_clusters: { clusters: weighted } };
  if (action.rewrite?.hostname !== undefined) out['host_rewrite_literal'] = action.rewrite.hostname;
  if (action.rewrite?.path !== undefined) Object.assign(out, pathRewrite(route, action.rewrite.path));
  if (route.timeouts?.request !== undefined) out['timeout'] = route.timeouts.request;
  if (route.timeouts?.backendRequest !== undefined) out['retry_policy'] = { num_retries: 0, per_try_timeout: route.timeouts.backendRequest };
  if (route.mirrors.length > 0) {
    out['request_mirror_policies'] = route.mirrors.map((m) => ({
      cluster: m.cluster,
      runtime_fraction: { default_value: { numerator: m.perMillion, denominator: 'MILLION' } },
    }));
  }
  return out;
}

export function buildRoute(route: IrRoute, listener: IrPort): Record<string, unknown> {
  const out: Record<string, unknown> = { name: route.name, match: routeMatch(route.match) };
  const action = route.action;
  if (action.kind === 'forward') out['route'] = forward(route, action);
  else if (action.kind === 'redirect') out['redirect'] = redirect(route, action, listener);
  else out['direct_response'] = action.body === undefined ? { status: action.status } : { status: action.status, body: { inline_string: action.body } };
  headerFields(route, out);
  return out;
}

function virtualHost(vhost: IrVirtualHost, listener: IrPort): Record<string, unknown> {
  return { name: vhost.name, domains: vhost.domains, routes: vhost.routes.map((r) => buildRoute(r, listener)) };
}

/** The routes of one chain of `listener` (redirects depend on the listener's port and protocol). */
export function buildRouteConfiguration(chain: IrChain, listener: IrPort): EnvoyResource {
  return {
    '@type': XDS_TYPE_URLS.route,
    name: chain.routeConfigName,
    virtual_hosts: chain.virtualHosts.map((v) => virtualHost(v, listener)),
    // Clients send `host:port` on non-default ports: match hostnames without the port, but
    // forward the Host header as the client sent it (strip_any_host_port would rewrite it).
    ignore_port_in_host_matching: true,
  };
}

/** Stands for a list spliced in as JSON text; a string no Kubernetes name or Envoy field can hold. */
const SPLICE = '\u0000splice\u0000';
const SPLICE_JSON = JSON.stringify(SPLICE);

function splice(shell: string, items: readonly string[]): string {
  const at = shell.indexOf(SPLICE_JSON);
  if (at < 0) throw new Error('splice point missing');
  return `${shell.slice(0, at)}[${items.join(',')}]${shell.slice(at + SPLICE_JSON.length)}`;
}

/**
 * JSON.stringify of one virtual host of {@link buildRouteConfiguration}, from the JSON of its
 * routes (`JSON.stringify(buildRoute(...))` each): lets an incremental render reuse the text of
 * routes that did not change. Same bytes as serializing the whole object.
 */
export function virtualHostJson(vhost: Pick<IrVirtualHost, 'name' | 'domains'>, listener: IrPort, routeJsons: readonly string[]): string {
  const shell = virtualHost({ ...vhost, routes: [] }, listener);
  shell['routes'] = SPLICE;
  return splice(JSON.stringify(shell), routeJsons);
}

/** JSON.stringify of {@link buildRouteConfiguration} from the JSON of its virtual hosts ({@link virtualHostJson}). */
export function routeConfigurationJson(chain: Pick<IrChain, 'routeConfigName'>, listener: IrPort, virtualHostJsons: readonly string[]): string {
  const { before, after } = routeConfigurationShell(chain, listener);
  return `${before}${virtualHostJsons.join(',')}${after}`;
}

/**
 * The JSON of {@link buildRouteConfiguration} around its virtual hosts: `before` + the virtual
 * hosts' JSON joined by commas + `after` is the whole (for callers that assemble bytes).
 */
export function routeConfigurationShell(chain: Pick<IrChain, 'routeConfigName'>, listener: IrPort): { before: string; after: string } {
  const shell = buildRouteConfiguration({ routeConfigName: chain.routeConfigName, virtualHosts: [] }, listener);
  shell['virtual_hosts'] = SPLICE;
  const json = JSON.stringify(shell);
  const at = json.indexOf(SPLICE_JSON);
  if (at < 0) throw new Error('splice point missing');
  return { before: `${json.slice(0, at)}[`, after: `]${json.slice(at + SPLICE_JSON.length)}` };
}
