import { AdmissionregistrationV1Api, ListWatch, Watch, type KubeConfig, type V1MutatingWebhookConfiguration } from '@kubernetes/client-node';
import type { Logger } from '@microgateway/runtime';
import type { JsonPatchOperation, WebhookConfigView } from '../pki/index.js';
import { FIELD_MANAGER } from './secrets.js';

const RESTART_DELAY_MS = 2_000;
const MAX_RESTART_DELAY_MS = 60_000;
const COLLECTION_PATH = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations';

/** The configuration changed between the read and the patch (a failed `test`, or it vanished): read again. */
export class WebhookConfigConflictError extends Error {
  override name = 'WebhookConfigConflictError';
}

/** The ca's RBAC does not let it read the configuration (an installer that left the rule out, or named another configuration). */
export class WebhookConfigForbiddenError extends Error {
  override name = 'WebhookConfigForbiddenError';
}

function statusCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

function viewOf(config: V1MutatingWebhookConfiguration): WebhookConfigView {
  return {
    resourceVersion: config.metadata?.resourceVersion ?? '',
    webhooks: (config.webhooks ?? []).map((webhook) => ({ name: webhook.name, caBundle: webhook.clientConfig.caBundle })),
  };
}

/**
 * One MutatingWebhookConfiguration, by name: read, patched, watched. The ca never creates or deletes
 * it (the installer does), and its RBAC names this one object only — which is why the watch selects
 * it with `metadata.name` (the only way a list or watch passes a resourceNames rule).
 */
export class WebhookConfigStore {
  private readonly api: AdmissionregistrationV1Api;

  constructor(
    private readonly kubeConfig: KubeConfig,
    readonly name: string,
  ) {
    this.api = kubeConfig.makeApiClient(AdmissionregistrationV1Api);
  }

  /** The configuration now; undefined when it does not exist; WebhookConfigForbiddenError when RBAC refuses. */
  async read(): Promise<WebhookConfigView | undefined> {
    try {
      return viewOf(await this.api.readMutatingWebhookConfiguration({ name: this.name }));
    } catch (error) {
      const code = statusCode(error);
      if (code === 404) return undefined;
      if (code === 403) throw new WebhookConfigForbiddenError(`not allowed to read MutatingWebhookConfiguration ${this.name}`);
      throw error;
    }
  }

  /** Applies a JSON patch; WebhookConfigConflictError when a `test` failed or the object is gone. */
  async patch(operations: JsonPatchOperation[]): Promise<WebhookConfigView> {
    try {
      return viewOf(await this.api.patchMutatingWebhookConfiguration({ name: this.name, body: operations, fieldManager: FIELD_MANAGER }));
    } catch (error) {
      const code = statusCode(error);
      // A failed `test` answers 422 (Unprocessable Entity); some versions answer 409.
      if (code === 404 || code === 409 || code === 422) throw new WebhookConfigConflictError(`MutatingWebhookConfiguration ${this.name} changed while being patched`);
      throw error;
    }
  }

  /** Calls `onChange` whenever the configuration is added, changed or deleted, until the returned stop. */
  async watch(onChange: () => void, logger: Logger): Promise<() => Promise<void>> {
    const fieldSelector = `metadata.name=${this.name}`;
    let stopped = false;
    let failures = 0;
    const informer = new ListWatch<V1MutatingWebhookConfiguration>(
      COLLECTION_PATH,
      new Watch(this.kubeConfig),
      async () => {
        const list = await this.api.listMutatingWebhookConfiguration({ fieldSelector });
        failures = 0;
        return list;
      },
      false,
      undefined,
      fieldSelector,
    );
    informer.on('change', () => onChange());
    informer.on('error', (error: unknown) => {
      if (stopped) return;
      failures++;
      // A refused watch (RBAC) stays refused: say so once, then retry quietly and less often.
      const delay = Math.min(RESTART_DELAY_MS * 2 ** (failures - 1), MAX_RESTART_DELAY_MS);
      const log = failures === 1 ? logger.warn.bind(logger) : logger.debug.bind(logger);
      log({ err: error, configuration: this.name, retryInMs: delay }, 'MutatingWebhookConfiguration watch failed; restarting');
      setTimeout(() => {
        if (!stopped) informer.start().catch((e: unknown) => logger.warn({ err: e }, 'MutatingWebhookConfiguration watch restart failed'));
      }, delay);
    });
    await informer.start();
    return async () => {
      stopped = true;
      await informer.stop();
    };
  }
}
