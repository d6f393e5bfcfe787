/**
 * The sidecar injector's MutatingWebhookConfiguration (ADR 0013) trusts the deployer's webhook
 * serving certificate through each webhook's `clientConfig.caBundle`: base64 of the same PEM bundle
 * the serving Secrets carry in `ca.crt` (both CAs while a rotation is staged or promoted). Pure
 * decisions here; services/ca/src/webhook-bundle.ts reads and patches.
 */

/** What the ca reads of the configuration: its version and each webhook's name and caBundle (base64, as in the API). */
export interface WebhookConfigView {
  resourceVersion: string;
  webhooks: readonly { name: string; caBundle: string | undefined }[];
}

/** An RFC 6902 operation, as the API server takes it (`application/json-patch+json`). */
export interface JsonPatchOperation {
  op: 'test' | 'add';
  path: string;
  value: unknown;
}

export function encodeCaBundle(bundlePem: string): string {
  return Buffer.from(bundlePem, 'utf8').toString('base64');
}

/** Each webhook's caBundle as PEM text ('' where unset). */
export function webhookBundlesPem(view: WebhookConfigView): string[] {
  return view.webhooks.map((webhook) => Buffer.from(webhook.caBundle ?? '', 'base64').toString('utf8'));
}

/**
 * The patch that sets every webhook's caBundle to the bundle, or undefined when each already holds
 * it. It first tests the resourceVersion and each touched webhook's name: an index path is only
 * right for the version that was read, so a configuration re-applied in between makes the patch
 * fail (and the caller read again) instead of writing a bundle into the wrong webhook.
 */
export function caBundlePatch(view: WebhookConfigView, bundlePem: string): JsonPatchOperation[] | undefined {
  const wanted = encodeCaBundle(bundlePem);
  const stale = view.webhooks.flatMap((webhook, index) => (webhook.caBundle === wanted ? [] : [{ webhook, index }]));
  if (stale.length === 0) return undefined;
  return [
    { op: 'test', path: '/metadata/resourceVersion', value: view.resourceVersion },
    ...stale.flatMap(({ webhook, index }): JsonPatchOperation[] => [
      { op: 'test', path: `/webhooks/${index}/name`, value: webhook.name },
      // `add` sets a member whether or not it exists (an installer may leave caBundle out).
      { op: 'add', path: `/webhooks/${index}/clientConfig/caBundle`, value: wanted },
    ]),
  ];
}
