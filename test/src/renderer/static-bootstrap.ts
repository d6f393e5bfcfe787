/**
 * Turns one Gateway's dynamic Envoy resources (what the renderer serves over ADS) into a static
 * bootstrap Envoy can load without a control plane: listeners and clusters under
 * `static_resources`, each RDS reference replaced by its RouteConfiguration inline, EDS clusters
 * made STATIC with their ClusterLoadAssignment, SDS references pointing at static secrets.
 * Used to check golden outputs with `envoy --mode validate`.
 */

type Json = Record<string, unknown>;

export interface DynamicResources {
  listeners: Json[];
  routes: Json[];
  clusters: Json[];
  endpoints: Json[];
  secrets: Json[];
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function withoutType(resource: Json): Json {
  const { '@type': _type, ...rest } = resource;
  return rest;
}

/** Deep copy where `rewrite` may replace any object (returns undefined to keep it, recursing into it). */
function transform(value: unknown, rewrite: (obj: Json) => Json | undefined): unknown {
  if (Array.isArray(value)) return value.map((v) => transform(v, rewrite));
  if (!isObject(value)) return value;
  const replaced = rewrite(value);
  const source = replaced ?? value;
  return Object.fromEntries(Object.entries(source).map(([k, v]) => [k, transform(v, rewrite)]));
}

export function staticBootstrap(resources: DynamicResources): Json {
  const routes = new Map(resources.routes.map((r) => [String(r['name']), withoutType(r)]));
  const endpoints = new Map(resources.endpoints.map((e) => [String(e['cluster_name']), withoutType(e)]));
  const inline = (obj: Json): Json | undefined => {
    if (isObject(obj['rds'])) {
      const { rds, ...rest } = obj;
      const name = String((rds as Json)['route_config_name']);
      const config = routes.get(name);
      if (config === undefined) throw new Error(`listener refers to RouteConfiguration ${name}, which the output lacks`);
      return { ...rest, route_config: config };
    }
    if (Array.isArray(obj['tls_certificate_sds_secret_configs'])) {
      return { ...obj, tls_certificate_sds_secret_configs: (obj['tls_certificate_sds_secret_configs'] as Json[]).map((c) => ({ name: c['name'] })) };
    }
    return undefined;
  };
  const clusters = resources.clusters.map((cluster) => {
    const c = withoutType(cluster);
    if (c['type'] !== 'EDS') return c;
    const { eds_cluster_config: _eds, ...rest } = c;
    const name = String(c['name']);
    const assignment = endpoints.get(name);
    if (assignment === undefined) throw new Error(`cluster ${name} has no ClusterLoadAssignment in the output`);
    return { ...rest, type: 'STATIC', load_assignment: assignment };
  });
  return {
    static_resources: {
      listeners: resources.listeners.map((l) => transform(withoutType(l), inline)),
      clusters,
      secrets: resources.secrets.map(withoutType),
    },
  };
}
