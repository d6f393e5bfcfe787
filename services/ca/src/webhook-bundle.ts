import type { Logger } from '@microgateway/runtime';
import type { TrustState } from './authority.js';
import { WebhookConfigConflictError, WebhookConfigForbiddenError, type WebhookConfigStore } from './adapters/webhook-configs.js';
import type { CaMetrics } from './metrics.js';
import { caBundlePatch, webhookBundlesPem } from './pki/index.js';

export interface WebhookBundleDeps {
  store: WebhookConfigStore;
  trust: () => TrustState;
  metrics: CaMetrics;
  logger: Logger;
  /** Look again this often even without a watch event (a missed event, an absent configuration). */
  resyncMs: number;
  /** Retry delay after a failed read or patch. */
  retryMs: number;
  /** The webhooks' caBundles changed (or were read for the first time): the rotator looks again. */
  onBundlesChanged: () => void;
}

const MAX_ATTEMPTS = 3;

/**
 * Keeps every webhook's `clientConfig.caBundle` of the sidecar injector's MutatingWebhookConfiguration
 * equal to the CA bundle, so the API server trusts the deployer's webhook certificate through a CA
 * rotation (bundle first, as in ADR 0009). The installer creates the configuration; re-applying it
 * empties the caBundle, which the watch notices within a second. Absent is fine: nothing to keep yet.
 * Every replica runs one; the patch tests the resourceVersion it read, so racing replicas write once.
 */
export class WebhookBundleKeeper {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private lookAgain = false;
  private stopped = false;
  private stopWatch: (() => Promise<void>) | undefined;
  /** The webhooks' bundles (PEM) as last seen; [] when the configuration is absent; undefined before the first read. */
  private known: string[] | undefined;
  private absentLogged = false;
  private forbiddenLogged = false;

  constructor(private readonly deps: WebhookBundleDeps) {}

  /** Watches the configuration and makes its bundles current now (failures are retried, never thrown). */
  async start(): Promise<void> {
    this.stopWatch = await this.deps.store.watch(() => this.poke(), this.deps.logger);
    await this.run();
  }

  /** The caBundles the rotator must see carry the next CA; undefined until the configuration was read once. */
  bundles(): readonly string[] | undefined {
    return this.known;
  }

  /** Looks again now (the CA bundle or the configuration changed). */
  poke(delayMs = 0): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), Math.max(0, delayMs));
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.stopWatch?.();
  }

  private async run(): Promise<void> {
    if (this.running) {
      this.lookAgain = true;
      return;
    }
    this.running = true;
    let nextLookMs = this.deps.resyncMs;
    try {
      await this.reconcile();
    } catch (error) {
      nextLookMs = this.deps.retryMs;
      this.deps.metrics.failures.inc({ kind: 'webhook-bundle', reason: (error as Error).name || 'Error' });
      this.deps.logger.warn({ err: error, configuration: this.deps.store.name, retryInMs: nextLookMs }, 'could not bring the webhook caBundle up to date; retrying');
    } finally {
      this.running = false;
    }
    if (this.lookAgain) {
      this.lookAgain = false;
      this.poke();
    } else this.poke(nextLookMs);
  }

  private async reconcile(): Promise<void> {
    const { store, logger } = this.deps;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const view = await this.readAllowed();
      if (view === 'forbidden') return this.remember([]);
      if (!view) {
        if (!this.absentLogged) logger.debug({ configuration: store.name }, 'the sidecar injector configuration does not exist (yet); looking again later');
        this.absentLogged = true;
        return this.remember([]);
      }
      this.absentLogged = false;
      const patch = caBundlePatch(view, this.deps.trust().bundlePem);
      if (!patch) return this.remember(webhookBundlesPem(view));
      try {
        const patched = await store.patch(patch);
        logger.info({ configuration: store.name, webhooks: view.webhooks.map((w) => w.name) }, 'set the webhook caBundle to the current CA bundle');
        return this.remember(webhookBundlesPem(patched));
      } catch (error) {
        if (!(error instanceof WebhookConfigConflictError)) throw error;
      }
    }
    throw new WebhookConfigConflictError(`MutatingWebhookConfiguration ${store.name} kept changing under us`);
  }

  /**
   * A configuration the ca may not read is one it could not patch either: holding the CA rotation
   * back for it would block the rotation forever, so it counts as absent, with a loud warning.
   */
  private async readAllowed(): Promise<Awaited<ReturnType<WebhookConfigStore['read']>> | 'forbidden'> {
    try {
      const view = await this.deps.store.read();
      this.forbiddenLogged = false;
      return view;
    } catch (error) {
      if (!(error instanceof WebhookConfigForbiddenError)) throw error;
      if (!this.forbiddenLogged) this.deps.logger.warn({ err: error, configuration: this.deps.store.name }, 'cannot read the sidecar injector configuration (RBAC); its caBundle is not kept and a CA rotation will not wait for it');
      this.forbiddenLogged = true;
      return 'forbidden';
    }
  }

  private remember(bundles: string[]): void {
    const changed = this.known === undefined || this.known.join('\0') !== bundles.join('\0') || this.known.length !== bundles.length;
    this.known = bundles;
    if (changed) this.deps.onBundlesChanged();
  }
}
