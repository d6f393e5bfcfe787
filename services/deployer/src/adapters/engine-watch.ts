import { AppsV1Api, CoreV1Api, makeInformer, type KubeConfig, type KubernetesObject, type V1Deployment, type V1Service } from '@kubernetes/client-node';
import type { InstanceName } from '@microgateway/contracts';
import { COMPONENT_LABEL, INSTANCE_LABEL } from '@microgateway/contracts';
import type { Logger } from '@microgateway/runtime';
import { ENGINE_COMPONENT } from '../render/index.js';
import type { DeploymentObservation, EngineObservation, ServiceObservation } from '../status/index.js';

/**
 * Watches this instance's Engine Deployments and Services in every namespace (list, then watch;
 * restarted after a failure) and keeps what the status merge needs of them: available replicas
 * and the Service's addresses. Every replica runs one.
 */

const RESTART_DELAY_MS = 2_000;

type Informer = ReturnType<typeof makeInformer<KubernetesObject>>;

export function observeDeployment(deployment: V1Deployment): DeploymentObservation {
  const progressing = deployment.status?.conditions?.find((c) => c.type === 'Progressing');
  return {
    availableReplicas: deployment.status?.availableReplicas ?? 0,
    desiredReplicas: deployment.spec?.replicas ?? 1,
    ...(progressing?.status === 'False' && progressing.message ? { progressing: progressing.message } : {}),
  };
}

export function observeService(service: V1Service): ServiceObservation {
  const spec = service.spec ?? {};
  return {
    type: spec.type ?? 'ClusterIP',
    clusterIPs: spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : []),
    loadBalancerIngress: (service.status?.loadBalancer?.ingress ?? []).map((i) => ({ ...(i.ip ? { ip: i.ip } : {}), ...(i.hostname ? { hostname: i.hostname } : {}) })),
  };
}

export class EngineWatch {
  private readonly observations = new Map<string, EngineObservation>();
  private readonly informers: Informer[] = [];
  private stopped = false;

  constructor(
    kubeConfig: KubeConfig,
    instance: InstanceName,
    private readonly onChange: (namespace: string, objectName: string) => void,
    private readonly logger: Logger,
  ) {
    const selector = `${INSTANCE_LABEL}=${instance},${COMPONENT_LABEL}=${ENGINE_COMPONENT}`;
    const apps = kubeConfig.makeApiClient(AppsV1Api);
    const core = kubeConfig.makeApiClient(CoreV1Api);
    this.watch<V1Deployment>(
      makeInformer<V1Deployment>(kubeConfig, '/apis/apps/v1/deployments', () => apps.listDeploymentForAllNamespaces({ labelSelector: selector }), selector),
      (entry, deployment) => (entry.deployment = deployment === undefined ? undefined : observeDeployment(deployment)),
      'Deployment',
    );
    this.watch<V1Service>(
      makeInformer<V1Service>(kubeConfig, '/api/v1/services', () => core.listServiceForAllNamespaces({ labelSelector: selector }), selector),
      (entry, service) => (entry.service = service === undefined ? undefined : observeService(service)),
      'Service',
    );
  }

  /** What the deployer sees of the Engine named `objectName` in `namespace` (empty until its objects exist). */
  observation(namespace: string, objectName: string): EngineObservation {
    return this.observations.get(`${namespace}/${objectName}`) ?? {};
  }

  async start(): Promise<void> {
    await Promise.all(this.informers.map((i) => i.start()));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.informers.map((i) => i.stop()));
  }

  private watch<T extends KubernetesObject>(informer: ReturnType<typeof makeInformer<T>>, set: (entry: EngineObservation, object: T | undefined) => void, kind: string): void {
    const update = (object: T, gone: boolean): void => {
      const namespace = object.metadata?.namespace ?? '';
      const name = object.metadata?.name ?? '';
      const key = `${namespace}/${name}`;
      const entry = this.observations.get(key) ?? {};
      set(entry, gone ? undefined : object);
      if (entry.deployment === undefined && entry.service === undefined) this.observations.delete(key);
      else this.observations.set(key, entry);
      this.onChange(namespace, name);
    };
    informer.on('add', (o) => update(o, false));
    informer.on('update', (o) => update(o, false));
    informer.on('delete', (o) => update(o, true));
    informer.on('error', (error: unknown) => {
      if (this.stopped) return;
      this.logger.warn({ err: error, kind }, 'Engine watch failed; restarting');
      setTimeout(() => {
        if (!this.stopped) informer.start().catch((e: unknown) => this.logger.warn({ err: e, kind }, 'Engine watch restart failed'));
      }, RESTART_DELAY_MS);
    });
    this.informers.push(informer as unknown as Informer);
  }
}
