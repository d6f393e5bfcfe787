import { z } from 'zod';
import { conditionSchema } from '../conditions.js';
import {
  GATEWAY_API_V1,
  labelSelectorSchema,
  namespacedMetaSchema,
  objectMetaSchema,
  parametersReferenceSchema,
  secretObjectReferenceSchema,
} from './meta.js';

export const gatewayClassSchema = z.looseObject({
  apiVersion: z.literal(GATEWAY_API_V1),
  kind: z.literal('GatewayClass'),
  metadata: objectMetaSchema,
  spec: z.looseObject({
    controllerName: z.string().min(1),
    parametersRef: parametersReferenceSchema.optional(),
    description: z.string().optional(),
  }),
  status: z
    .looseObject({
      conditions: z.array(conditionSchema).optional(),
      supportedFeatures: z.array(z.looseObject({ name: z.string().min(1) })).optional(),
    })
    .optional(),
});
export type GatewayClass = z.infer<typeof gatewayClassSchema>;

/** Listener protocols of the standard channel; others (domain-prefixed) parse and are rejected by the renderer. */
export const ListenerProtocol = { HTTP: 'HTTP', HTTPS: 'HTTPS', TLS: 'TLS', TCP: 'TCP', UDP: 'UDP' } as const;
export const TlsMode = { Terminate: 'Terminate', Passthrough: 'Passthrough' } as const;
export const FromNamespaces = { All: 'All', Same: 'Same', Selector: 'Selector', None: 'None' } as const;

export const routeGroupKindSchema = z.looseObject({ group: z.string().optional(), kind: z.string().min(1) });
export type RouteGroupKind = z.infer<typeof routeGroupKindSchema>;

export const listenerTlsSchema = z.looseObject({
  mode: z.string().optional(),
  certificateRefs: z.array(secretObjectReferenceSchema).optional(),
  options: z.record(z.string(), z.string()).optional(),
});

export const allowedRoutesSchema = z.looseObject({
  namespaces: z
    .looseObject({
      from: z.string().optional(),
      selector: labelSelectorSchema.optional(),
    })
    .optional(),
  kinds: z.array(routeGroupKindSchema).optional(),
});
export type AllowedRoutes = z.infer<typeof allowedRoutesSchema>;

export const listenerSchema = z.looseObject({
  name: z.string().min(1),
  hostname: z.string().optional(),
  port: z.number().int().min(1).max(65535),
  protocol: z.string().min(1),
  tls: listenerTlsSchema.optional(),
  allowedRoutes: allowedRoutesSchema.optional(),
});
export type Listener = z.infer<typeof listenerSchema>;

export const gatewayAddressSchema = z.looseObject({ type: z.string().optional(), value: z.string() });

export const listenerStatusSchema = z.looseObject({
  name: z.string(),
  supportedKinds: z.array(routeGroupKindSchema),
  attachedRoutes: z.number().int().nonnegative(),
  conditions: z.array(conditionSchema),
});

export const gatewayStatusSchema = z.looseObject({
  addresses: z.array(gatewayAddressSchema).optional(),
  conditions: z.array(conditionSchema).optional(),
  listeners: z.array(listenerStatusSchema).optional(),
});
export type GatewayStatus = z.infer<typeof gatewayStatusSchema>;

export const gatewaySpecSchema = z.looseObject({
  gatewayClassName: z.string().min(1),
  listeners: z.array(listenerSchema).min(1),
  addresses: z.array(gatewayAddressSchema).optional(),
  infrastructure: z
    .looseObject({
      labels: z.record(z.string(), z.string()).optional(),
      annotations: z.record(z.string(), z.string()).optional(),
      parametersRef: parametersReferenceSchema.optional(),
    })
    .optional(),
});
export type GatewaySpec = z.infer<typeof gatewaySpecSchema>;

export const gatewaySchema = z.looseObject({
  apiVersion: z.literal(GATEWAY_API_V1),
  kind: z.literal('Gateway'),
  metadata: namespacedMetaSchema,
  spec: gatewaySpecSchema,
  status: gatewayStatusSchema.optional(),
});
export type Gateway = z.infer<typeof gatewaySchema>;
