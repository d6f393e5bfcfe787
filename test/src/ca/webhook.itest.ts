// The ca and the sidecar injection webhook (ADR 0013) on a real apiserver (the ca with the identity of
// deploy/base/rbac/ca.yaml) and a real NATS: the deployer's webhook serving Secret is issued for the
// webhook Service's names; the MutatingWebhookConfiguration the installer creates with an empty
// caBundle gets the CA bundle within seconds, again after it is re-applied; and through a CA rotation
// its caBundle carries the next CA before that CA signs anything. Needs `npx tsc -b` first.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdmissionregistrationV1Api, Watch, type V1MutatingWebhookConfiguration, type V1Secret } from '@kubernetes/client-node';
import {
  SYSTEM_NAMESPACE,
  caSecretName,
  deployerWebhookSecretName,
  deployerWebhookServiceName,
  sidecarInjectorWebhookConfigName,
  type InstanceName,
} from '@microgateway/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts, waitFor, type ProcessHandle } from '../harness/index.js';
import { CaTestEnvironment, decodeSecretData, prepareInstance, startCa, type InstanceNats } from './setup.js';

// The RBAC of deploy/base names the default instance's configuration only.
const instance: InstanceName = 'default';
const CONFIG = sidecarInjectorWebhookConfigName(instance);
const SERVICE = deployerWebhookServiceName(instance);
const MIN_PHASE_S = 2;
const ROTATE_ANNOTATION = 'microgateway.dev/rotate-ca';
const PHASE_ANNOTATION = 'microgateway.dev/ca-rotation-phase';

function pems(bundle: string | undefined): string[] {
  return (bundle ?? '').match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
}

function holds(bundle: string | undefined, caPem: string): boolean {
  return pems(bundle).some((pem) => pem.trim() === caPem.trim());
}

function caBundles(config: V1MutatingWebhookConfiguration): string[] {
  return (config.webhooks ?? []).map((webhook) => Buffer.from(webhook.clientConfig.caBundle ?? '', 'base64').toString('utf8'));
}

/** The installer's configuration (ADR 0013), caBundle left empty; no Pod is created here, so it never intercepts anything. */
function injectorConfig(): V1MutatingWebhookConfiguration {
  const webhook = (name: string, path: string): NonNullable<V1MutatingWebhookConfiguration['webhooks']>[number] => ({
    name,
    clientConfig: { service: { namespace: SYSTEM_NAMESPACE, name: SERVICE, path, port: 443 }, caBundle: '' },
    rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
    objectSelector: { matchLabels: { 'sidecar.microgateway.dev/inject': 'true' } },
    namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', SYSTEM_NAMESPACE] }] },
    sideEffects: 'None',
    admissionReviewVersions: ['v1'],
    failurePolicy: 'Fail',
    timeoutSeconds: 5,
  });
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: CONFIG },
    webhooks: [webhook('pods.sidecar.microgateway.dev', '/inject'), webhook('namespaces.sidecar.microgateway.dev', '/inject')],
  };
}

describe('ca: the sidecar injection webhook', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'mgw-ca-webhook-'));
  let env: CaTestEnvironment;
  let inst: InstanceNats;
  let ca: ProcessHandle;
  let admission: AdmissionregistrationV1Api;
  /** Every version of the configuration, from a watch (resourceVersion, caBundles). */
  const configVersions: { resourceVersion: number; bundles: string[] }[] = [];
  let watch: AbortController | undefined;

  const caSecret = async (): Promise<V1Secret> => (await env.readSecret(SYSTEM_NAMESPACE, caSecretName(instance))) as V1Secret;
  const readConfig = (): Promise<V1MutatingWebhookConfiguration> => admission.readMutatingWebhookConfiguration({ name: CONFIG });

  beforeAll(async () => {
    env = await CaTestEnvironment.start(workDir);
    inst = await prepareInstance(env.nats, instance);
    admission = env.kube.kubeConfig().makeApiClient(AdmissionregistrationV1Api);
    const [port] = (await freePorts(1)) as [number];
    ca = await startCa({
      instance, workDir, nats: env.nats, kubeconfig: env.kubeconfig, port,
      configYaml: `certificates: {caRsaKeyBits: 2048, caRotationMinPhaseSeconds: ${MIN_PHASE_S}}`,
    });
    watch = await new Watch(env.kube.kubeConfig()).watch(
      '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations',
      { fieldSelector: `metadata.name=${CONFIG}` },
      (phase: string, config: V1MutatingWebhookConfiguration) => {
        if (phase === 'ADDED' || phase === 'MODIFIED') configVersions.push({ resourceVersion: Number(config.metadata?.resourceVersion), bundles: caBundles(config) });
      },
      () => undefined,
    );
  });

  afterAll(async () => {
    watch?.abort();
    await ca?.stop();
    await inst?.nc.close();
    await env?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  it("issues the deployer's webhook serving Secret for the webhook Service's names, signed by the CA", async () => {
    const secret = await waitFor(() => env.readSecret(SYSTEM_NAMESPACE, deployerWebhookSecretName(instance)), { timeoutMs: 10_000, what: 'the webhook serving Secret', process: ca });
    const data = decodeSecretData(secret);
    expect(Object.keys(data).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
    const caData = decodeSecretData(await caSecret());
    const caCert = new X509Certificate(caData['tls.crt'] ?? '');
    const cert = new X509Certificate(data['tls.crt'] ?? '');
    expect(cert.subjectAltName).toBe(`DNS:${SERVICE}.${SYSTEM_NAMESPACE}.svc, DNS:${SERVICE}`);
    expect(cert.checkIssued(caCert) && cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.ca).toBe(false);
    expect(data['ca.crt']).toBe(caData['ca.crt']);
    expect(secret.metadata?.labels).toMatchObject({ 'microgateway.dev/instance': instance, 'microgateway.dev/component': 'webhook-serving' });
  });

  it('an absent configuration is fine: the ca neither creates it nor complains', async () => {
    await expect(readConfig()).rejects.toMatchObject({ code: 404 });
    const warnings = ca.logs().split('\n').filter((line) => line.startsWith('{') && line.includes('webhook-bundle') && (JSON.parse(line) as { level: number }).level >= 40);
    expect(warnings).toEqual([]);
  });

  it('fills the empty caBundle of a newly created configuration within seconds, and again after it is re-applied', async () => {
    const bundle = decodeSecretData(await caSecret())['ca.crt'] ?? '';
    const created = performance.now();
    await admission.createMutatingWebhookConfiguration({ body: injectorConfig() });
    await waitFor(async () => caBundles(await readConfig()).every((b) => b === bundle) || undefined, { timeoutMs: 5_000, intervalMs: 20, what: 'the caBundle to be filled', process: ca });
    const filledMs = performance.now() - created;

    // The installer applies its manifest again: the caBundle is empty once more.
    const current = await readConfig();
    await admission.replaceMutatingWebhookConfiguration({ name: CONFIG, body: { ...injectorConfig(), metadata: { name: CONFIG, resourceVersion: current.metadata?.resourceVersion } } });
    const replaced = performance.now();
    await waitFor(async () => caBundles(await readConfig()).every((b) => b === bundle) || undefined, { timeoutMs: 5_000, intervalMs: 20, what: 'the caBundle to be filled again', process: ca });
    console.log(`webhook caBundle filled ${filledMs.toFixed(0)} ms after create, ${(performance.now() - replaced).toFixed(0)} ms after re-apply`);
    expect(caBundles(await readConfig())).toHaveLength(2);
  });

  it('through a CA rotation the caBundle carries the next CA before it signs, then the new CA alone', async () => {
    const before = await caSecret();
    const oldCa = decodeSecretData(before)['tls.crt'] ?? '';
    await env.core.replaceNamespacedSecret({
      namespace: SYSTEM_NAMESPACE, name: caSecretName(instance),
      body: { ...before, metadata: { ...before.metadata, annotations: { ...before.metadata?.annotations, [ROTATE_ANNOTATION]: 'webhook-itest-1' } } },
    });
    // The first CA Secret version in phase promoted (polled; its resourceVersion orders it against the configuration's versions).
    let promoted: { resourceVersion: number; signer: string } | undefined;
    const newCa = await waitFor(
      async () => {
        const secret = await caSecret();
        const phase = secret.metadata?.annotations?.[PHASE_ANNOTATION];
        const signer = decodeSecretData(secret)['tls.crt'] ?? '';
        if (phase === 'promoted' && !promoted) promoted = { resourceVersion: Number(secret.metadata?.resourceVersion), signer };
        if (phase !== 'retired') return undefined;
        const config = await readConfig();
        const webhookSecret = decodeSecretData((await env.readSecret(SYSTEM_NAMESPACE, deployerWebhookSecretName(instance))) as V1Secret);
        const settled = caBundles(config).every((b) => pems(b).length === 1 && holds(b, signer)) && new X509Certificate(webhookSecret['tls.crt'] ?? '').checkIssued(new X509Certificate(signer));
        return settled ? signer : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 50, what: 'the rotation to finish with the configuration on the new CA alone', process: ca },
    );
    expect(newCa).not.toBe(oldCa);
    // Polling may miss the promoted version itself; the signer then is the new CA all the same.
    const promotedAt = promoted?.resourceVersion ?? Number((await caSecret()).metadata?.resourceVersion);
    // etcd revisions order the two resources' versions (one apiserver, one etcd).
    const beforePromotion = configVersions.filter((v) => v.resourceVersion < promotedAt).at(-1);
    expect(beforePromotion, 'a configuration version before promotion').toBeDefined();
    for (const bundle of beforePromotion?.bundles ?? []) {
      expect(holds(bundle, newCa), 'the caBundle holds the next CA before promotion').toBe(true);
      expect(holds(bundle, oldCa), 'and still the old one').toBe(true);
    }
    // The webhook Secret also took part: re-issued by the new CA, its bundle down to the new CA.
    const webhookSecret = decodeSecretData((await env.readSecret(SYSTEM_NAMESPACE, deployerWebhookSecretName(instance))) as V1Secret);
    expect(pems(webhookSecret['ca.crt'])).toHaveLength(1);
    expect(holds(webhookSecret['ca.crt'], newCa)).toBe(true);
  });

  it('logged no errors', () => {
    const bad = ca.logs().split('\n').filter((line) => line.startsWith('{') && (JSON.parse(line) as { level: number }).level >= 50);
    expect(bad).toEqual([]);
  });
});
