import { z } from 'zod';
import { conditionSchema } from '../conditions.js';
import { GATEWAY_API_V1, namespacedMetaSchema } from './meta.js';

/**
 * HTTPRoute, with the fields the renderer translates. Enumerations the Gateway API may extend
 * (filter types, match types) are plain strings: an unknown value must reach the renderer, which
 * reports it as UnsupportedValue instead of the object silently vanishing at the boundary.
 */

export const PathMatchType = { Exact: 'Exact', PathPrefix: 'PathPrefix', RegularExpression: 'RegularExpression' } as const;
export const HeaderMatchType = { Exact: 'Exact', RegularExpression: 'RegularExpression' } as const;
export const HttpRouteFilterType = {
  RequestHeaderModifier: 'RequestHeaderModifier',
  ResponseHeaderModifier: 'ResponseHeaderModifier',
  RequestRedirect: 'RequestRedirect',
  URLRewrite: 'URLRewrite',
  RequestMirror: 'RequestMirror',
  ExtensionRef: 'ExtensionRef',
} as const;

export const parentReferenceSchema = z.looseObject({
  group: z.string().optional(),
  kind: z.string().optional(),
  namespace: z.string().optional(),
  name: z.string().min(1),
  sectionName: z.string().optional(),
  port: z.number().int().min(1).max(65535).optional(),
});
export type ParentReference = z.infer<typeof parentReferenceSchema>;

const nameValueMatch = z.looseObject({ type: z.string().optional(), name: z.string().min(1), value: z.string() });

export const httpRouteMatchSchema = z.looseObject({
  path: z.looseObject({ type: z.string().optional(), value: z.string().optional() }).optional(),
  headers: z.array(nameValueMatch).optional(),
  queryParams: z.array(nameValueMatch).optional(),
  method: z.string().optional(),
});
export type HttpRouteMatch = z.infer<typeof httpRouteMatchSchema>;

const headerSchema = z.looseObject({ name: z.string().min(1), value: z.string() });

export const headerModifierSchema = z.looseObject({
  set: z.array(headerSchema).optional(),
  add: z.array(headerSchema).optional(),
  remove: z.array(z.string()).optional(),
});

export const pathModifierSchema = z.looseObject({
  type: z.string(),
  replaceFullPath: z.string().optional(),
  replacePrefixMatch: z.string().optional(),
});

const backendObjectReference = {
  group: z.string().optional(),
  kind: z.string().optional(),
  name: z.string().min(1),
  namespace: z.string().optional(),
  port: z.number().int().min(1).max(65535).optional(),
};

export const httpRouteFilterSchema = z.looseObject({
  type: z.string().min(1),
  requestHeaderModifier: headerModifierSchema.optional(),
  responseHeaderModifier: headerModifierSchema.optional(),
  requestRedirect: z
    .looseObject({
      scheme: z.string().optional(),
      hostname: z.string().optional(),
      path: pathModifierSchema.optional(),
      port: z.number().int().min(1).max(65535).optional(),
      statusCode: z.number().int().optional(),
    })
    .optional(),
  urlRewrite: z.looseObject({ hostname: z.string().optional(), path: pathModifierSchema.optional() }).optional(),
  requestMirror: z
    .looseObject({
      backendRef: z.looseObject(backendObjectReference),
      percent: z.number().int().min(0).max(100).optional(),
      fraction: z.looseObject({ numerator: z.number().int(), denominator: z.number().int().optional() }).optional(),
    })
    .optional(),
  extensionRef: z.looseObject({ group: z.string(), kind: z.string(), name: z.string() }).optional(),
});
export type HttpRouteFilter = z.infer<typeof httpRouteFilterSchema>;

export const httpBackendRefSchema = z.looseObject({
  ...backendObjectReference,
  weight: z.number().int().min(0).max(1_000_000).optional(),
  filters: z.array(httpRouteFilterSchema).optional(),
});
export type HttpBackendRef = z.infer<typeof httpBackendRefSchema>;

export const httpRouteRuleSchema = z.looseObject({
  name: z.string().optional(),
  matches: z.array(httpRouteMatchSchema).optional(),
  filters: z.array(httpRouteFilterSchema).optional(),
  backendRefs: z.array(httpBackendRefSchema).optional(),
  /** Gateway API durations, e.g. `10s`, `1h30m`, `500ms`; `0s` disables the timeout. */
  timeouts: z.looseObject({ request: z.string().optional(), backendRequest: z.string().optional() }).optional(),
});
export type HttpRouteRule = z.infer<typeof httpRouteRuleSchema>;

export const routeParentStatusSchema = z.looseObject({
  parentRef: parentReferenceSchema,
  controllerName: z.string(),
  conditions: z.array(conditionSchema),
});

export const httpRouteSchema = z.looseObject({
  apiVersion: z.literal(GATEWAY_API_V1),
  kind: z.literal('HTTPRoute'),
  metadata: namespacedMetaSchema,
  spec: z.looseObject({
    parentRefs: z.array(parentReferenceSchema).optional(),
    hostnames: z.array(z.string()).optional(),
    rules: z.array(httpRouteRuleSchema).optional(),
  }),
  status: z.looseObject({ parents: z.array(routeParentStatusSchema) }).optional(),
});
export type HttpRoute = z.infer<typeof httpRouteSchema>;
