import { z } from 'zod';
import { engineResourcesSchema, ServiceType } from '../crds/gateway-parameters.js';

/**
 * What the deployer must run for one Gateway (KV `infra`), after GatewayParameters are applied.
 * Written by the renderer, read by the deployer.
 */

/** A Gateway listener on port P is served by container port P + this offset, so Envoy runs as non-root. */
export const CONTAINER_PORT_OFFSET = 10000;

export function containerPortOf(gatewayPort: number): number {
  return CONTAINER_PORT_OFFSET + gatewayPort;
}

/** The highest Gateway listener port the Engine can serve (its container port must stay ≤ 65535). */
export const MAX_GATEWAY_PORT = 65535 - CONTAINER_PORT_OFFSET;

export const infraPortSchema = z.strictObject({
  /** `port-<P>`: the Service port name. */
  name: z.string().min(1),
  /** The port clients connect to (the Gateway listener port, the Service port). */
  port: z.number().int().min(1).max(65535),
  /** The port Envoy binds in the container. */
  containerPort: z.number().int().min(1).max(65535),
  protocol: z.literal('TCP'),
});
export type InfraPort = z.infer<typeof infraPortSchema>;

export const gatewayInfraSchema = z.strictObject({
  gateway: z.strictObject({
    namespace: z.string().min(1),
    name: z.string().min(1),
    /** The Gateway's metadata.uid: what the deployer's and the ca's objects name as their owner. */
    uid: z.string().min(1).optional(),
  }),
  /** Generation of the Gateway this description was rendered from. */
  observedGeneration: z.number().int().nonnegative(),
  replicas: z.number().int().nonnegative(),
  ports: z.array(infraPortSchema),
  service: z.strictObject({
    type: z.enum([ServiceType.ClusterIP, ServiceType.NodePort, ServiceType.LoadBalancer]),
    annotations: z.record(z.string(), z.string()),
    labels: z.record(z.string(), z.string()),
    loadBalancerClass: z.string().optional(),
    externalTrafficPolicy: z.enum(['Cluster', 'Local']).optional(),
  }),
  /** Gateway `spec.infrastructure` labels and annotations, for every object the deployer creates. */
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
  resources: engineResourcesSchema,
  logLevel: z.string().min(1),
});
export type GatewayInfra = z.infer<typeof gatewayInfraSchema>;

/**
 * A deploy job (work-queue stream `jobStreamName(i, 'deploy')`): bring the Gateway's Engine objects
 * in line with its infra entry — apply them, or delete them when the entry is gone. The job names
 * the KV revision that caused it; the worker acts on its own (caught-up) view of the bucket.
 */
export const deployJobSchema = z.strictObject({
  gateway: z.strictObject({ namespace: z.string().min(1), name: z.string().min(1) }),
  /** The `infra` KV revision (of the put or the delete) this job was enqueued for. */
  revision: z.number().int().nonnegative(),
  reason: z.enum(['infra-changed', 'infra-deleted', 'resync']),
  requestedAt: z.iso.datetime({ offset: true }),
});
export type DeployJob = z.infer<typeof deployJobSchema>;

/**
 * Every replica seeing the same infra revision enqueues the same id, so JetStream keeps one job.
 * `settings` (a digest of the deployer's Engine settings) makes a deployer rolled out with new
 * settings re-apply every Gateway instead of being deduplicated against the old replicas' jobs.
 */
export function deployJobMessageId(job: Pick<DeployJob, 'gateway' | 'revision' | 'reason'>, settings = ''): string {
  return `deploy/${job.gateway.namespace}/${job.gateway.name}/${job.reason}/${job.revision}/${settings}`;
}
