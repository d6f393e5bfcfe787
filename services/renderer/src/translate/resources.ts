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

/**
 * One lookup a translation made and what it got: the incremental renderer replays these against the
 * next render's index to tell whether a memoized translation still holds (same objects, by identity).
 * `key` is the lookup's map key (`namespace/name`, a namespace's name, or a grant's namespace).
 */
export type IndexRead =
  | { kind: 'service' | 'secret' | 'gatewayParameters' | 'namespace'; key: string; got: object | undefined }
  | { kind: 'endpointSlices' | 'referenceGrants'; key: string; got: readonly object[] };

/** The answer of a list lookup that finds nothing (shared: it is never changed). */
const NONE: readonly never[] = [];

/**
 * Lookups over {@link Resources}, built once per translation. Every lookup a translation makes goes
 * through a method here that records it (see {@link ResourceIndex.recording}): the incremental
 * renderer reuses a route's translation only while its recorded lookups give the same objects, so a
 * lookup that bypassed this (e.g. reading `resources` directly) would make it miss changes.
 */
export class ResourceIndex {
  readonly resources: Resources;
  private readonly services: Map<string, Service>;
  private readonly secrets: Map<string, Secret>;
  private readonly parameters: Map<string, GatewayParameters>;
  private readonly namespaces: Map<string, Namespace>;
  private readonly slicesByService = new Map<string, EndpointSlice[]>();
  private readonly grantsByNamespace = new Map<string, ReferenceGrant[]>();
  /** When set, every lookup is appended here (see {@link ResourceIndex.recording}). */
  private reads: IndexRead[] | undefined;

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
      let slices = this.slicesByService.get(key);
      if (slices === undefined) this.slicesByService.set(key, (slices = []));
      slices.push(slice);
    }
    for (const grant of resources.referenceGrants) {
      let grants = this.grantsByNamespace.get(grant.metadata.namespace);
      if (grants === undefined) this.grantsByNamespace.set(grant.metadata.namespace, (grants = []));
      grants.push(grant);
    }
  }

  /** Runs `task`, returning its result and every lookup it made (nested recordings are not supported). */
  recording<T>(task: () => T): { result: T; reads: IndexRead[] } {
    const reads: IndexRead[] = [];
    this.reads = reads;
    try {
      return { result: task(), reads };
    } finally {
      this.reads = undefined;
    }
  }

  /** Whether every lookup in `reads` gives the same objects here as when it was recorded. */
  sameAs(reads: readonly IndexRead[]): boolean {
    for (const read of reads) {
      if (read.kind === 'endpointSlices' || read.kind === 'referenceGrants') {
        const now = (read.kind === 'endpointSlices' ? this.slicesByService.get(read.key) : this.grantsByNamespace.get(read.key)) ?? NONE;
        if (now.length !== read.got.length || now.some((object, i) => object !== read.got[i])) return false;
      } else if (this.mapOf(read.kind).get(read.key) !== read.got) return false;
    }
    return true;
  }

  private mapOf(kind: 'service' | 'secret' | 'gatewayParameters' | 'namespace'): Map<string, object> {
    if (kind === 'service') return this.services;
    if (kind === 'secret') return this.secrets;
    if (kind === 'gatewayParameters') return this.parameters;
    return this.namespaces;
  }

  private lookup<T extends object>(kind: 'service' | 'secret' | 'gatewayParameters' | 'namespace', map: Map<string, T>, key: string): T | undefined {
    const got = map.get(key);
    this.reads?.push({ kind, key, got });
    return got;
  }

  service(namespace: string, name: string): Service | undefined {
    return this.lookup('service', this.services, nsKey(namespace, name));
  }

  secret(namespace: string, name: string): Secret | undefined {
    return this.lookup('secret', this.secrets, nsKey(namespace, name));
  }

  gatewayParameters(namespace: string, name: string): GatewayParameters | undefined {
    return this.lookup('gatewayParameters', this.parameters, nsKey(namespace, name));
  }

  /** Labels of a namespace, including the `kubernetes.io/metadata.name` label the API server always sets. */
  namespaceLabels(name: string): Record<string, string> {
    return { ...this.lookup('namespace', this.namespaces, name)?.metadata.labels, 'kubernetes.io/metadata.name': name };
  }

  endpointSlices(namespace: string, service: string): readonly EndpointSlice[] {
    const key = nsKey(namespace, service);
    const got = this.slicesByService.get(key) ?? NONE;
    this.reads?.push({ kind: 'endpointSlices', key, got });
    return got;
  }

  /** The ReferenceGrants in `namespace` (a grant allows references into its own namespace only). */
  referenceGrants(namespace: string): readonly ReferenceGrant[] {
    const got = this.grantsByNamespace.get(namespace) ?? NONE;
    this.reads?.push({ kind: 'referenceGrants', key: namespace, got });
    return got;
  }
}
