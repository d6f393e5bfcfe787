// Turns a row of the RBAC table into what the apiserver is asked: the SubjectAccessReview
// attributes, and the real request a service would make (with the admin's preparation that makes
// an allowed request succeed: the object to read, update, delete or write the status of exists).
import type { KubeControlPlane } from '../harness/index.js';
import { apiRequest, type ApiRequest, type ResourceAttributes } from './impersonation.js';
import { EVERY_NAMESPACE, GATEWAY_NAMESPACE, type AccessRow } from './rbac-table.js';
import { RESOURCES, collectionPath, sampleObject, type ResourceInfo } from './resources.js';

/** Verbs RBAC knows that are not an HTTP request on the resource itself: answered by SubjectAccessReview only. */
const REVIEW_ONLY = new Set(['bind', 'escalate', 'impersonate']);

const FIELD_MANAGER = 'rbac-itest';

export interface ResolvedRow {
  info: ResourceInfo;
  namespace: string | undefined;
  name: string;
}

export function resolveRow(row: AccessRow, index: number): ResolvedRow {
  const info: ResourceInfo = RESOURCES[row.resource];
  const namespace = !info.namespaced || row.in === EVERY_NAMESPACE ? undefined : (row.in ?? GATEWAY_NAMESPACE);
  return { info, namespace, name: row.name ?? `rbac-${index}` };
}

export function reviewAttributes(row: AccessRow, r: ResolvedRow): ResourceAttributes {
  const collection = row.verb === 'list' || row.verb === 'watch' || row.verb === 'create';
  return {
    verb: row.verb,
    group: r.info.group,
    resource: r.info.plural,
    ...(row.subresource ? { subresource: row.subresource } : {}),
    ...(r.info.namespaced ? { namespace: r.namespace ?? '' } : {}),
    ...(collection && !row.subresource ? {} : { name: r.name }),
  };
}

/** Whether the row is checked with a real request too (every HTTP verb is). */
export function hasRealRequest(row: AccessRow): boolean {
  return !REVIEW_ONLY.has(row.verb);
}

/** What must exist before the request: the object itself, for anything but a create, list, watch or apply. */
function needsObject(row: AccessRow): boolean {
  if (row.subresource) return true;
  return row.verb === 'get' || row.verb === 'update' || row.verb === 'delete' || (row.verb === 'patch' && row.existing === true);
}

async function ensureObject(kube: KubeControlPlane, r: ResolvedRow): Promise<void> {
  const res = await apiRequest(kube, { method: 'POST', path: collectionPath(r.info, r.namespace), body: sampleObject(r.info, r.name, r.namespace) });
  if (res.status !== 201 && res.status !== 409) throw new Error(`preparing ${r.info.plural} ${r.name}: HTTP ${res.status}: ${res.body.slice(0, 300)}`);
}

/** Prepares the cluster as the admin, then returns the request the service makes. */
export async function prepareRequest(kube: KubeControlPlane, row: AccessRow, r: ResolvedRow): Promise<ApiRequest> {
  if (needsObject(row)) await ensureObject(kube, r);
  const collection = collectionPath(r.info, r.namespace);
  const item = `${collection}/${r.name}${row.subresource ? `/${row.subresource}` : ''}`;
  switch (row.verb) {
    case 'get':
      return { method: 'GET', path: item };
    case 'list':
      return { method: 'GET', path: collection };
    case 'watch':
      return { method: 'GET', path: `${collection}?watch=true&timeoutSeconds=1` };
    case 'create':
      if (row.subresource === 'token') return { method: 'POST', path: item, body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: [] } } };
      return { method: 'POST', path: collection, body: sampleObject(r.info, r.name, r.namespace) };
    case 'update': {
      // The object as it is now: a PUT that would succeed if RBAC let it through.
      const current = await apiRequest(kube, { method: 'GET', path: item });
      if (current.status !== 200) throw new Error(`reading ${item}: HTTP ${current.status}`);
      return { method: 'PUT', path: item, body: JSON.parse(current.body) };
    }
    case 'patch':
      if (row.subresource) return { method: 'PATCH', path: item, body: { status: {} }, contentType: 'application/merge-patch+json' };
      // Server-side apply, as the deployer makes it (services/deployer/src/adapters/engine-objects.ts).
      return {
        method: 'PATCH',
        path: `${item}?fieldManager=${FIELD_MANAGER}&force=true`,
        body: sampleObject(r.info, r.name, r.namespace),
        contentType: 'application/apply-patch+yaml',
      };
    case 'delete':
      return { method: 'DELETE', path: item };
    default:
      throw new Error(`${row.verb} has no request of its own`);
  }
}
