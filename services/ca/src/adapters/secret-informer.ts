import { makeInformer, type KubeConfig, type V1Secret, type V1SecretList } from '@kubernetes/client-node';
import type { Logger } from '@microgateway/runtime';
import { decodeSecret, type StoredSecret } from './secrets.js';

const RESTART_DELAY_MS = 2_000;

export interface SecretEvents {
  onUpsert(secret: StoredSecret): void;
  onDelete(secret: StoredSecret): void;
}

/** Which Secrets to watch: the API path (all namespaces or one), its list call, and a label selector. */
export interface SecretSource {
  path: string;
  labelSelector: string;
  list: () => Promise<V1SecretList>;
}

/**
 * Watches the Secrets matching a label selector (in every namespace or one) (list, then watch; the client
 * re-lists when the watch expires). Every replica runs one: it is how a replica learns the
 * certificates other replicas issued, schedules their renewal, and notices a deleted or edited Secret.
 */
export class SecretInformer {
  private stopped = false;
  private readonly informer;

  constructor(kubeConfig: KubeConfig, source: SecretSource, events: SecretEvents, private readonly logger: Logger) {
    this.informer = makeInformer<V1Secret>(kubeConfig, source.path, source.list, source.labelSelector);
    this.informer.on('add', (secret) => events.onUpsert(decodeSecret(secret)));
    this.informer.on('update', (secret) => events.onUpsert(decodeSecret(secret)));
    this.informer.on('delete', (secret) => events.onDelete(decodeSecret(secret)));
    this.informer.on('error', (error: unknown) => {
      if (this.stopped) return;
      this.logger.warn({ err: error }, 'Secret watch failed; restarting');
      setTimeout(() => {
        if (!this.stopped) this.informer.start().catch((e: unknown) => this.logger.warn({ err: e }, 'Secret watch restart failed'));
      }, RESTART_DELAY_MS);
    });
  }

  /** Resolves once the initial list is in the cache (and its add events delivered). */
  async start(): Promise<void> {
    await this.informer.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.informer.stop();
  }
}
