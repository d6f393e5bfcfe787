import { API_GROUP, GATEWAY_API_GROUP, INSTANCE_LABEL, SERVICE_NAME_LABEL } from '@microgateway/contracts';
import { at, groupOf, kindOf, nsName, record, records, text } from './fields.js';
import type { JsonObject } from './objects.js';

/**
 * What an object says about other objects, read once per version (defensively: the object may
 * fail its contract) so that selecting the world is set lookups, not a walk over every route.
 * Ids are `<namespace>/<name>`; extension references are `<Kind>:<namespace>/<name>`.
 */
export interface Links {
  /** GatewayClass: its spec.controllerName. */
  readonly controllerName?: string;
  /** Gateway: its spec.gatewayClassName. */
  readonly gatewayClassName?: string;
  /** HTTPRoute: the Gateways of its parentRefs. */
  readonly parentGateways: readonly string[];
  /** HTTPRoute: the Services of its backendRefs and mirror filters. */
  readonly services: readonly string[];
  /** Gateway: listener certificate Secrets. */
  readonly certificates: readonly { namespace: string; name: string }[];
  /** microgateway.dev objects named by parametersRef or extensionRef filters. */
  readonly extensions: readonly string[];
  /** EndpointSlice: the Service it belongs to (its namespace/name). */
  readonly service?: string;
  /** ReferenceGrant: the kinds and namespaces it lets refer into its namespace. */
  readonly grantsFrom: readonly { kind: string; namespace: string; group: string }[];
  /** ReferenceGrant: the Secret names it opens (undefined name: all Secrets). */
  readonly grantsSecrets: readonly { name: string | undefined }[];
  /** Policies: the Gateway/HTTPRoute they target, as `<Kind>:<namespace>/<name>`. */
  readonly targets: readonly string[];
  /** The value of the microgateway.dev/instance label. */
  readonly instanceLabel?: string;
}

const NONE: Links = { parentGateways: [], services: [], certificates: [], extensions: [], grantsFrom: [], grantsSecrets: [], targets: [] };

function extensionRef(ref: JsonObject | undefined, defaultNamespace: string | undefined): string | undefined {
  if (!ref || groupOf(ref, '') !== API_GROUP) return undefined;
  const name = text(ref['name']);
  const kind = text(ref['kind']);
  const namespace = text(ref['namespace']) ?? defaultNamespace;
  return name && kind ? `${kind}:${namespace ?? ''}/${name}` : undefined;
}

function gatewayClassLinks(object: JsonObject): Partial<Links> {
  const parameters = extensionRef(record(at(object, 'spec', 'parametersRef')), undefined);
  return { controllerName: text(at(object, 'spec', 'controllerName')), extensions: parameters ? [parameters] : [] };
}

function gatewayLinks(object: JsonObject, namespace: string): Partial<Links> {
  const certificates: { namespace: string; name: string }[] = [];
  for (const listener of records(at(object, 'spec', 'listeners'))) {
    for (const ref of records(at(listener, 'tls', 'certificateRefs'))) {
      const name = text(ref['name']);
      if (name === undefined || groupOf(ref, '') !== '' || kindOf(ref, 'Secret') !== 'Secret') continue;
      certificates.push({ namespace: text(ref['namespace']) ?? namespace, name });
    }
  }
  const parameters = extensionRef(record(at(object, 'spec', 'infrastructure', 'parametersRef')), namespace);
  return { gatewayClassName: text(at(object, 'spec', 'gatewayClassName')), certificates, extensions: parameters ? [parameters] : [] };
}

function routeLinks(object: JsonObject, namespace: string): Partial<Links> {
  const parentGateways: string[] = [];
  for (const parent of records(at(object, 'spec', 'parentRefs'))) {
    const name = text(parent['name']);
    if (name === undefined || groupOf(parent, GATEWAY_API_GROUP) !== GATEWAY_API_GROUP || kindOf(parent, 'Gateway') !== 'Gateway') continue;
    parentGateways.push(nsName(text(parent['namespace']) ?? namespace, name));
  }
  const services = new Set<string>();
  const extensions: string[] = [];
  const backend = (ref: JsonObject | undefined): void => {
    const name = ref ? text(ref['name']) : undefined;
    if (!ref || name === undefined || groupOf(ref, '') !== '' || kindOf(ref, 'Service') !== 'Service') return;
    services.add(nsName(text(ref['namespace']) ?? namespace, name));
  };
  const filters = (list: unknown): void => {
    for (const filter of records(list)) {
      backend(record(at(filter, 'requestMirror', 'backendRef')));
      const extension = extensionRef(record(filter['extensionRef']), namespace);
      if (extension) extensions.push(extension);
    }
  };
  for (const rule of records(at(object, 'spec', 'rules'))) {
    filters(rule['filters']);
    for (const ref of records(rule['backendRefs'])) {
      backend(ref);
      filters(ref['filters']);
    }
  }
  return { parentGateways, services: [...services], extensions };
}

function grantLinks(object: JsonObject): Partial<Links> {
  const grantsFrom = records(at(object, 'spec', 'from')).flatMap((from) => {
    const kind = text(from['kind']);
    const namespace = text(from['namespace']);
    return kind && namespace ? [{ kind, namespace, group: typeof from['group'] === 'string' ? from['group'] : '' }] : [];
  });
  const grantsSecrets = records(at(object, 'spec', 'to'))
    .filter((to) => (to['group'] ?? '') === '' && to['kind'] === 'Secret')
    .map((to) => ({ name: text(to['name']) }));
  return { grantsFrom, grantsSecrets };
}

function targetLinks(object: JsonObject, namespace: string): string[] {
  const spec = record(object['spec']);
  const single = record(spec?.['targetRef']);
  return [...records(spec?.['targetRefs']), ...(single ? [single] : [])].flatMap((target) => {
    const name = text(target['name']);
    const kind = text(target['kind']);
    if (name === undefined || kind === undefined || groupOf(target, GATEWAY_API_GROUP) !== GATEWAY_API_GROUP) return [];
    return [`${kind}:${nsName(text(target['namespace']) ?? namespace, name)}`];
  });
}

function kindLinks(kind: string, object: JsonObject, namespace: string): Partial<Links> {
  switch (kind) {
    case 'GatewayClass':
      return gatewayClassLinks(object);
    case 'Gateway':
      return gatewayLinks(object, namespace);
    case 'HTTPRoute':
      return routeLinks(object, namespace);
    case 'ReferenceGrant':
      return grantLinks(object);
    case 'EndpointSlice': {
      const service = text(at(object, 'metadata', 'labels', SERVICE_NAME_LABEL));
      return service === undefined ? {} : { service: nsName(namespace, service) };
    }
    default:
      return {};
  }
}

/** The links of one object of `kind` (microgateway.dev kinds: their targets and instance label). */
export function linksOf(kind: string, group: string, object: JsonObject, namespace: string | undefined): Links {
  const ns = namespace ?? '';
  const links: Links = { ...NONE, ...kindLinks(kind, object, ns) };
  const label = text(at(object, 'metadata', 'labels', INSTANCE_LABEL));
  if (group !== API_GROUP) return label === undefined ? links : { ...links, instanceLabel: label };
  return { ...links, targets: targetLinks(object, ns), ...(label === undefined ? {} : { instanceLabel: label }) };
}
