// The control plane the watcher and deployer will talk to: a real kube-apiserver enforcing the
// Gateway API CRDs' validation and RBAC.
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeControlPlane } from '../harness/index.js';
import type { KubeControlPlane } from '../harness/index.js';

const GROUP = 'gateway.networking.k8s.io';
const VERSION = 'v1';
const NAMESPACE = 'smoke';

function gateway(name: string, spec: Record<string, unknown>): object {
  return { apiVersion: `${GROUP}/${VERSION}`, kind: 'Gateway', metadata: { name, namespace: NAMESPACE }, spec };
}

/** The HTTP status and message of a failed API call. */
async function failure(call: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await call;
  } catch (error) {
    const e = error as { code?: number; body?: unknown };
    const body = typeof e.body === 'string' ? (JSON.parse(e.body) as { message?: string }) : (e.body as { message?: string } | undefined);
    return { code: e.code ?? 0, message: body?.message ?? String(error) };
  }
  throw new Error('the call succeeded');
}

describe('Kubernetes control plane', () => {
  let kube: KubeControlPlane;
  let objects: CustomObjectsApi;

  beforeAll(async () => {
    const started = Date.now();
    kube = await startKubeControlPlane({ crds: 'standard' });
    console.info(`[smoke] etcd + kube-apiserver + Gateway API CRDs ready in ${Date.now() - started} ms at ${kube.server}`);
    const kc = kube.kubeConfig();
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NAMESPACE } } });
    objects = kc.makeApiClient(CustomObjectsApi);
  });

  afterAll(async () => {
    await kube?.stop();
  });

  const create = (body: object): Promise<unknown> =>
    objects.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NAMESPACE, plural: 'gateways', body });

  it('stores a valid Gateway and reads it back', async () => {
    await create(gateway('valid', { gatewayClassName: 'microgateway', listeners: [{ name: 'http', protocol: 'HTTP', port: 80 }] }));
    const stored = (await objects.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NAMESPACE, plural: 'gateways', name: 'valid' })) as {
      spec: { gatewayClassName: string; listeners: { name: string; port: number }[] };
    };
    expect(stored.spec.gatewayClassName).toBe('microgateway');
    expect(stored.spec.listeners).toEqual([expect.objectContaining({ name: 'http', protocol: 'HTTP', port: 80 })]);
  });

  it('rejects a Gateway without gatewayClassName (422 naming the field)', async () => {
    const { code, message } = await failure(create(gateway('no-class', { listeners: [{ name: 'http', protocol: 'HTTP', port: 80 }] })));
    expect(code).toBe(422);
    expect(message).toContain('spec.gatewayClassName');
  });

  it('rejects a listener port out of range (422 naming the field)', async () => {
    const { code, message } = await failure(create(gateway('bad-port', { gatewayClassName: 'microgateway', listeners: [{ name: 'http', protocol: 'HTTP', port: 70000 }] })));
    expect(code).toBe(422);
    expect(message).toContain('spec.listeners[0].port');
  });

  it('denies a service identity what RBAC does not grant (403)', async () => {
    const identity = await kube.mintIdentity(NAMESPACE, 'watcher');
    const kc = new KubeConfig();
    kc.loadFromFile(identity.kubeconfigPath);
    const asWatcher = kc.makeApiClient(CoreV1Api);

    const { code, message } = await failure(asWatcher.listNamespacedSecret({ namespace: NAMESPACE }));
    expect(code).toBe(403);
    expect(message).toContain(`system:serviceaccount:${NAMESPACE}:watcher`);

    // The identity is real: the apiserver authenticates it (a bad token would be 401, not 403).
    const { code: unauthenticated } = await failure(
      (() => {
        const bad = new KubeConfig();
        bad.loadFromFile(identity.kubeconfigPath);
        const user = bad.getCurrentUser();
        if (user) Object.assign(user, { token: 'not-a-token' });
        return bad.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace: NAMESPACE });
      })(),
    );
    expect(unauthenticated).toBe(401);
  });
});
