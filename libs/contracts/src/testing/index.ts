/**
 * Builders of valid objects for tests, with sensible defaults: the defaults of every builder fit
 * together (the HTTPRoute attaches to the Gateway, which uses the GatewayClass of the default
 * instance; the backend Service exists). Every builder validates its result with the contract.
 */
import { DEFAULT_INSTANCE, controllerName } from '../instance.js';
import type { EndpointSlice, Namespace, Secret, Service } from '../gatewayapi/core.js';
import { endpointSliceSchema, namespaceSchema, secretSchema, serviceSchema, SERVICE_NAME_LABEL } from '../gatewayapi/core.js';
import type { Gateway, GatewayClass, GatewaySpec, Listener } from '../gatewayapi/gateway.js';
import { gatewayClassSchema, gatewaySchema, listenerSchema } from '../gatewayapi/gateway.js';
import type { HttpBackendRef, HttpRoute, HttpRouteRule } from '../gatewayapi/httproute.js';
import { httpRouteRuleSchema, httpRouteSchema } from '../gatewayapi/httproute.js';
import type { ObjectMeta } from '../gatewayapi/meta.js';
import { GATEWAY_API_GROUP, GATEWAY_API_V1, GATEWAY_API_V1BETA1 } from '../gatewayapi/meta.js';
import type { ReferenceGrant } from '../gatewayapi/reference-grant.js';
import { referenceGrantSchema } from '../gatewayapi/reference-grant.js';

export const DEFAULTS = {
  namespace: 'default',
  gatewayClassName: 'microgateway',
  gatewayName: 'gw',
  routeName: 'route',
  serviceName: 'echo',
  servicePort: 8080,
} as const;

/** Metadata overrides shared by every builder. */
export type MetaOptions = Partial<Pick<ObjectMeta, 'name' | 'namespace' | 'labels' | 'annotations' | 'generation' | 'resourceVersion' | 'uid'>>;

function meta(defaults: { name: string; namespace?: string }, options: MetaOptions): ObjectMeta {
  return { generation: 1, resourceVersion: '1', ...defaults, ...options };
}

function namespaced(name: string, options: MetaOptions): ObjectMeta & { namespace: string } {
  return { namespace: DEFAULTS.namespace, ...meta({ name }, options) } as ObjectMeta & { namespace: string };
}

export function gatewayClass(options: MetaOptions & { controllerName?: string } = {}): GatewayClass {
  const { controllerName: controller = controllerName(DEFAULT_INSTANCE), ...metaOptions } = options;
  return gatewayClassSchema.parse({
    apiVersion: GATEWAY_API_V1,
    kind: 'GatewayClass',
    metadata: meta({ name: DEFAULTS.gatewayClassName }, metaOptions),
    spec: { controllerName: controller },
  });
}

/** An HTTP listener on port 80 unless overridden. */
export function listener(overrides: Partial<Listener> = {}): Listener {
  return listenerSchema.parse({ name: 'http', port: 80, protocol: 'HTTP', ...overrides });
}

/** An HTTPS listener terminating TLS with the Secret `certificateRef` (same namespace). */
export function httpsListener(certificateRef = 'tls-cert', overrides: Partial<Listener> = {}): Listener {
  return listener({
    name: 'https',
    port: 443,
    protocol: 'HTTPS',
    tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', group: '', name: certificateRef }] },
    ...overrides,
  });
}

export function gateway(options: MetaOptions & { spec?: Partial<GatewaySpec> } = {}): Gateway {
  const { spec, ...metaOptions } = options;
  return gatewaySchema.parse({
    apiVersion: GATEWAY_API_V1,
    kind: 'Gateway',
    metadata: namespaced(DEFAULTS.gatewayName, metaOptions),
    spec: { gatewayClassName: DEFAULTS.gatewayClassName, listeners: [listener()], ...spec },
  });
}

export function backendRef(overrides: Partial<HttpBackendRef> = {}): HttpBackendRef {
  return { name: DEFAULTS.serviceName, port: DEFAULTS.servicePort, ...overrides };
}

/** A rule matching every path (PathPrefix `/`) to the default backend unless overridden. */
export function httpRouteRule(overrides: Partial<HttpRouteRule> = {}): HttpRouteRule {
  return httpRouteRuleSchema.parse({
    matches: [{ path: { type: 'PathPrefix', value: '/' } }],
    backendRefs: [backendRef()],
    ...overrides,
  });
}

export function httpRoute(options: MetaOptions & { spec?: Partial<HttpRoute['spec']> } = {}): HttpRoute {
  const { spec, ...metaOptions } = options;
  return httpRouteSchema.parse({
    apiVersion: GATEWAY_API_V1,
    kind: 'HTTPRoute',
    metadata: namespaced(DEFAULTS.routeName, metaOptions),
    spec: { parentRefs: [{ name: DEFAULTS.gatewayName }], rules: [httpRouteRule()], ...spec },
  });
}

/** Allows HTTPRoutes in the default namespace to reference Services in `options.namespace` (default `backends`). */
export function referenceGrant(options: MetaOptions & { spec?: Partial<ReferenceGrant['spec']> } = {}): ReferenceGrant {
  const { spec, ...metaOptions } = options;
  return referenceGrantSchema.parse({
    apiVersion: GATEWAY_API_V1BETA1,
    kind: 'ReferenceGrant',
    metadata: namespaced('allow-routes', { namespace: 'backends', ...metaOptions }),
    spec: {
      from: [{ group: GATEWAY_API_GROUP, kind: 'HTTPRoute', namespace: DEFAULTS.namespace }],
      to: [{ group: '', kind: 'Service' }],
      ...spec,
    },
  });
}

export function service(options: MetaOptions & { ports?: number[] } = {}): Service {
  const { ports = [DEFAULTS.servicePort], ...metaOptions } = options;
  return serviceSchema.parse({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: namespaced(DEFAULTS.serviceName, metaOptions),
    spec: { type: 'ClusterIP', ports: ports.map((port) => ({ name: `port-${port}`, port, protocol: 'TCP' })) },
  });
}

/** A slice of the Service `serviceName` with one ready endpoint per address. */
export function endpointSlice(options: MetaOptions & { serviceName?: string; addresses?: string[]; port?: number } = {}): EndpointSlice {
  const { serviceName = DEFAULTS.serviceName, addresses = ['10.0.0.1'], port = DEFAULTS.servicePort, ...metaOptions } = options;
  const metadata = namespaced(`${serviceName}-abcde`, metaOptions);
  return endpointSliceSchema.parse({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { ...metadata, labels: { [SERVICE_NAME_LABEL]: serviceName, ...metadata.labels } },
    addressType: 'IPv4',
    endpoints: addresses.map((address) => ({ addresses: [address], conditions: { ready: true, serving: true } })),
    ports: [{ name: `port-${port}`, port, protocol: 'TCP' }],
  });
}

export function namespace(options: MetaOptions = {}): Namespace {
  const { namespace: _ignored, ...metaOptions } = options;
  return namespaceSchema.parse({ apiVersion: 'v1', kind: 'Namespace', metadata: meta({ name: DEFAULTS.namespace }, metaOptions) });
}

/** A `kubernetes.io/tls` Secret; the data are placeholders, not a usable key pair. */
export function tlsSecret(options: MetaOptions & { data?: Record<string, string> } = {}): Secret {
  const { data = { 'tls.crt': 'Y2VydA==', 'tls.key': 'a2V5' }, ...metaOptions } = options;
  return secretSchema.parse({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: namespaced('tls-cert', metaOptions),
    type: 'kubernetes.io/tls',
    data,
  });
}
