// Our generated CRDs (deploy/crds) on a real kube-apiserver: accepted and Established next to the
// Gateway API's, and enforcing the zod contract they come from, so a bad GatewayParameters is
// refused at `kubectl apply` instead of surfacing later as an InvalidParameters condition.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiextensionsV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { gatewayParametersSpecSchema } from '@microgateway/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverSideApply } from '../cluster/apply.js';
import { KubeRest } from '../cluster/rest.js';
import { repoRoot } from '../toolchain/paths.js';
import { readCrds, startKubeControlPlane } from './index.js';
import type { KubeControlPlane } from './index.js';

const GROUP = 'microgateway.dev';
const VERSION = 'v1alpha1';
const PLURAL = 'gatewayparameters';
const NAMESPACE = 'crds';

function gatewayParameters(name: string, spec: Record<string, unknown>): { apiVersion: string; kind: string; metadata: { name: string; namespace: string }; spec: Record<string, unknown> } {
  return { apiVersion: `${GROUP}/${VERSION}`, kind: 'GatewayParameters', metadata: { name, namespace: NAMESPACE }, spec };
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

describe('microgateway.dev CRDs on a real apiserver', () => {
  let kube: KubeControlPlane;
  let objects: CustomObjectsApi;

  beforeAll(async () => {
    const started = Date.now();
    kube = await startKubeControlPlane({ crds: 'standard' });
    console.info(`[crds] etcd + kube-apiserver + Gateway API and microgateway.dev CRDs ready in ${Date.now() - started} ms`);
    const kc = kube.kubeConfig();
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NAMESPACE } } });
    objects = kc.makeApiClient(CustomObjectsApi);
  });

  afterAll(async () => {
    await kube?.stop();
  });

  const create = (body: object, fieldValidation?: string): Promise<unknown> =>
    objects.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NAMESPACE, plural: PLURAL, body, fieldValidation });
  const get = (name: string): Promise<{ spec: Record<string, unknown> }> =>
    objects.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NAMESPACE, plural: PLURAL, name }) as Promise<{ spec: Record<string, unknown> }>;

  it('installs every CRD of deploy/crds, Established under its accepted names', async () => {
    const crds = readCrds(join(repoRoot(), 'deploy', 'crds'));
    expect(crds.map((crd) => crd.metadata?.name)).toContain('gatewayparameters.microgateway.dev');
    const api = kube.kubeConfig().makeApiClient(ApiextensionsV1Api);
    for (const crd of crds) {
      const stored = await api.readCustomResourceDefinition({ name: crd.metadata?.name ?? '' });
      const conditions = Object.fromEntries((stored.status?.conditions ?? []).map((c) => [c.type, c.status]));
      expect(conditions, crd.metadata?.name).toMatchObject({ Established: 'True', NamesAccepted: 'True' });
      expect(stored.status?.acceptedNames).toMatchObject(crd.spec.names);
      // The whole schema arrived: enums, formats and x-kubernetes-* included.
      expect(stored.spec.versions.map((v) => v.schema)).toEqual(crd.spec.versions.map((v) => v.schema));
    }
  });

  it('stores a valid GatewayParameters (applied the way the cluster applies manifests) and reads it back', async () => {
    const spec = {
      replicas: 2,
      service: { type: 'LoadBalancer', annotations: { 'example.com/lb': 'internal' }, externalTrafficPolicy: 'Local', loadBalancerClass: 'example.com/lb' },
      resources: { requests: { cpu: '250m', memory: '128Mi' }, limits: { cpu: 1, memory: '256Mi' } },
      logLevel: 'off',
    };
    const rest = new KubeRest({ server: kube.server, token: kube.adminToken, ca: readFileSync(kube.caPath) });
    try {
      await serverSideApply(rest, [gatewayParameters('engine', spec)], 'crds-itest');
    } finally {
      rest.close();
    }
    const stored = await get('engine');
    expect(stored.spec).toEqual(spec);
    // What the apiserver keeps is what the renderer will accept.
    expect(gatewayParametersSpecSchema.safeParse(stored.spec).success).toBe(true);
  });

  const invalid: { what: string; spec: Record<string, unknown>; field: string }[] = [
    { what: 'a negative replica count', spec: { replicas: -1 }, field: 'spec.replicas' },
    { what: 'replicas of the wrong type', spec: { replicas: 'two' }, field: 'spec.replicas' },
    { what: 'a Service type outside the enum', spec: { service: { type: 'ExternalName' } }, field: 'spec.service.type' },
    { what: 'a fractional quantity number (int-or-string, as in every CRD: write "500m")', spec: { resources: { limits: { cpu: 0.5 } } }, field: 'spec.resources.limits.cpu' },
    { what: 'an empty loadBalancerClass', spec: { service: { loadBalancerClass: '' } }, field: 'spec.service.loadBalancerClass' },
  ];
  for (const [index, { what, spec, field }] of invalid.entries()) {
    it(`refuses ${what} (422 naming ${field})`, async () => {
      const { code, message } = await failure(create(gatewayParameters(`invalid-${index}`, spec)));
      expect(code).toBe(422);
      expect(message).toContain(field);
    });
  }

  it('refuses an unknown field under strict field validation, as the strict zod objects do, and prunes it otherwise', async () => {
    const spec = { replica: 3 };
    expect(gatewayParametersSpecSchema.safeParse(spec).success).toBe(false);
    const { code, message } = await failure(create(gatewayParameters('typo', spec), 'Strict'));
    expect(code).toBe(400);
    expect(message).toContain('unknown field "spec.replica"');

    await create(gatewayParameters('typo', spec));
    expect((await get('typo')).spec).toEqual({});
  });
});
