/**
 * The facts the deployer merges besides the renderer's status facts (KV `status`). The adapters
 * build them from what they observe; the merge only reads them.
 */

/** The outcome of the latest config push to a Gateway's Engines (the renderer's xDS ACK/NACK). */
export type XdsOutcome =
  | { kind: 'applied'; version: string }
  /** `message` is Envoy's error_detail from the NACK. */
  | { kind: 'rejected'; version: string; message: string };

/** The Engine Deployment as the deployer sees it (`status.availableReplicas`, `spec.replicas`). */
export interface DeploymentObservation {
  availableReplicas: number;
  desiredReplicas: number;
  /** The message of the Deployment's `Progressing` condition, when it says something useful. */
  progressing?: string;
}

/** One entry of a Service's `status.loadBalancer.ingress`. */
export interface LoadBalancerIngress {
  ip?: string;
  hostname?: string;
}

/** The Engine Service as the deployer sees it. */
export interface ServiceObservation {
  /** `spec.type`: `ClusterIP`, `NodePort` or `LoadBalancer`. */
  type: string;
  /** `spec.clusterIPs` (or `[spec.clusterIP]`); `None` for a headless Service. */
  clusterIPs: string[];
  /** `status.loadBalancer.ingress`; empty until a load balancer assigns an address. */
  loadBalancerIngress: LoadBalancerIngress[];
}

/** The deployer's own observation of a Gateway's Engine; a part is undefined until it exists. */
export interface EngineObservation {
  deployment?: DeploymentObservation;
  service?: ServiceObservation;
}
