import { z } from 'zod';
import { namespacedMetaSchema, objectMetaSchema } from './meta.js';

/** Minimal shapes of the core Kubernetes objects the renderer reads (loose: everything else is kept). */

/** The label an EndpointSlice carries to name its Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export const servicePortSchema = z.looseObject({
  name: z.string().optional(),
  port: z.number().int().min(1).max(65535),
  targetPort: z.union([z.number().int(), z.string()]).optional(),
  protocol: z.string().optional(),
  appProtocol: z.string().optional(),
});

export const serviceSchema = z.looseObject({
  apiVersion: z.literal('v1'),
  kind: z.literal('Service'),
  metadata: namespacedMetaSchema,
  spec: z.looseObject({
    type: z.string().optional(),
    clusterIP: z.string().optional(),
    selector: z.record(z.string(), z.string()).optional(),
    ports: z.array(servicePortSchema).optional(),
  }),
});
export type Service = z.infer<typeof serviceSchema>;

export const endpointSchema = z.looseObject({
  addresses: z.array(z.string()).min(1),
  conditions: z
    .looseObject({ ready: z.boolean().optional(), serving: z.boolean().optional(), terminating: z.boolean().optional() })
    .optional(),
  nodeName: z.string().optional(),
  zone: z.string().optional(),
  targetRef: z.looseObject({ kind: z.string().optional(), name: z.string().optional(), namespace: z.string().optional() }).optional(),
});

export const endpointSliceSchema = z.looseObject({
  apiVersion: z.literal('discovery.k8s.io/v1'),
  kind: z.literal('EndpointSlice'),
  metadata: namespacedMetaSchema,
  addressType: z.string(),
  /** The API server omits `endpoints` when a Service has none; absent means empty. */
  endpoints: z.array(endpointSchema).optional(),
  ports: z
    .array(
      z.looseObject({
        name: z.string().optional(),
        port: z.number().int().optional(),
        protocol: z.string().optional(),
        appProtocol: z.string().optional(),
      }),
    )
    .optional(),
});
export type EndpointSlice = z.infer<typeof endpointSliceSchema>;

export const namespaceSchema = z.looseObject({
  apiVersion: z.literal('v1'),
  kind: z.literal('Namespace'),
  metadata: objectMetaSchema,
});
export type Namespace = z.infer<typeof namespaceSchema>;

/** Secrets go to their own bucket, readable only by the renderer. `data` values are base64. */
export const secretSchema = z.looseObject({
  apiVersion: z.literal('v1'),
  kind: z.literal('Secret'),
  metadata: namespacedMetaSchema,
  type: z.string().optional(),
  data: z.record(z.string(), z.string()).optional(),
});
export type Secret = z.infer<typeof secretSchema>;
