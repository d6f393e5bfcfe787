// The API resources the RBAC table talks about: where each lives, and a minimal valid object of it,
// so an allowed request really succeeds (2xx) instead of merely getting past authorization.

export interface ResourceInfo {
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
  kind: string;
  /** A minimal valid object (without apiVersion, kind and metadata). */
  sample?: (namespace: string) => Record<string, unknown>;
}

const GATEWAY_API = 'gateway.networking.k8s.io';
const labels = { app: 'rbac-itest' };

export const RESOURCES = {
  deployments: {
    group: 'apps', version: 'v1', plural: 'deployments', namespaced: true, kind: 'Deployment',
    sample: () => ({ spec: { replicas: 0, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'engine', image: 'engine:test' }] } } } }),
  },
  services: { group: '', version: 'v1', plural: 'services', namespaced: true, kind: 'Service', sample: () => ({ spec: { selector: labels, ports: [{ port: 80 }] } }) },
  configmaps: { group: '', version: 'v1', plural: 'configmaps', namespaced: true, kind: 'ConfigMap', sample: () => ({ data: { 'envoy.json': '{}' } }) },
  serviceaccounts: { group: '', version: 'v1', plural: 'serviceaccounts', namespaced: true, kind: 'ServiceAccount', sample: () => ({ automountServiceAccountToken: false }) },
  poddisruptionbudgets: {
    group: 'policy', version: 'v1', plural: 'poddisruptionbudgets', namespaced: true, kind: 'PodDisruptionBudget',
    sample: () => ({ spec: { minAvailable: 1, selector: { matchLabels: labels } } }),
  },
  secrets: { group: '', version: 'v1', plural: 'secrets', namespaced: true, kind: 'Secret', sample: () => ({ type: 'Opaque', stringData: { key: 'value' } }) },
  pods: { group: '', version: 'v1', plural: 'pods', namespaced: true, kind: 'Pod', sample: () => ({ spec: { containers: [{ name: 'c', image: 'c:test' }] } }) },
  namespaces: { group: '', version: 'v1', plural: 'namespaces', namespaced: false, kind: 'Namespace', sample: () => ({}) },
  events: {
    group: '', version: 'v1', plural: 'events', namespaced: true, kind: 'Event',
    sample: (namespace) => ({ involvedObject: { apiVersion: `${GATEWAY_API}/v1`, kind: 'Gateway', namespace, name: 'gw' }, reason: 'Test', message: 'rbac itest', type: 'Normal' }),
  },
  'events.k8s.io/events': { group: 'events.k8s.io', version: 'v1', plural: 'events', namespaced: true, kind: 'Event' },
  endpointslices: { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', namespaced: true, kind: 'EndpointSlice', sample: () => ({ addressType: 'IPv4', endpoints: [] }) },
  leases: { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespaced: true, kind: 'Lease', sample: () => ({ spec: { holderIdentity: 'rbac-itest' } }) },
  gatewayclasses: { group: GATEWAY_API, version: 'v1', plural: 'gatewayclasses', namespaced: false, kind: 'GatewayClass', sample: () => ({ spec: { controllerName: 'microgateway.dev/rbac-itest' } }) },
  gateways: {
    group: GATEWAY_API, version: 'v1', plural: 'gateways', namespaced: true, kind: 'Gateway',
    sample: () => ({ spec: { gatewayClassName: 'rbac-itest', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } }),
  },
  httproutes: { group: GATEWAY_API, version: 'v1', plural: 'httproutes', namespaced: true, kind: 'HTTPRoute', sample: () => ({ spec: { parentRefs: [{ name: 'gw' }] } }) },
  referencegrants: { group: GATEWAY_API, version: 'v1beta1', plural: 'referencegrants', namespaced: true, kind: 'ReferenceGrant' },
  gatewayparameters: { group: 'microgateway.dev', version: 'v1alpha1', plural: 'gatewayparameters', namespaced: true, kind: 'GatewayParameters' },
  roles: { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'roles', namespaced: true, kind: 'Role', sample: () => ({ rules: [] }) },
  clusterroles: { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterroles', namespaced: false, kind: 'ClusterRole', sample: () => ({ rules: [] }) },
  rolebindings: {
    group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'rolebindings', namespaced: true, kind: 'RoleBinding',
    sample: (namespace) => ({ roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' }, subjects: [{ kind: 'ServiceAccount', name: 'default', namespace }] }),
  },
  clusterrolebindings: {
    group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterrolebindings', namespaced: false, kind: 'ClusterRoleBinding',
    sample: () => ({ roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'default' }] }),
  },
  mutatingwebhookconfigurations: {
    group: 'admissionregistration.k8s.io', version: 'v1', plural: 'mutatingwebhookconfigurations', namespaced: false, kind: 'MutatingWebhookConfiguration',
    // No rules: the webhook is never called, so it cannot get in the way of the other rows' requests.
    sample: () => ({ webhooks: [{ name: 'rbac-itest.microgateway.dev', clientConfig: { url: 'https://rbac-itest.invalid/' }, sideEffects: 'None', admissionReviewVersions: ['v1'], rules: [] }] }),
  },
  validatingwebhookconfigurations: { group: 'admissionregistration.k8s.io', version: 'v1', plural: 'validatingwebhookconfigurations', namespaced: false, kind: 'ValidatingWebhookConfiguration' },
  users: { group: '', version: 'v1', plural: 'users', namespaced: false, kind: 'User' },
} satisfies Record<string, ResourceInfo>;

export type ResourceName = keyof typeof RESOURCES;

/** The collection path of a resource; `namespace` undefined for a namespaced one means every namespace. */
export function collectionPath(info: ResourceInfo, namespace: string | undefined): string {
  const base = info.group === '' ? `/api/${info.version}` : `/apis/${info.group}/${info.version}`;
  return info.namespaced && namespace !== undefined ? `${base}/namespaces/${namespace}/${info.plural}` : `${base}/${info.plural}`;
}

/**
 * A complete object of the resource, named `name`; without a sample, only its type and name (enough
 * for a request that authorization refuses before the body is read).
 */
export function sampleObject(info: ResourceInfo, name: string, namespace: string | undefined): Record<string, unknown> {
  const apiVersion = info.group === '' ? info.version : `${info.group}/${info.version}`;
  return { apiVersion, kind: info.kind, metadata: { name, ...(info.namespaced ? { namespace } : {}), labels }, ...info.sample?.(namespace ?? '') };
}
