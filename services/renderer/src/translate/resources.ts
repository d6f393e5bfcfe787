import type {
  EndpointSlice,
  Gateway,
  GatewayClass,
  GatewayParameters,
  HttpRoute,
  Namespace,
  ReferenceGrant,
  Secret,
  Service,
} from '@microgateway/contracts';
import { gatewayParametersSchema, isResourceKind, resourceSchemas, GATEWAY_PARAMETERS_KIND } from '@microgateway/contracts';

/** Every object a translation may read. Lists in any order: lookups go through {@link ResourceIndex}. */
export interface Resources {
  gatewayClasses: GatewayClass[];
  gateways: Gateway[];
  httpRoutes: HttpRoute[];
  referenceGrants: ReferenceGrant[];
  services: Service[];
  endpointSlices: EndpointSlice[];
  namespaces: Namespace[];
  secrets: Secret[];
  gatewayParameters: GatewayParameters[];
}

export function emptyResources(): Resources {
  return {
    gatewayClasses: [],
    gateways: [],
    httpRoutes: [],
    referenceGrants: [],
    services: [],
    endpointSlices: [],
    namespaces: [],
    secrets: [],
    gatewayParameters: [],
  };
}

/** An object of a file that could not be used, with why. */
export interface RejectedObject {
  index: number;
  kind: string;
  name: string;
  error: string;
}

const LIST_OF_KIND: Record<string, keyof Resources> = {
  GatewayClass: 'gatewayClasses',
  Gateway: 'gateways',
  HTTPRoute: 'httpRoutes',
  ReferenceGrant: 'referenceGrants',
  Service: 'services',
  EndpointSlice: 'endpointSlices',
  Namespace: 'namespaces',
  Secret: 'secrets',
  [GATEWAY_PARAMETERS_KIND]: 'gatewayParameters',
};

function describe(value: unknown): { kind: string; name: string } {
  const obj = (typeof value === 'object' && value !== null ? value : {}) as { kind?: unknown; metadata?: { name?: unknown } };
  return { kind: typeof obj.kind === 'string' ? obj.kind : '', name: typeof obj.metadata?.name === 'string' ? obj.metadata.name : '' };
}

function parseOne(kind: string, value: unknown): { ok: true; value: unknown } | { ok: false; error: string } {
  const schema = kind === GATEWAY_PARAMETERS_KIND ? gatewayParametersSchema : isResourceKind(kind) ? resourceSchemas[kind] : undefined;
  if (schema === undefined) return { ok: false, error: `kind ${JSON.stringify(kind)} is not translated` };
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
}

/**
 * Sorts Kubernetes objects (e.g. the documents of a YAML file) into {@link Resources}, parsing each
 * with its contract. Objects that fail are returned, not thrown: a file with one bad object still
 * translates the rest.
 */
export function resourcesFromObjects(objects: readonly unknown[]): { resources: Resources; rejected: RejectedObject[] } {
  const resources = emptyResources();
  const rejected: RejectedObject[] = [];
  objects.forEach((value, index) => {
    if (value === null || value === undefined) return;
    const { kind, name } = describe(value);
    const list = LIST_OF_KIND[kind];
    const parsed = parseOne(kind, value);
    if (list === undefined || !parsed.ok) {
      rejected.push({ index, kind, name, error: parsed.ok ? `kind ${JSON.stringify(kind)} is not translated` : parsed.error });
      return;
    }
    (resources[list] as unknown[]).push(parsed.value);
  });
  return { resources, rejected };
}

function nsKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function byNamespacedName<T extends { metadata: { namespace: string; name: string } }>(items: readonly T[]): Map<string, T> {
  return new Map(items.map((item) => [nsKey(item.metadata.namespace, item.metadata.name), item]));
}

/** Lookups over {@link Resources}, built once per translation. */
export class ResourceIndex {
  readonly resources: Resources;
  private readonly services: Map<string, Service>;
  private readonly secrets: Map<string, Secret>;
  private readonly parameters: Map<string, GatewayParameters>;
  private readonly namespaces: Map<string, Namespace>;
  private readonly slicesByService = new Map<string, EndpointSlice[]>();

  constructor(resources: Resources) {
    this.resources = resources;
    this.services = byNamespacedName(resources.services);
    this.secrets = byNamespacedName(resources.secrets);
    this.parameters = byNamespacedName(resources.gatewayParameters);
    this.namespaces = new Map(resources.namespaces.map((ns) => [ns.metadata.name, ns]));
    for (const slice of resources.endpointSlices) {
      const service = slice.metadata.labels?.['kubernetes.io/service-name'];
      if (service === undefined) continue;
      const key = nsKey(slice.metadata.namespace, service);
      this.slicesByService.set(key, [...(this.slicesByService.get(key) ?? []), slice]);
    }
  }

  service(namespace: string, name: string): Service | undefined {
    return this.services.get(nsKey(namespace, name));
  }

  secret(namespace: string, name: string): Secret | undefined {
    return this.secrets.get(nsKey(namespace, name));
  }

  gatewayParameters(namespace: string, name: string): GatewayParameters | undefined {
    return this.parameters.get(nsKey(namespace, name));
  }

  /** Labels of a namespace, including the `kubernetes.io/metadata.name` label the API server always sets. */
  namespaceLabels(name: string): Record<string, string> {
    return { ...this.namespaces.get(name)?.metadata.labels, 'kubernetes.io/metadata.name': name };
  }

  endpointSlices(namespace: string, service: string): EndpointSlice[] {
    return this.slicesByService.get(nsKey(namespace, service)) ?? [];
  }
}
