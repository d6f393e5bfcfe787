/** An Envoy resource in proto3 JSON form, with its type URL in `@type` (as in an `Any`). */
export type EnvoyResource = { '@type': string } & Record<string, unknown>;

/** The resources of one Gateway, each list sorted by name. */
export interface EnvoyResources {
  listeners: EnvoyResource[];
  routes: EnvoyResource[];
  clusters: EnvoyResource[];
  endpoints: EnvoyResource[];
  secrets: EnvoyResource[];
}

/** Every dynamic resource is delivered over the ADS stream the bootstrap configures. */
export const ADS_CONFIG_SOURCE = { ads: {}, resource_api_version: 'V3' } as const;

export function typed(type: string, body: Record<string, unknown>): Record<string, unknown> {
  return { '@type': `type.googleapis.com/${type}`, ...body };
}
