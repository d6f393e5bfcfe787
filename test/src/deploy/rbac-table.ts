// What each service may and may not do in the cluster (DESIGN.md §1, "Kubernetes rights"), one row
// per request. The verbs a service is allowed are the ones its adapters make; the denied rows are
// the neighbours an over-broad rule would let through.
import type { ServiceName } from './manifests.js';
import type { ResourceName } from './resources.js';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'bind' | 'escalate' | 'impersonate';

export interface AccessRow {
  service: ServiceName;
  verb: Verb;
  resource: ResourceName;
  subresource?: 'status' | 'token';
  allowed: boolean;
  /** The namespace of a namespaced resource (default: a Gateway's namespace); `*` = every namespace. */
  in?: string;
  /** The object's name (default: one unique to the row). */
  name?: string;
  /** A patch of an object that exists (created by the admin first), rather than an apply that may create it. */
  existing?: boolean;
}

/** Where the test's Gateways and Engines live. */
export const GATEWAY_NAMESPACE = 'team-a';
export const SYSTEM = 'microgateway-system';
export const EVERY_NAMESPACE = '*';
export const WATCHER_LEASE = 'mgw-default-watcher';
/** The sidecar injector's configuration, whose caBundle the ca keeps (sidecarInjectorWebhookConfigName('default')). */
export const SIDECAR_INJECTOR = 'microgateway-default-sidecar-injector';

type Options = Pick<AccessRow, 'subresource' | 'in' | 'name' | 'existing'>;
const row =
  (allowed: boolean) =>
  (service: ServiceName, verb: Verb, resource: ResourceName, options: Options = {}): AccessRow => ({ service, verb, resource, allowed, ...options });
const allow = row(true);
const deny = row(false);
const all = { in: EVERY_NAMESPACE };
const status = { subresource: 'status' } as const;

const watcher: AccessRow[] = [
  allow('watcher', 'list', 'gateways', all),
  allow('watcher', 'watch', 'gateways', all),
  allow('watcher', 'get', 'gateways'),
  allow('watcher', 'list', 'gatewayclasses'),
  allow('watcher', 'list', 'httproutes', all),
  allow('watcher', 'list', 'referencegrants', all),
  allow('watcher', 'list', 'gatewayparameters', all),
  allow('watcher', 'list', 'secrets', all),
  allow('watcher', 'watch', 'secrets', all),
  allow('watcher', 'list', 'services', all),
  allow('watcher', 'list', 'endpointslices', all),
  allow('watcher', 'list', 'namespaces'),
  allow('watcher', 'create', 'leases', { in: SYSTEM }),
  allow('watcher', 'get', 'leases', { in: SYSTEM, name: WATCHER_LEASE }),
  allow('watcher', 'update', 'leases', { in: SYSTEM, name: WATCHER_LEASE }),
  deny('watcher', 'delete', 'leases', { in: SYSTEM, name: WATCHER_LEASE }),
  deny('watcher', 'get', 'leases', { in: SYSTEM, name: 'another-lease' }),
  deny('watcher', 'update', 'leases', { in: SYSTEM, name: 'another-lease' }),
  deny('watcher', 'create', 'leases'),
  deny('watcher', 'create', 'gateways'),
  deny('watcher', 'update', 'gateways'),
  deny('watcher', 'patch', 'gateways'),
  deny('watcher', 'delete', 'gateways'),
  deny('watcher', 'update', 'gateways', status),
  deny('watcher', 'create', 'secrets'),
  deny('watcher', 'update', 'secrets'),
  deny('watcher', 'delete', 'secrets'),
  deny('watcher', 'create', 'services'),
  deny('watcher', 'get', 'configmaps'),
  deny('watcher', 'create', 'deployments'),
  deny('watcher', 'create', 'events'),
];

const renderer: AccessRow[] = [
  deny('renderer', 'get', 'secrets'),
  deny('renderer', 'list', 'secrets', all),
  deny('renderer', 'get', 'secrets', { in: SYSTEM }),
  deny('renderer', 'get', 'configmaps'),
  deny('renderer', 'list', 'configmaps', all),
  deny('renderer', 'get', 'gateways'),
  deny('renderer', 'list', 'gateways', all),
  deny('renderer', 'list', 'httproutes', all),
  deny('renderer', 'list', 'services', all),
  deny('renderer', 'list', 'namespaces'),
  deny('renderer', 'create', 'events'),
  deny('renderer', 'create', 'leases', { in: SYSTEM }),
];

const ca: AccessRow[] = [
  allow('ca', 'create', 'secrets'),
  allow('ca', 'create', 'secrets', { in: SYSTEM }),
  allow('ca', 'get', 'secrets'),
  allow('ca', 'update', 'secrets'),
  allow('ca', 'delete', 'secrets'),
  allow('ca', 'list', 'secrets', all),
  allow('ca', 'watch', 'secrets', all),
  deny('ca', 'patch', 'secrets'),
  deny('ca', 'get', 'deployments'),
  deny('ca', 'create', 'deployments'),
  deny('ca', 'get', 'configmaps'),
  deny('ca', 'create', 'configmaps'),
  deny('ca', 'list', 'gateways', all),
  deny('ca', 'update', 'gateways', status),
  deny('ca', 'create', 'events'),
  deny('ca', 'create', 'leases', { in: SYSTEM }),
  // The sidecar injector's caBundle: that one configuration, read and patched, never created or deleted.
  allow('ca', 'get', 'mutatingwebhookconfigurations', { name: SIDECAR_INJECTOR }),
  allow('ca', 'patch', 'mutatingwebhookconfigurations', { name: SIDECAR_INJECTOR, existing: true }),
  deny('ca', 'get', 'mutatingwebhookconfigurations', { name: 'another-webhook-config' }),
  deny('ca', 'patch', 'mutatingwebhookconfigurations', { name: 'another-webhook-config', existing: true }),
  // Without a metadata.name field selector a list names no object, so resourceNames cannot allow it.
  deny('ca', 'list', 'mutatingwebhookconfigurations'),
  deny('ca', 'create', 'mutatingwebhookconfigurations'),
  deny('ca', 'delete', 'mutatingwebhookconfigurations', { name: SIDECAR_INJECTOR }),
  deny('ca', 'create', 'validatingwebhookconfigurations'),
];

const deployer: AccessRow[] = [
  // Server-side apply of objects that do not exist yet: authorized as patch and as create.
  allow('deployer', 'patch', 'deployments'),
  allow('deployer', 'patch', 'services'),
  allow('deployer', 'patch', 'configmaps'),
  allow('deployer', 'patch', 'serviceaccounts'),
  allow('deployer', 'patch', 'poddisruptionbudgets'),
  allow('deployer', 'get', 'deployments'),
  allow('deployer', 'get', 'configmaps'),
  allow('deployer', 'delete', 'deployments'),
  allow('deployer', 'delete', 'services'),
  allow('deployer', 'delete', 'configmaps'),
  allow('deployer', 'delete', 'serviceaccounts'),
  allow('deployer', 'list', 'deployments', all),
  allow('deployer', 'watch', 'deployments', all),
  allow('deployer', 'list', 'services', all),
  allow('deployer', 'watch', 'services', all),
  allow('deployer', 'create', 'events'),
  allow('deployer', 'get', 'gatewayclasses'),
  allow('deployer', 'get', 'gateways'),
  allow('deployer', 'get', 'httproutes'),
  allow('deployer', 'update', 'gatewayclasses', status),
  allow('deployer', 'update', 'gateways', status),
  allow('deployer', 'update', 'httproutes', status),
  deny('deployer', 'get', 'secrets'),
  deny('deployer', 'list', 'secrets', all),
  deny('deployer', 'create', 'secrets'),
  deny('deployer', 'create', 'gateways'),
  deny('deployer', 'update', 'gateways'),
  deny('deployer', 'patch', 'gateways'),
  deny('deployer', 'delete', 'gateways'),
  deny('deployer', 'update', 'httproutes'),
  // It PUTs status with the resourceVersion it read (status-store.ts); patch is not needed.
  deny('deployer', 'patch', 'gateways', status),
  // It only ever applies (PATCH): a blind PUT of a Deployment is not among its requests.
  deny('deployer', 'update', 'deployments'),
  deny('deployer', 'list', 'configmaps', all),
  deny('deployer', 'create', 'events.k8s.io/events'),
  deny('deployer', 'create', 'pods'),
  deny('deployer', 'create', 'leases', { in: SYSTEM }),
];

/** No service may grant itself (or anyone) more: no RBAC writes, no bind/escalate, no impersonation, no tokens. */
const escalation: AccessRow[] = (['watcher', 'renderer', 'ca', 'deployer'] as const).flatMap((service) => [
  deny(service, 'create', 'roles'),
  deny(service, 'create', 'roles', { in: SYSTEM }),
  deny(service, 'create', 'rolebindings'),
  deny(service, 'create', 'clusterroles'),
  deny(service, 'create', 'clusterrolebindings'),
  deny(service, 'update', 'clusterroles', { name: 'microgateway-default-watcher' }),
  deny(service, 'bind', 'clusterroles', { name: 'cluster-admin' }),
  deny(service, 'escalate', 'clusterroles', { name: `microgateway-default-${service}` }),
  deny(service, 'impersonate', 'users', { name: 'mgw-admin' }),
  deny(service, 'create', 'serviceaccounts', { subresource: 'token', in: SYSTEM, name: service }),
]);

export const ACCESS_TABLE: readonly AccessRow[] = [...watcher, ...renderer, ...ca, ...deployer, ...escalation];
