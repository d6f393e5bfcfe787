import type { z } from 'zod';
import { endpointSliceSchema, namespaceSchema, secretSchema, serviceSchema } from './core.js';
import { gatewayClassSchema, gatewaySchema } from './gateway.js';
import { httpRouteSchema } from './httproute.js';
import { referenceGrantSchema } from './reference-grant.js';

/** The schema of every kind the services consume, by kind. */
export const resourceSchemas = {
  GatewayClass: gatewayClassSchema,
  Gateway: gatewaySchema,
  HTTPRoute: httpRouteSchema,
  ReferenceGrant: referenceGrantSchema,
  Service: serviceSchema,
  EndpointSlice: endpointSliceSchema,
  Namespace: namespaceSchema,
  Secret: secretSchema,
} as const;

export type ResourceKind = keyof typeof resourceSchemas;
export type ResourceOf<K extends ResourceKind> = z.infer<(typeof resourceSchemas)[K]>;
export type KnownResource = ResourceOf<ResourceKind>;

/** Kinds without a namespace; their keys use the cluster-scope token. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<ResourceKind> = new Set(['GatewayClass', 'Namespace']);

export function isResourceKind(kind: string): kind is ResourceKind {
  return Object.hasOwn(resourceSchemas, kind);
}

/** Parses an object of a known kind with that kind's schema; throws a ZodError when invalid. */
export function parseResource<K extends ResourceKind>(kind: K, value: unknown): ResourceOf<K> {
  return resourceSchemas[kind].parse(value) as ResourceOf<K>;
}
