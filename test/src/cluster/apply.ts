// Server-side apply of manifests through the REST client, for the kinds the suites and the
// conformance base manifests use. A kind outside the table is an error rather than a guess at its
// plural: the API server would answer 404 for a wrong one, far from the cause.
import type { KubeObject, KubeRest } from './rest.js';

export const APPLY_PATCH = 'application/apply-patch+yaml';

interface Resource {
  /** `/api/v1` or `/apis/<group>/<version>` */
  prefix: string;
  plural: string;
  namespaced: boolean;
}

const RESOURCES: Readonly<Record<string, Resource>> = {
  'v1/Namespace': { prefix: '/api/v1', plural: 'namespaces', namespaced: false },
  'v1/Service': { prefix: '/api/v1', plural: 'services', namespaced: true },
  'v1/ConfigMap': { prefix: '/api/v1', plural: 'configmaps', namespaced: true },
  'v1/Secret': { prefix: '/api/v1', plural: 'secrets', namespaced: true },
  'v1/ServiceAccount': { prefix: '/api/v1', plural: 'serviceaccounts', namespaced: true },
  'rbac.authorization.k8s.io/v1/ClusterRole': { prefix: '/apis/rbac.authorization.k8s.io/v1', plural: 'clusterroles', namespaced: false },
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': { prefix: '/apis/rbac.authorization.k8s.io/v1', plural: 'clusterrolebindings', namespaced: false },
  'apps/v1/Deployment': { prefix: '/apis/apps/v1', plural: 'deployments', namespaced: true },
  'gateway.networking.k8s.io/v1/GatewayClass': { prefix: '/apis/gateway.networking.k8s.io/v1', plural: 'gatewayclasses', namespaced: false },
  'gateway.networking.k8s.io/v1/Gateway': { prefix: '/apis/gateway.networking.k8s.io/v1', plural: 'gateways', namespaced: true },
  'gateway.networking.k8s.io/v1/HTTPRoute': { prefix: '/apis/gateway.networking.k8s.io/v1', plural: 'httproutes', namespaced: true },
  'microgateway.dev/v1alpha1/GatewayParameters': { prefix: '/apis/microgateway.dev/v1alpha1', plural: 'gatewayparameters', namespaced: true },
};

/** The object's REST path, e.g. `/apis/apps/v1/namespaces/ns/deployments/name`. */
export function objectPath(obj: KubeObject): string {
  const key = `${obj.apiVersion ?? ''}/${obj.kind ?? ''}`;
  const resource = RESOURCES[key];
  if (!resource) throw new Error(`cannot apply ${key} ${obj.metadata.name}: kind not known to apply.ts (${Object.keys(RESOURCES).join(', ')})`);
  const name = encodeURIComponent(obj.metadata.name);
  if (!resource.namespaced) return `${resource.prefix}/${resource.plural}/${name}`;
  const namespace = obj.metadata.namespace ?? 'default';
  return `${resource.prefix}/namespaces/${encodeURIComponent(namespace)}/${resource.plural}/${name}`;
}

/** Applies each object in order (Namespaces first in the input, as manifests list them), taking ownership of conflicting fields. */
export async function serverSideApply(rest: KubeRest, objects: readonly KubeObject[], fieldManager: string): Promise<void> {
  for (const obj of objects) {
    await rest.request('PATCH', `${objectPath(obj)}?fieldManager=${encodeURIComponent(fieldManager)}&force=true`, obj, APPLY_PATCH);
  }
}
