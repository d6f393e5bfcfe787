// The whole system on the local cluster: watcher → renderer → deployer and ca, real Engines
// (Envoy processes in their own Pods) and echo-basic backends, driven only through the
// Kubernetes API as a user would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INSTANCE_LABEL, bootstrapSecretName } from '@microgateway/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../cluster/rest.js';
import { isNotFound } from '../cluster/rest.js';
import { waitFor } from '../harness/index.js';
import type { Installation } from './system-fixture.js';
import { apply, condition, httpGet, manifest, readGateway, startInstallation, waitProgrammed } from './system-fixture.js';

const NS = 'demo';
const ENGINE = 'edge-engine';

interface Labelled extends KubeObject {
  metadata: KubeObject['metadata'] & { labels?: Record<string, string>; ownerReferences?: { kind: string; name: string }[]; resourceVersion?: string };
  spec?: { replicas?: number };
  data?: Record<string, string>;
}

describe('the system on a local cluster', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'mgw-system-'));
  let install: Installation;
  let address = '';

  const get = async <T extends KubeObject>(path: string): Promise<T | undefined> => {
    try {
      return await install.rest.request<T>('GET', path);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  };

  beforeAll(async () => {
    install = await startInstallation({ workDir, name: `sys-${process.pid}` });
  }, 300_000);

  afterAll(async () => {
    await install?.stop();
    if (process.env['MGW_KEEP_TEST_DIRS'] === '1') console.log(`kept ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  }, 120_000);

  it('runs the quickstart: a Gateway becomes Programmed and serves the echo app through its Engine', async () => {
    const started = Date.now();
    await apply(install.rest, manifest('deploy/examples/quickstart.yaml'));
    const programmed = await waitProgrammed(install.rest, NS, 'edge', 180_000);
    address = programmed.address;
    console.log(`Gateway create → Programmed: ${((Date.now() - started) / 1000).toFixed(1)}s, address ${address}`);

    const res = await waitFor(async () => {
      const r = await httpGet(`http://${address}/hello`);
      return r.status === 200 ? r : undefined;
    }, { timeoutMs: 60_000, what: 'a 200 from the echo app through the Engine' });
    expect(JSON.parse(res.body)).toMatchObject({ path: '/hello', namespace: NS });

    // What the deployer created, labelled and owned as it should be.
    for (const path of [
      `/api/v1/namespaces/${NS}/serviceaccounts/${ENGINE}`,
      `/api/v1/namespaces/${NS}/configmaps/${ENGINE}`,
      `/apis/apps/v1/namespaces/${NS}/deployments/${ENGINE}`,
      `/api/v1/namespaces/${NS}/services/${ENGINE}`,
    ]) {
      const object = await get<Labelled>(path);
      expect(object?.metadata.labels?.[INSTANCE_LABEL], path).toBe(install.instance);
      expect(object?.metadata.ownerReferences?.[0], path).toMatchObject({ kind: 'Gateway', name: 'edge' });
    }
    expect(await get(`/api/v1/namespaces/${NS}/secrets/${bootstrapSecretName('edge')}`)).toBeDefined();

    const gateway = programmed.gateway;
    expect(condition(gateway, 'Accepted')).toMatchObject({ status: 'True', reason: 'Accepted' });
    expect(gateway.status?.listeners?.[0]).toMatchObject({ name: 'http', attachedRoutes: 1 });
    const route = await get<KubeObject & { status?: { parents: { controllerName: string; conditions: { type: string; status: string }[] }[] } }>(
      `/apis/gateway.networking.k8s.io/v1/namespaces/${NS}/httproutes/echo`,
    );
    const parent = route?.status?.parents.find((p) => p.controllerName === `microgateway.dev/${install.instance}`);
    expect(parent?.conditions.find((c) => c.type === 'Accepted')?.status).toBe('True');
    expect(parent?.conditions.find((c) => c.type === 'ResolvedRefs')?.status).toBe('True');
  });

  it('follows a route change with traffic, without failing requests on the unchanged path', async () => {
    let running = true;
    const failures: string[] = [];
    let ok = 0;
    const loop = (async () => {
      while (running) {
        const r = await httpGet(`http://${address}/steady`);
        if (r.status === 200) ok += 1;
        else failures.push(`${r.status} ${r.body.slice(0, 100)}`);
      }
    })();
    await apply(install.rest, [{
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'teapot', namespace: NS },
      spec: { parentRefs: [{ name: 'edge' }], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/teapot' } }], filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-route', value: 'teapot' }] } }], backendRefs: [{ name: 'echo', port: 8080 }] }] },
    } as KubeObject]);
    const res = await waitFor(async () => {
      const r = await httpGet(`http://${address}/teapot`);
      // Until the new route arrives, /teapot is served by the catch-all route, without the header.
      return r.status === 200 && (JSON.parse(r.body) as { headers: Record<string, string[]> }).headers['X-Route'] !== undefined ? r : undefined;
    }, { timeoutMs: 30_000, what: 'the new route serving with its header' });
    expect((JSON.parse(res.body) as { headers: Record<string, string[]> }).headers['X-Route']).toEqual(['teapot']);
    running = false;
    await loop;
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(5);
  });

  it('rolls out a GatewayParameters change: two Engine replicas, both Ready, traffic unbroken', async () => {
    let running = true;
    const failures: string[] = [];
    const loop = (async () => {
      while (running) {
        const r = await httpGet(`http://${address}/steady`);
        if (r.status !== 200) failures.push(`${r.status} ${r.body.slice(0, 100)}`);
      }
    })();
    await apply(install.rest, [
      { apiVersion: 'microgateway.dev/v1alpha1', kind: 'GatewayParameters', metadata: { name: 'two-engines', namespace: NS }, spec: { replicas: 2 } } as KubeObject,
      {
        apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'edge', namespace: NS },
        spec: {
          gatewayClassName: 'microgateway',
          infrastructure: { parametersRef: { group: 'microgateway.dev', kind: 'GatewayParameters', name: 'two-engines' } },
          listeners: [{ name: 'http', protocol: 'HTTP', port: 80 }],
        },
      } as KubeObject,
    ]);
    const deployment = await waitFor(async () => {
      const d = await get<Labelled & { status?: { readyReplicas?: number } }>(`/apis/apps/v1/namespaces/${NS}/deployments/${ENGINE}`);
      return d?.spec?.replicas === 2 && d.status?.readyReplicas === 2 ? d : undefined;
    }, { timeoutMs: 90_000, what: 'the Engine Deployment at 2 Ready replicas' });
    expect(deployment.spec?.replicas).toBe(2);
    expect(await get(`/apis/policy/v1/namespaces/${NS}/poddisruptionbudgets/${ENGINE}`)).toBeDefined();
    await waitProgrammed(install.rest, NS, 'edge', 60_000);
    running = false;
    await loop;
    expect(failures).toEqual([]);
  });

  it('never modifies an object labelled for another instance, and says so on the Gateway', async () => {
    await apply(install.rest, [{
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'taken-engine', namespace: NS, labels: { [INSTANCE_LABEL]: 'other' } }, data: { owner: 'other' },
    } as KubeObject]);
    const before = await get<Labelled>(`/api/v1/namespaces/${NS}/configmaps/taken-engine`);
    await apply(install.rest, [{
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'taken', namespace: NS },
      spec: { gatewayClassName: 'microgateway', listeners: [{ name: 'http', protocol: 'HTTP', port: 8081 }] },
    } as KubeObject]);
    const events = await waitFor(async () => {
      const list = await install.rest.request<{ items: { reason: string; message: string; involvedObject: { name: string } }[] }>('GET', `/api/v1/namespaces/${NS}/events`);
      const found = list.items.filter((e) => e.involvedObject.name === 'taken' && e.reason === 'EngineObjectConflict');
      return found.length > 0 ? found : undefined;
    }, { timeoutMs: 60_000, what: 'the EngineObjectConflict event on the Gateway' });
    expect(events[0]?.message).toContain('taken-engine');
    const after = await get<Labelled>(`/api/v1/namespaces/${NS}/configmaps/taken-engine`);
    expect(after?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion);
    expect(after?.data).toEqual({ owner: 'other' });
    expect(await get(`/apis/apps/v1/namespaces/${NS}/deployments/taken-engine`)).toBeUndefined();
    const gateway = await readGateway(install.rest, NS, 'taken');
    expect(condition(gateway, 'Programmed')?.status).not.toBe('True');
    await install.rest.request('DELETE', `/apis/gateway.networking.k8s.io/v1/namespaces/${NS}/gateways/taken`);
  });

  it('removes the Engine of a deleted Gateway', async () => {
    await install.rest.request('DELETE', `/apis/gateway.networking.k8s.io/v1/namespaces/${NS}/gateways/edge`);
    await waitFor(async () => (await get(`/apis/apps/v1/namespaces/${NS}/deployments/${ENGINE}`)) === undefined || undefined, {
      timeoutMs: 60_000, what: 'the Engine Deployment gone',
    });
    for (const path of [`/api/v1/namespaces/${NS}/services/${ENGINE}`, `/api/v1/namespaces/${NS}/configmaps/${ENGINE}`]) {
      await waitFor(async () => (await get(path)) === undefined || undefined, { timeoutMs: 30_000, what: `${path} gone` });
    }
    // The other instance's ConfigMap stays.
    expect(await get(`/api/v1/namespaces/${NS}/configmaps/taken-engine`)).toBeDefined();
  });
});
