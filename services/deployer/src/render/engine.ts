import type { GatewayInfra } from '@microgateway/contracts';
import { bootstrapText } from './bootstrap.js';
import { bootstrapChecksum } from './checksum.js';
import { renderConfigMap, renderPodDisruptionBudget, renderServiceAccount } from './companions.js';
import { renderDeployment } from './deployment.js';
import type { EngineObjects, KubeObject } from './objects.js';
import { renderService } from './service.js';
import type { RenderSettings } from './settings.js';

/**
 * The Kubernetes objects of one Gateway's Engine: a pure, deterministic function of the Gateway's
 * infra description and the instance's settings (same input, same JSON), so the deployer can apply
 * it with server-side apply on every change and golden files can pin it down.
 */
export function renderEngine(infra: GatewayInfra, settings: RenderSettings): EngineObjects {
  const configMap = renderConfigMap(infra, settings, bootstrapText(infra, settings));
  const service = renderService(infra, settings);
  const podDisruptionBudget = renderPodDisruptionBudget(infra, settings);
  return {
    serviceAccount: renderServiceAccount(infra, settings),
    configMap,
    deployment: renderDeployment(infra, settings, bootstrapChecksum(configMap.data)),
    ...(service ? { service } : {}),
    ...(podDisruptionBudget ? { podDisruptionBudget } : {}),
  };
}

/**
 * The objects in the order to apply them: what the Pods reference (ServiceAccount, ConfigMap)
 * before the Deployment, so a new Pod never starts against a missing or stale ConfigMap.
 */
export function engineObjectList(objects: EngineObjects): KubeObject[] {
  const { serviceAccount, configMap, deployment, service, podDisruptionBudget } = objects;
  return [serviceAccount, configMap, deployment, ...(service ? [service] : []), ...(podDisruptionBudget ? [podDisruptionBudget] : [])];
}
