import { bootstrapSecretName, type GatewayInfra } from '@microgateway/contracts';
import { BOOTSTRAP_VOLUME, CONFIG_VOLUME, TMP_VOLUME, engineContainer } from './container.js';
import { BOOTSTRAP_CHECKSUM_ANNOTATION, engineLabels, engineMeta, engineObjectName, engineSelector } from './names.js';
import { sortedMap, type DeploymentObject, type Json, type PodSpec, type StringMap } from './objects.js';
import { ENGINE_UID, type RenderSettings } from './settings.js';

/** 0440: the key is readable by the Engine's group (fsGroup) and nobody else. */
const SECRET_FILE_MODE = 0o440;

function volumes(infra: GatewayInfra): Json[] {
  const name = engineObjectName(infra.gateway.name);
  return [
    { name: CONFIG_VOLUME, configMap: { name } },
    // Not optional: without its certificate an Engine cannot reach xDS, so the Pod waits for the ca.
    { name: BOOTSTRAP_VOLUME, secret: { secretName: bootstrapSecretName(infra.gateway.name), defaultMode: SECRET_FILE_MODE } },
    // Envoy writes nothing else; the root filesystem stays read-only.
    { name: TMP_VOLUME, emptyDir: { sizeLimit: '64Mi' } },
  ];
}

/**
 * With several replicas, prefer Pods on different nodes (soft: a one-node cluster still runs them
 * all). `pod-template-hash` limits the count to the current revision, so a rollout is spread too.
 */
function spread(infra: GatewayInfra, settings: RenderSettings): Json {
  if (infra.replicas <= 1) return {};
  return {
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: engineSelector(infra, settings) },
        matchLabelKeys: ['pod-template-hash'],
      },
    ],
  };
}

function podSpec(infra: GatewayInfra, settings: RenderSettings): PodSpec {
  return {
    serviceAccountName: engineObjectName(infra.gateway.name),
    // Engines never call the Kubernetes API: no token in the Pod to steal.
    automountServiceAccountToken: false,
    terminationGracePeriodSeconds: settings.terminationGracePeriodSeconds,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: ENGINE_UID,
      runAsGroup: ENGINE_UID,
      fsGroup: ENGINE_UID,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    containers: [engineContainer(infra, settings)],
    volumes: volumes(infra),
    ...spread(infra, settings),
  };
}

/**
 * The Engine Deployment. Rolling updates add a new Pod before removing an old one (maxSurge 1,
 * maxUnavailable 0): serving capacity never drops during a rollout, and a single-replica Gateway
 * has no gap at all. A new Pod that never gets ready (bad image, no certificate) stalls the rollout
 * with the old Pods still serving.
 */
export function renderDeployment(infra: GatewayInfra, settings: RenderSettings, checksum: string): DeploymentObject {
  const podAnnotations: StringMap = sortedMap({ ...infra.annotations, [BOOTSTRAP_CHECKSUM_ANNOTATION]: checksum });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: engineMeta(infra, settings),
    spec: {
      replicas: infra.replicas,
      revisionHistoryLimit: 3,
      selector: { matchLabels: engineSelector(infra, settings) },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: engineLabels(infra, settings), annotations: podAnnotations },
        spec: podSpec(infra, settings),
      },
    },
  };
}
