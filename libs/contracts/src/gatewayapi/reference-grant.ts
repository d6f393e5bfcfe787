import { z } from 'zod';
import { GATEWAY_API_V1, GATEWAY_API_V1BETA1, namespacedMetaSchema } from './meta.js';

/** ReferenceGrant is served as v1beta1 (and v1 in newer Gateway API releases); both parse. */
export const referenceGrantSchema = z.looseObject({
  apiVersion: z.enum([GATEWAY_API_V1BETA1, GATEWAY_API_V1]),
  kind: z.literal('ReferenceGrant'),
  metadata: namespacedMetaSchema,
  spec: z.looseObject({
    from: z.array(z.looseObject({ group: z.string(), kind: z.string().min(1), namespace: z.string().min(1) })).min(1),
    to: z.array(z.looseObject({ group: z.string(), kind: z.string().min(1), name: z.string().optional() })).min(1),
  }),
});
export type ReferenceGrant = z.infer<typeof referenceGrantSchema>;
