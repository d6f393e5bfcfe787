import { API_GROUP, GATEWAY_API_GROUP } from '@microgateway/contracts';

/** Which bucket an object is mirrored into: Secret payloads never share a bucket with the rest. */
export type MirrorBucket = 'resources' | 'secrets';

/** A kind the watcher lists and watches, and where its objects go. */
export interface WatchedKind {
  readonly kind: string;
  /** '' for the core group. */
  readonly group: string;
  readonly version: string;
  /** The resource name in API paths, e.g. httproutes. */
  readonly plural: string;
  readonly namespaced: boolean;
  readonly bucket: MirrorBucket;
}

/**
 * The kinds every instance watches. ReferenceGrant is read as v1beta1: every Gateway API release
 * serves it, while v1 exists only from 1.5 on.
 */
export const BUILTIN_KINDS: readonly WatchedKind[] = [
  { kind: 'GatewayClass', group: GATEWAY_API_GROUP, version: 'v1', plural: 'gatewayclasses', namespaced: false, bucket: 'resources' },
  { kind: 'Gateway', group: GATEWAY_API_GROUP, version: 'v1', plural: 'gateways', namespaced: true, bucket: 'resources' },
  { kind: 'HTTPRoute', group: GATEWAY_API_GROUP, version: 'v1', plural: 'httproutes', namespaced: true, bucket: 'resources' },
  { kind: 'ReferenceGrant', group: GATEWAY_API_GROUP, version: 'v1beta1', plural: 'referencegrants', namespaced: true, bucket: 'resources' },
  { kind: 'Namespace', group: '', version: 'v1', plural: 'namespaces', namespaced: false, bucket: 'resources' },
  { kind: 'Service', group: '', version: 'v1', plural: 'services', namespaced: true, bucket: 'resources' },
  { kind: 'EndpointSlice', group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', namespaced: true, bucket: 'resources' },
  { kind: 'Secret', group: '', version: 'v1', plural: 'secrets', namespaced: true, bucket: 'secrets' },
];

/** `group/version`, or just `version` for the core group: the apiVersion objects carry. */
export function apiVersionOf(kind: WatchedKind): string {
  return kind.group === '' ? kind.version : `${kind.group}/${kind.version}`;
}

/** The cluster-wide collection path of a kind, e.g. /apis/gateway.networking.k8s.io/v1/httproutes. */
export function collectionPath(kind: WatchedKind): string {
  const base = kind.group === '' ? `/api/${kind.version}` : `/apis/${kind.group}/${kind.version}`;
  return `${base}/${kind.plural}`;
}

/** One resource of an API discovery document (`GET /apis/<group>/<version>`). */
export interface DiscoveredResource {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs: readonly string[];
}

/**
 * The microgateway.dev kinds to watch from a discovery document of the group's preferred version:
 * top-level resources (not subresources such as `x/status`) that can be listed and watched.
 */
export function microgatewayKinds(version: string, resources: readonly DiscoveredResource[]): WatchedKind[] {
  return resources
    .filter((r) => !r.name.includes('/') && r.verbs.includes('list') && r.verbs.includes('watch'))
    .map((r) => ({ kind: r.kind, group: API_GROUP, version, plural: r.name, namespaced: r.namespaced, bucket: 'resources' as const }))
    .sort((a, b) => a.kind.localeCompare(b.kind));
}
