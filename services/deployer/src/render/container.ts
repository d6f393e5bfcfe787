import {
  ENGINE_METRICS_PORT,
  ENGINE_READY_PATH,
  ENGINE_READY_PORT,
  engineNodeCluster,
  engineNodeId,
  type GatewayInfra,
} from '@microgateway/contracts';
import type { ContainerPort, ContainerSpec, Json } from './objects.js';
import { ENGINE_UID, type RenderSettings } from './settings.js';

export const ENGINE_CONTAINER = 'engine';
/** Where the ConfigMap with the bootstrap is mounted, and its one key. */
export const ENGINE_CONFIG_DIR = '/etc/microgateway/engine';
export const ENGINE_CONFIG_KEY = 'envoy.json';
export const CONFIG_VOLUME = 'config';
export const BOOTSTRAP_VOLUME = 'bootstrap';
export const TMP_VOLUME = 'tmp';
export const READY_PORT_NAME = 'ready';
export const METRICS_PORT_NAME = 'metrics';

/** The environment variable with the Envoy node id; Kubernetes expands `$(POD_NAME)` in its value. */
const NODE_ID_ENV = 'ENGINE_NODE_ID';

function env(infra: GatewayInfra): Json[] {
  return [
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    { name: NODE_ID_ENV, value: engineNodeId(infra.gateway, '$(POD_NAME)') },
  ];
}

/**
 * `--disable-hot-restart`: Pods are replaced, never hot-restarted, and hot restart's shared memory
 * would collide between Engines that share an IPC namespace (as on the test node agent).
 */
export function engineArgs(infra: GatewayInfra, settings: RenderSettings): string[] {
  return [
    '--config-path', `${ENGINE_CONFIG_DIR}/${ENGINE_CONFIG_KEY}`,
    '--service-node', `$(${NODE_ID_ENV})`,
    '--service-cluster', engineNodeCluster(infra.gateway),
    '--log-level', infra.logLevel,
    '--drain-time-s', String(settings.drainTimeSeconds),
    '--disable-hot-restart',
  ];
}

/** One port per Gateway listener port (the Service targets them), then the probe and metrics ports. */
export function containerPorts(infra: GatewayInfra): ContainerPort[] {
  return [
    ...infra.ports.map((p): ContainerPort => ({ name: p.name, containerPort: p.containerPort, protocol: 'TCP' })),
    { name: METRICS_PORT_NAME, containerPort: ENGINE_METRICS_PORT, protocol: 'TCP' },
    { name: READY_PORT_NAME, containerPort: ENGINE_READY_PORT, protocol: 'TCP' },
  ];
}

/**
 * Readiness is Envoy's own `/ready` (LIVE state). Liveness only asks whether the process still
 * accepts connections: an Engine that cannot reach the control plane is not ready, but restarting
 * it would throw away the last good configuration it keeps serving (DESIGN §4).
 */
function probes(): Json {
  return {
    readinessProbe: { httpGet: { path: ENGINE_READY_PATH, port: ENGINE_READY_PORT }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 },
    livenessProbe: { tcpSocket: { port: ENGINE_READY_PORT }, initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 },
  };
}

export function containerSecurityContext(): Json {
  return {
    runAsNonRoot: true,
    runAsUser: ENGINE_UID,
    runAsGroup: ENGINE_UID,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

function resources(infra: GatewayInfra): Json {
  const { requests, limits } = infra.resources;
  return { ...(limits ? { limits } : {}), ...(requests ? { requests } : {}) };
}

export function engineContainer(infra: GatewayInfra, settings: RenderSettings): ContainerSpec {
  return {
    name: ENGINE_CONTAINER,
    image: settings.image,
    imagePullPolicy: settings.imagePullPolicy,
    // The image's entrypoint script only adds user switching, which runAsUser already does.
    command: ['envoy'],
    args: engineArgs(infra, settings),
    env: env(infra),
    ports: containerPorts(infra),
    ...probes(),
    // Keep serving while endpoints and load balancers let go of this Pod, then Envoy gets SIGTERM.
    ...(settings.shutdownDelaySeconds > 0 ? { lifecycle: { preStop: { sleep: { seconds: settings.shutdownDelaySeconds } } } } : {}),
    resources: resources(infra),
    securityContext: containerSecurityContext(),
    volumeMounts: [
      { name: CONFIG_VOLUME, mountPath: ENGINE_CONFIG_DIR, readOnly: true },
      { name: BOOTSTRAP_VOLUME, mountPath: settings.bootstrapMountPath, readOnly: true },
      { name: TMP_VOLUME, mountPath: '/tmp' },
    ],
  };
}
