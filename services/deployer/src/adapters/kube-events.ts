import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '@microgateway/runtime';

/**
 * Kubernetes Events where an operator looks (`kubectl describe gateway`): the Engine's config was
 * rejected, the Engine cannot become ready, an object of another instance is in the way. Best
 * effort: an Event that cannot be written is logged, never fails the work that caused it.
 */

export interface EventTarget {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  uid?: string | undefined;
}

export class KubeEvents {
  private readonly api: CoreV1Api;

  constructor(
    kubeConfig: KubeConfig,
    private readonly component: string,
    private readonly logger: Logger,
  ) {
    this.api = kubeConfig.makeApiClient(CoreV1Api);
  }

  async record(target: EventTarget, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const now = new Date();
    try {
      await this.api.createNamespacedEvent({
        namespace: target.namespace,
        body: {
          metadata: { generateName: `${target.name}.`, namespace: target.namespace },
          involvedObject: { apiVersion: target.apiVersion, kind: target.kind, namespace: target.namespace, name: target.name, ...(target.uid ? { uid: target.uid } : {}) },
          type,
          reason,
          message: message.length > 1024 ? `${message.slice(0, 1023)}…` : message,
          source: { component: this.component },
          reportingComponent: this.component,
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      });
    } catch (error) {
      this.logger.warn({ err: error, target, reason }, 'could not record a Kubernetes Event');
    }
  }
}
