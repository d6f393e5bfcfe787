import { z } from 'zod';

/**
 * Shared shapes of Kubernetes objects. Every object schema is loose (unknown fields preserved),
 * so a newer API server or an experimental-channel field never makes the watcher drop an object:
 * the renderer decides what it supports and says so in a condition.
 */

export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';
export const GATEWAY_API_V1 = `${GATEWAY_API_GROUP}/v1`;
export const GATEWAY_API_V1BETA1 = `${GATEWAY_API_GROUP}/v1beta1`;

const stringMap = z.record(z.string(), z.string());

export const ownerReferenceSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  uid: z.string(),
  controller: z.boolean().optional(),
  blockOwnerDeletion: z.boolean().optional(),
});

export const managedFieldsEntrySchema = z.looseObject({ manager: z.string().optional(), operation: z.string().optional() });

export const objectMetaSchema = z.looseObject({
  name: z.string().min(1),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: z.number().int().optional(),
  creationTimestamp: z.string().optional(),
  deletionTimestamp: z.string().optional(),
  labels: stringMap.optional(),
  annotations: stringMap.optional(),
  ownerReferences: z.array(ownerReferenceSchema).optional(),
  managedFields: z.array(managedFieldsEntrySchema).optional(),
});
export type ObjectMeta = z.infer<typeof objectMetaSchema>;

/** Namespaced objects must say which namespace they live in. */
export const namespacedMetaSchema = objectMetaSchema.extend({ namespace: z.string().min(1) });

const selectorRequirementSchema = z.looseObject({
  key: z.string(),
  operator: z.string(),
  values: z.array(z.string()).optional(),
});

export const labelSelectorSchema = z.looseObject({
  matchLabels: stringMap.optional(),
  matchExpressions: z.array(selectorRequirementSchema).optional(),
});
export type LabelSelector = z.infer<typeof labelSelectorSchema>;

/** A reference to a Secret (or another kind) that may cross namespaces with a ReferenceGrant. */
export const secretObjectReferenceSchema = z.looseObject({
  group: z.string().optional(),
  kind: z.string().optional(),
  name: z.string().min(1),
  namespace: z.string().optional(),
});
export type SecretObjectReference = z.infer<typeof secretObjectReferenceSchema>;

/** parametersRef of GatewayClass and Gateway infrastructure. */
export const parametersReferenceSchema = z.looseObject({
  group: z.string(),
  kind: z.string(),
  name: z.string().min(1),
  namespace: z.string().optional(),
});
