import { describe, expect, it } from 'vitest';
import { DAY_MS } from './clock.js';
import { CA_BUNDLE_KEY, CA_CERT_KEY, CA_KEY_KEY, decideRotation, stageRotation, type CaSecretContent } from './rotation.js';
import { T0, fixedClock, testCa } from './testdata/fixtures.js';
import { caBundlePatch, encodeCaBundle, webhookBundlesPem, type WebhookConfigView } from './webhook-bundle.js';

const oldCa = testCa('ca');
const newCa = testCa('foreign-ca');
const bundle = oldCa.certificatePem;

function view(...caBundles: (string | undefined)[]): WebhookConfigView {
  return { resourceVersion: '42', webhooks: caBundles.map((caBundle, i) => ({ name: `hook-${i}.sidecar.microgateway.dev`, caBundle })) };
}

describe('caBundlePatch', () => {
  it('fills an empty or absent caBundle, guarded by the version and the webhook names it read', () => {
    expect(caBundlePatch(view('', undefined), bundle)).toEqual([
      { op: 'test', path: '/metadata/resourceVersion', value: '42' },
      { op: 'test', path: '/webhooks/0/name', value: 'hook-0.sidecar.microgateway.dev' },
      { op: 'add', path: '/webhooks/0/clientConfig/caBundle', value: encodeCaBundle(bundle) },
      { op: 'test', path: '/webhooks/1/name', value: 'hook-1.sidecar.microgateway.dev' },
      { op: 'add', path: '/webhooks/1/clientConfig/caBundle', value: encodeCaBundle(bundle) },
    ]);
  });

  it('touches only the webhooks whose caBundle differs, and nothing when all are current', () => {
    const current = encodeCaBundle(bundle);
    expect(caBundlePatch(view(current, current), bundle)).toBeUndefined();
    const patch = caBundlePatch(view(current, encodeCaBundle(newCa.certificatePem)), bundle) ?? [];
    expect(patch.map((op) => op.path)).toEqual(['/metadata/resourceVersion', '/webhooks/1/name', '/webhooks/1/clientConfig/caBundle']);
  });

  it('a configuration without webhooks needs no patch', () => {
    expect(caBundlePatch(view(), bundle)).toBeUndefined();
  });

  it('reads the caBundles back as PEM text', () => {
    expect(webhookBundlesPem(view(encodeCaBundle(bundle), undefined))).toEqual([bundle, '']);
  });
});

describe('the webhook caBundle in a CA rotation', () => {
  const stable: CaSecretContent = { data: { [CA_CERT_KEY]: oldCa.certificatePem, [CA_KEY_KEY]: oldCa.privateKeyPem, [CA_BUNDLE_KEY]: oldCa.certificatePem }, annotations: {} };
  const start = new Date(T0.getTime() + DAY_MS);
  const staged = stageRotation(stable, newCa, 'requested', start);
  const policy = { rotateAtFraction: 2 / 3, minPhaseMs: 0, clock: fixedClock(start) };
  const stagedBundle = staged.data[CA_BUNDLE_KEY] ?? '';
  const secretBundles = [stagedBundle, stagedBundle];

  it('the patched caBundle carries both CAs while staged', () => {
    const patch = caBundlePatch(view(encodeCaBundle(bundle)), stagedBundle) ?? [];
    const value = String(patch.at(-1)?.value);
    expect(Buffer.from(value, 'base64').toString('utf8')).toBe(stagedBundle);
    expect(stagedBundle).toContain(oldCa.certificatePem.trim());
    expect(stagedBundle).toContain(newCa.certificatePem.trim());
  });

  it('promotion waits for a webhook caBundle that lacks the next CA, and goes on once it carries it', () => {
    const lagging = webhookBundlesPem(view(encodeCaBundle(bundle)));
    expect(decideRotation(staged, { bundles: [...secretBundles, ...lagging], leaves: [] }, policy)).toMatchObject({ action: 'wait', why: '1 of 3 bundles lack the next CA' });
    const current = webhookBundlesPem(view(encodeCaBundle(stagedBundle)));
    expect(decideRotation(staged, { bundles: [...secretBundles, ...current], leaves: [] }, policy).action).toBe('promote');
  });
});
