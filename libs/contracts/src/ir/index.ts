/**
 * The intermediate representation between the two stages of the renderer: Gateway API objects →
 * IR (Gateway API semantics resolved: attachment, hostnames, precedence, references) → Envoy
 * resources (Envoy specifics only). Plain data, sorted, so two equal IRs serialize identically.
 */

export interface IrGatewayRef {
  namespace: string;
  name: string;
}

/** One Gateway's data plane. */
export interface GatewayIr {
  gateway: IrGatewayRef;
  /** One entry per Gateway port, ascending. */
  ports: IrPort[];
  /** Every upstream cluster any route or mirror uses, by name. */
  clusters: IrCluster[];
  /** TLS certificates the HTTPS listeners present, by name. */
  secrets: IrSecret[];
}

export type IrProtocol = 'HTTP' | 'HTTPS';

/** Everything one Envoy listener serves: the Gateway listeners that share a port. */
export interface IrPort {
  /** The Gateway listener port. */
  port: number;
  /** The port Envoy binds (port + 10000). */
  containerPort: number;
  protocol: IrProtocol;
  /** HTTP: exactly one chain. HTTPS: one chain per Gateway listener (selected by SNI). */
  chains: IrChain[];
}

export interface IrChain {
  /** The RouteConfiguration name (unique in the Gateway). */
  routeConfigName: string;
  /** SNI names selecting this chain; absent for the chain without a listener hostname. */
  serverNames?: string[];
  /** Names of the {@link IrSecret}s this chain presents (HTTPS only). */
  secretNames?: string[];
  virtualHosts: IrVirtualHost[];
}

export interface IrVirtualHost {
  name: string;
  /** One domain: a host name, a `*.` wildcard, or `*`. */
  domains: string[];
  /** Ordered by Gateway API precedence: Envoy takes the first route that matches. */
  routes: IrRoute[];
}

/** Where a route came from, for names, precedence tie-breaks and debugging. */
export interface IrRouteSource {
  namespace: string;
  name: string;
  /** creationTimestamp of the HTTPRoute, '' when unknown (sorts first). */
  creationTimestamp: string;
  ruleIndex: number;
  matchIndex: number;
}

export type IrPathMatchType = 'Exact' | 'PathPrefix' | 'RegularExpression';
export type IrValueMatchType = 'Exact' | 'RegularExpression';

export interface IrValueMatch {
  type: IrValueMatchType;
  name: string;
  value: string;
}

export interface IrMatch {
  path: { type: IrPathMatchType; value: string };
  method?: string;
  headers: IrValueMatch[];
  queryParams: IrValueMatch[];
}

export interface IrHeader {
  name: string;
  value: string;
}

export interface IrHeaderModifier {
  set: IrHeader[];
  add: IrHeader[];
  remove: string[];
}

export interface IrPathModifier {
  type: 'ReplaceFullPath' | 'ReplacePrefixMatch';
  value: string;
}

export interface IrWeightedCluster {
  cluster: string;
  weight: number;
  /** Header changes of filters on this backendRef only (HTTPBackendRef `filters`). */
  requestHeaders?: IrHeaderModifier;
  responseHeaders?: IrHeaderModifier;
}

/** Requests are sent to backends (weights relative); `invalidWeight` is the share that must get a 500. */
export interface IrForward {
  kind: 'forward';
  backends: IrWeightedCluster[];
  invalidWeight: number;
  rewrite?: { hostname?: string; path?: IrPathModifier };
}

export interface IrRedirect {
  kind: 'redirect';
  scheme?: string;
  hostname?: string;
  port?: number;
  path?: IrPathModifier;
  statusCode: number;
}

/** A fixed answer: an unresolved backend or filter answers 500 (Gateway API requires it). */
export interface IrDirectResponse {
  kind: 'direct';
  status: number;
  body?: string;
}

export type IrAction = IrForward | IrRedirect | IrDirectResponse;

export interface IrMirror {
  cluster: string;
  /** Percentage of requests mirrored, 0–100 (fractions are converted to a per-million share). */
  perMillion: number;
}

export interface IrTimeouts {
  /** Envoy duration strings (e.g. `10s`, `0.500s`); `0s` disables. */
  request?: string;
  backendRequest?: string;
}

export interface IrRoute {
  /** Unique in its virtual host: `httproute/<ns>/<name>/rule/<i>/match/<j>`. */
  name: string;
  source: IrRouteSource;
  match: IrMatch;
  action: IrAction;
  requestHeaders?: IrHeaderModifier;
  responseHeaders?: IrHeaderModifier;
  mirrors: IrMirror[];
  timeouts?: IrTimeouts;
}

export interface IrEndpoint {
  address: string;
  port: number;
}

/** An upstream: one Service port. Its name is `<namespace>/<service>/<port>`, stable across route edits. */
export interface IrCluster {
  name: string;
  service: { namespace: string; name: string; port: number };
  /** The Service port's appProtocol is `kubernetes.io/h2c`: speak HTTP/2 in clear text upstream. */
  http2?: boolean;
  /** Ready endpoints from the Service's EndpointSlices, sorted. */
  endpoints: IrEndpoint[];
}

/** A certificate and key from a `kubernetes.io/tls` Secret (base64 PEM, as Kubernetes stores them). */
export interface IrSecret {
  /** `<namespace>/<secret>`. */
  name: string;
  certificateChain: string;
  privateKey: string;
}
