import { KubeConfig } from '@kubernetes/client-node';
import type { KubernetesConfig } from '../config/schema.js';
import type { Logger } from '../logging/logger.js';
import { reuseConnections } from './connection-reuse.js';

export class KubeConfigError extends Error {
  override name = 'KubeConfigError';
}

/**
 * The Kubernetes client configuration a service asked for: a kubeconfig file (its current context)
 * or the Pod's service account; undefined when it configured neither (it runs without a cluster).
 * Only loads configuration: no request is made, so no cluster needs to be reachable yet.
 */
export function loadKubeConfig(config: KubernetesConfig): KubeConfig | undefined {
  if (config.kubeconfig !== undefined) return reuseConnections(fromFile(config.kubeconfig));
  if (config.inCluster) return reuseConnections(fromCluster());
  return undefined;
}

function fromFile(path: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  try {
    kubeConfig.loadFromFile(path);
  } catch (error) {
    throw new KubeConfigError(`cannot load kubeconfig ${path}: ${(error as Error).message}`);
  }
  if (!kubeConfig.getCurrentCluster()) {
    throw new KubeConfigError(`kubeconfig ${path} has no current context with a cluster`);
  }
  return kubeConfig;
}

function fromCluster(): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromCluster();
  // The client builds the server URL from KUBERNETES_SERVICE_HOST/PORT even when they are unset.
  const server = kubeConfig.getCurrentCluster()?.server ?? '';
  if (server.includes('undefined')) {
    throw new KubeConfigError('kubernetes.inCluster is set but KUBERNETES_SERVICE_HOST/PORT are not: not running in a Pod');
  }
  return kubeConfig;
}

/** What to log about a loaded config: where it points, never credentials. */
export function describeKubeConfig(kubeConfig: KubeConfig): { context: string; server: string | undefined } {
  return { context: kubeConfig.getCurrentContext(), server: kubeConfig.getCurrentCluster()?.server };
}

/** loadKubeConfig for a composition root: logs what was configured (or that nothing was). */
export function setupKubeConfig(config: KubernetesConfig, logger: Logger): KubeConfig | undefined {
  const kubeConfig = loadKubeConfig(config);
  if (kubeConfig) logger.info(describeKubeConfig(kubeConfig), 'Kubernetes client configured');
  else logger.info('no Kubernetes access configured (set kubernetes.kubeconfig or kubernetes.inCluster)');
  return kubeConfig;
}
