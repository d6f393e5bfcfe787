/**
 * The shape of the Kubernetes objects this core produces: plain JSON, typed only as far as the
 * renderer and its tests read them (the real apiserver is the authority on the rest, see
 * test/src/deployer/render.itest.ts). No Kubernetes client types: the core imports no I/O library.
 */

export type Json = Record<string, unknown>;
export type StringMap = Record<string, string>;

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller: boolean;
  blockOwnerDeletion: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace: string;
  labels: StringMap;
  annotations?: StringMap;
  ownerReferences?: OwnerReference[];
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
}

export interface ServiceAccountObject extends KubeObject {
  automountServiceAccountToken: boolean;
}

export interface ConfigMapObject extends KubeObject {
  data: StringMap;
}

export interface ContainerPort {
  name: string;
  containerPort: number;
  protocol: 'TCP';
}

export interface ContainerSpec extends Json {
  name: string;
  ports: ContainerPort[];
  args: string[];
}

export interface PodSpec extends Json {
  containers: ContainerSpec[];
}

export interface DeploymentObject extends KubeObject {
  spec: Json & {
    replicas: number;
    selector: { matchLabels: StringMap };
    template: { metadata: { labels: StringMap; annotations: StringMap }; spec: PodSpec };
  };
}

export interface ServicePort {
  name: string;
  port: number;
  targetPort: number;
  protocol: 'TCP';
}

export interface ServiceObject extends KubeObject {
  spec: Json & { type: string; selector: StringMap; ports: ServicePort[] };
}

export interface PodDisruptionBudgetObject extends KubeObject {
  spec: Json & { selector: { matchLabels: StringMap } };
}

/** Everything one Gateway's Engine needs, except the bootstrap Secret (the ca writes that). */
export interface EngineObjects {
  serviceAccount: ServiceAccountObject;
  configMap: ConfigMapObject;
  deployment: DeploymentObject;
  /** Absent when the Gateway has no ports: Kubernetes refuses a Service without ports. */
  service?: ServiceObject;
  /** Only with more than one replica: a PDB on a single Pod would block every node drain. */
  podDisruptionBudget?: PodDisruptionBudgetObject;
}

/** A copy of a string map with its keys sorted, so rendered objects do not depend on input order. */
export function sortedMap(map: StringMap): StringMap {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
