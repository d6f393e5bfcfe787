import { z } from 'zod';
import { parentReferenceSchema } from '../gatewayapi/httproute.js';
import { routeGroupKindSchema } from '../gatewayapi/gateway.js';

/**
 * Status facts (KV `status`): what one service concluded about an object's conditions. The deployer
 * is the only writer of Kubernetes status; it merges facts and stamps `lastTransitionTime` (facts
 * carry no clock, so an unchanged translation gives byte-identical facts).
 */

export const conditionFactSchema = z.strictObject({
  type: z.string().min(1).max(316),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().min(1).max(1024),
  message: z.string().max(32768),
  observedGeneration: z.number().int().nonnegative(),
});
export type ConditionFact = z.infer<typeof conditionFactSchema>;

export const listenerStatusFactSchema = z.strictObject({
  name: z.string().min(1),
  supportedKinds: z.array(routeGroupKindSchema),
  attachedRoutes: z.number().int().nonnegative(),
  conditions: z.array(conditionFactSchema),
});
export type ListenerStatusFact = z.infer<typeof listenerStatusFactSchema>;

export const routeParentStatusFactSchema = z.strictObject({
  parentRef: parentReferenceSchema,
  controllerName: z.string().min(1),
  conditions: z.array(conditionFactSchema),
});
export type RouteParentStatusFact = z.infer<typeof routeParentStatusFactSchema>;

const objectRef = { namespace: z.string().min(1).optional(), name: z.string().min(1) };

export const statusFactSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('GatewayClass'),
    ...objectRef,
    conditions: z.array(conditionFactSchema),
    /** Gateway API feature names the class supports (its status.supportedFeatures). */
    supportedFeatures: z.array(z.string().min(1)).optional(),
  }),
  z.strictObject({
    kind: z.literal('Gateway'),
    ...objectRef,
    conditions: z.array(conditionFactSchema),
    listeners: z.array(listenerStatusFactSchema),
  }),
  /** The parent entries of one route that one Gateway's translation owns. */
  z.strictObject({ kind: z.literal('HTTPRoute'), ...objectRef, parents: z.array(routeParentStatusFactSchema) }),
]);
export type StatusFact = z.infer<typeof statusFactSchema>;

/** The reporter token of the xDS server's facts (see statusKey): the Engines' verdict on a Gateway's config. */
export const XDS_STATUS_REPORTER = 'xds';

/**
 * What the Engines of a Gateway last said about its config (KV `status`, key
 * `statusKey(Gateway ref, XDS_STATUS_REPORTER)`), written by whichever renderer replica served the
 * ACK or NACK. Written when the verdict or the version changes, not on every ACK.
 */
export const xdsOutcomeFactSchema = z.strictObject({
  kind: z.literal('EngineConfig'),
  namespace: z.string().min(1),
  name: z.string().min(1),
  outcome: z.enum(['applied', 'rejected']),
  /** The xDS version (the manifest's) the verdict is about. */
  version: z.string().min(1),
  /** Envoy's error_detail message when rejected. */
  message: z.string().max(32768).optional(),
  /** The resource type the verdict came with (a rejection names the type Envoy refused). */
  typeUrl: z.string().min(1).optional(),
  /** The Envoy node id of the Engine that answered. */
  node: z.string().min(1).optional(),
});
export type XdsOutcomeFact = z.infer<typeof xdsOutcomeFactSchema>;
