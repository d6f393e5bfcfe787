// The local Kubernetes cluster without containers, as a library (`mgw dev`, the suites).
export { startLocalCluster, stopLocalCluster } from './cluster.js';
export type { LocalCluster, LocalClusterOptions } from './cluster.js';
export type { ClusterNetwork } from './network.js';
export { clusterNamespaces, podNamespace } from './network.js';
export type { NodeAgent } from './agent.js';
export type { ImageBinary } from './images.js';
export { defaultImageBinaries } from './images.js';
