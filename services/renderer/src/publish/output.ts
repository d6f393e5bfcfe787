import { createHash } from 'node:crypto';
import type { GatewayRef, InputRevisions, ResourceRef, StatusFact, XdsManifestResource, XdsTypeShort } from '@microgateway/contracts';
import { infraKey, rendererStatusReporter, statusKey, xdsResourceKey, xdsTypeShortOf } from '@microgateway/contracts';
import type { EnvoyResource, GatewayTranslation, Resources } from '../translate/index.js';
import { routeServices } from '../affected.js';

/**
 * What one render publishes, as KV keys and serialized values with their digests — computed once,
 * so the writer only compares digests. Pure (hashing is no I/O).
 */

export interface Serialized {
  json: string;
  digest: string;
  /** The UTF-8 of `json` when the producer has it (an incremental render): the writer sends these. */
  bytes?: Uint8Array;
}

export interface XdsEntry extends Serialized {
  type: XdsTypeShort;
  name: string;
  key: string;
}

export interface RenderSource {
  kind: string;
  namespace?: string;
  name: string;
  resourceVersion?: string;
}

export interface RenderOutput {
  gateway: GatewayRef;
  inputs: InputRevisions;
  /** Absent when there is nothing to publish: the Gateway is gone or no longer ours (its keys go). */
  published?: {
    /** Absent when the Gateway is not accepted: Engines keep the last good config. */
    xds?: { entries: XdsEntry[]; digest: string; version: string };
    infra?: Serialized & { key: string };
    status: Map<string, Serialized>;
    statusDigest: string;
    sources: RenderSource[];
  };
}

export function sha256(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/**
 * JSON.stringify, not canonicalJson: the translation builds every object in a fixed order (equal
 * inputs give byte-identical output), and the canonical deep copy cost five times the
 * serialization at 10,000 routes. A key order that did differ would cost one extra write, never a
 * wrong value.
 */
export function serialize(value: unknown): Serialized {
  const json = JSON.stringify(value);
  return { json, digest: sha256(json) };
}

/** The digest of a set of digests (order-independent input, sorted here). */
export function digestOf(parts: readonly string[]): string {
  return sha256([...parts].sort().join('\n'));
}

/** One Envoy resource as its xds key and serialized value. */
export function xdsEntry(gateway: GatewayRef, resource: EnvoyResource): XdsEntry {
  const type = xdsTypeShortOf(resource['@type']);
  const name = String(resource['name'] ?? resource['cluster_name'] ?? '');
  if (type === undefined || name === '') throw new Error(`translation produced a resource without a served type or a name: ${resource['@type']}`);
  return { type, name, key: xdsResourceKey(gateway, type, name), ...serialize(resource) };
}

function xdsEntries(gateway: GatewayRef, xds: NonNullable<GatewayTranslation['xds']>): XdsEntry[] {
  const all: EnvoyResource[] = [...xds.listeners, ...xds.routes, ...xds.clusters, ...xds.endpoints, ...xds.secrets];
  return all.map((resource) => xdsEntry(gateway, resource));
}

/** The published xds part: the entries with the digest and version of the set. */
export function publishedXds(entries: XdsEntry[]): NonNullable<NonNullable<RenderOutput['published']>['xds']> {
  const digest = digestOf(entries.map((e) => `${e.key} ${e.digest}`));
  return { entries, digest, version: digest.slice('sha256:'.length, 'sha256:'.length + 16) };
}

/** The manifest's resource list: sorted by type, then name. */
export function manifestResources(entries: readonly XdsEntry[]): XdsManifestResource[] {
  return entries
    .map((e) => ({ type: e.type, name: e.name, digest: e.digest }))
    .sort((a, b) => (a.type === b.type ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.type < b.type ? -1 : 1));
}

/**
 * Status keys by `<reporter> <kind>/<ns>/<name>`: encoding a key costs more than the fact's own
 * serialization, and the same objects come back render after render. Bounded: cleared when full.
 */
const statusKeyMemo = new Map<string, string>();
const STATUS_KEY_MEMO_LIMIT = 200_000;

function memoStatusKey(fact: StatusFact, reporter: string): string {
  const id = `${reporter} ${fact.kind}/${fact.namespace ?? ''}/${fact.name}`;
  let key = statusKeyMemo.get(id);
  if (key === undefined) {
    if (statusKeyMemo.size >= STATUS_KEY_MEMO_LIMIT) statusKeyMemo.clear();
    key = statusKey({ kind: fact.kind, namespace: fact.namespace, name: fact.name }, reporter);
    statusKeyMemo.set(id, key);
  }
  return key;
}

/** One status fact as its KV key (this Gateway's renderer is the reporter) and serialized value. */
export function statusEntry(gateway: GatewayRef, fact: StatusFact): [string, Serialized] {
  return [memoStatusKey(fact, rendererStatusReporter(gateway)), serialize(fact)];
}

function statusEntries(gateway: GatewayRef, facts: readonly StatusFact[]): Map<string, Serialized> {
  return new Map(facts.map((fact) => statusEntry(gateway, fact)));
}

function source(ref: ResourceRef, object: { metadata: { resourceVersion?: string | undefined } } | undefined): RenderSource[] {
  if (object === undefined) return [];
  const out: RenderSource = { kind: ref.kind, name: ref.name };
  if (ref.namespace !== undefined) out.namespace = ref.namespace;
  if (object.metadata.resourceVersion !== undefined) out.resourceVersion = object.metadata.resourceVersion;
  return [out];
}

/** The source entry of an HTTPRoute (an incremental render keeps it with the route's translation). */
export function routeSource(route: Resources['httpRoutes'][number]): RenderSource {
  return source({ kind: 'HTTPRoute', namespace: route.metadata.namespace, name: route.metadata.name }, route)[0] as RenderSource;
}

/** What {@link renderSourcesWith} needs to know of the Gateway's routes. */
export interface TranslatedRoutes {
  /** The sources of the routes the translation includes, in the order of `resources.httpRoutes`. */
  sources: readonly RenderSource[];
  /** Whether a translated route sends traffic to Service `namespace/name`. */
  usesService(key: string): boolean;
}

/** The objects a Gateway's configuration came from: its class, itself, its routes, their Services, its Secrets. */
export function renderSources(resources: Resources, translation: GatewayTranslation): RenderSource[] {
  const routeKeys = new Set(translation.status.filter((f) => f.kind === 'HTTPRoute').map((f) => `${f.namespace}/${f.name}`));
  const services = new Set<string>();
  for (const route of resources.httpRoutes) {
    if (routeKeys.has(`${route.metadata.namespace}/${route.metadata.name}`)) for (const service of routeServices(route)) services.add(service);
  }
  const sources = resources.httpRoutes.filter((route) => routeKeys.has(`${route.metadata.namespace}/${route.metadata.name}`)).map(routeSource);
  return renderSourcesWith(resources, translation.gateway, { sources, usesService: (key) => services.has(key) });
}

/** {@link renderSources} from what the caller knows of the translated routes. */
export function renderSourcesWith(resources: Resources, ref: GatewayRef, routes: TranslatedRoutes): RenderSource[] {
  const { namespace, name } = ref;
  const gateway = resources.gateways.find((g) => g.metadata.namespace === namespace && g.metadata.name === name);
  const out: RenderSource[] = [];
  const className = gateway?.spec.gatewayClassName;
  out.push(...source({ kind: 'GatewayClass', name: className ?? '' }, resources.gatewayClasses.find((c) => c.metadata.name === className)));
  out.push(...source({ kind: 'Gateway', namespace, name }, gateway));
  for (const found of routes.sources) out.push(found);
  for (const service of resources.services) {
    if (routes.usesService(`${service.metadata.namespace}/${service.metadata.name}`)) out.push(...source({ kind: 'Service', namespace: service.metadata.namespace, name: service.metadata.name }, service));
  }
  const secrets = new Set(gateway?.spec.listeners.flatMap((l) => (l.tls?.certificateRefs ?? []).map((r) => `${r.namespace ?? namespace}/${r.name}`)) ?? []);
  for (const secret of resources.secrets) {
    if (secrets.has(`${secret.metadata.namespace}/${secret.metadata.name}`)) out.push(...source({ kind: 'Secret', namespace: secret.metadata.namespace, name: secret.metadata.name }, secret));
  }
  return out;
}

/** Turns a translation (undefined: the Gateway is gone or not ours) into what gets published. */
export function renderOutput(gateway: GatewayRef, translation: GatewayTranslation | undefined, resources: Resources, inputs: InputRevisions): RenderOutput {
  if (translation === undefined) return { gateway, inputs };
  const status = statusEntries(gateway, translation.status);
  const statusDigest = digestOf([...status].map(([key, value]) => `${key} ${value.digest}`));
  const xds = translation.xds === undefined ? undefined : publishedXds(xdsEntries(gateway, translation.xds));
  const infra = translation.infra === undefined ? undefined : { key: infraKey(gateway), ...serialize(translation.infra) };
  return { gateway, inputs, published: { xds, infra, status, statusDigest, sources: renderSources(resources, translation) } };
}
