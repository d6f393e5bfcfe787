// Issue 14's acceptance: the whole system comes up in the local cluster from deploy/ alone. The
// dev overlay is rendered with the pinned kustomize and applied; the node agent runs the service
// images as the built services (with their Pods' ServiceAccount tokens, in-cluster config and
// cluster DNS), NATS from its image with the shipped configuration and per-service users, and no
// service runs on the host. Then the quickstart's Gateway serves the echo app through its Engine.
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCluster } from '../cluster/index.js';
import { startLocalCluster } from '../cluster/index.js';
import { KubeRest } from '../cluster/rest.js';
import type { KubeObject } from '../cluster/rest.js';
import { waitFor } from '../harness/index.js';
import { apply, httpGet, manifest, waitProgrammed } from '../system/system-fixture.js';
import { applyServerSide, kustomizeBuild } from './kustomize.js';

const SYSTEM = 'microgateway-system';
const SERVICES = ['watcher', 'renderer', 'ca', 'deployer'] as const;

interface PodList {
  items: {
    metadata: { name: string; namespace: string; uid: string; labels?: Record<string, string> };
    spec: { serviceAccountName?: string; volumes?: { name: string; projected?: unknown }[] };
    status?: { podIP?: string; conditions?: { type: string; status: string }[]; containerStatuses?: { restartCount: number }[] };
  }[];
}

/** The node agent's directory of a Pod (cluster.ts: `<namespace>_<name>_<uid>`). */
const podDir = (pod: PodList['items'][number] | undefined): string => `${pod?.metadata.namespace ?? ''}_${pod?.metadata.name ?? ''}_${pod?.metadata.uid ?? ''}`;

describe('installing from deploy/overlays/dev', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'mgw-install-'));
  let cluster: LocalCluster;
  let rest: KubeRest;
  let kubeConfig: KubeConfig;
  let defaultAddress = '';

  beforeAll(async () => {
    const log = (line: string): void => appendFileSync(join(workDir, 'installation.log'), `${new Date().toISOString()} ${line}\n`);
    cluster = await startLocalCluster({ workDir, name: `inst-${process.pid}`, dns: true, backoff: { initialMs: 1_000, maxMs: 5_000 }, log });
    rest = new KubeRest({ server: cluster.server, token: cluster.adminToken, ca: readFileSync(cluster.caPath) });
  }, 300_000);

  afterAll(async () => {
    rest?.close();
    await cluster?.stop();
    if (process.env['MGW_KEEP_TEST_DIRS'] === '1') console.log(`kept ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  }, 120_000);

  const readyPods = async (component: string): Promise<PodList['items']> => {
    const list = await rest.request<PodList>('GET', `/api/v1/namespaces/${SYSTEM}/pods?labelSelector=${encodeURIComponent(`app.kubernetes.io/component=${component}`)}`);
    return list.items.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  };

  const recentEvents = async (): Promise<string> => {
    const list = await rest.request<{ items: { involvedObject: { kind: string; name: string }; reason: string; message: string }[] }>('GET', `/api/v1/namespaces/${SYSTEM}/events`);
    return list.items.slice(-30).map((e) => `  ${e.involvedObject.kind}/${e.involvedObject.name} ${e.reason}: ${e.message}`).join('\n');
  };

  /** NATS's /connz shows each service of `instance` authorized as its own user, and NATS logged no refusal. */
  const expectOwnNatsUsers = async (instance: string): Promise<void> => {
    const [nats] = await readyPods('nats');
    const connz = await (await fetch(`http://${nats?.status?.podIP ?? ''}:8222/connz?auth=true`)).json() as { connections: { name?: string; authorized_user?: string }[] };
    for (const service of SERVICES) {
      const connection = connz.connections.find((c) => c.name === `mgw-${instance}-${service}`);
      expect(connection?.authorized_user, `${service}'s NATS user`).toBe(`mgw-${instance}-${service}`);
    }
    const natsLog = readFileSync(join(cluster.podsDir, podDir(nats), 'logs', 'nats.log'), 'utf8');
    expect(natsLog).not.toMatch(/Permissions Violation|Authorization Violation/);
  };

  it('comes up from the rendered manifests and serves the quickstart through an Engine', async () => {
    const started = Date.now();
    const objects = await kustomizeBuild('deploy/overlays/dev');
    kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(cluster.kubeconfigPath);
    await applyServerSide(kubeConfig, objects, 'install-test');

    for (const component of ['nats', ...SERVICES]) {
      await waitFor(async () => ((await readyPods(component)).length > 0 ? true : undefined), {
        timeoutMs: 180_000, what: `a Ready ${component} Pod in ${SYSTEM}`, intervalMs: 500,
      }).catch(async (error: unknown) => {
        throw new Error(`${String(error)}\nevents in ${SYSTEM}:\n${await recentEvents()}`);
      });
    }
    console.log(`deploy/overlays/dev applied → every service Ready: ${((Date.now() - started) / 1000).toFixed(1)}s`);

    // Each service runs as its own ServiceAccount; only the renderer has no token at all.
    for (const service of SERVICES) {
      const [pod] = await readyPods(service);
      expect(pod?.spec.serviceAccountName, service).toBe(service);
      const hasToken = pod?.spec.volumes?.some((v) => v.name.startsWith('kube-api-access-')) ?? false;
      expect(hasToken, `${service} token volume`).toBe(service !== 'renderer');
    }

    const routed = Date.now();
    await apply(rest, manifest('deploy/examples/quickstart.yaml'));
    const { address } = await waitProgrammed(rest, 'demo', 'edge', 180_000);
    defaultAddress = address;
    const res = await waitFor(async () => {
      const r = await httpGet(`http://${address}/hello`);
      return r.status === 200 ? r : undefined;
    }, { timeoutMs: 90_000, what: 'a 200 from the echo app through the Engine' });
    expect(JSON.parse(res.body)).toMatchObject({ path: '/hello', namespace: 'demo' });
    console.log(`quickstart applied → first 200 through the Engine: ${((Date.now() - routed) / 1000).toFixed(1)}s`);

    // Every service talks to NATS as its own least-privilege user and was never refused.
    await expectOwnNatsUsers('default');

    // Nothing crash-looped on the way (a service that cannot reach NATS or the API would have).
    for (const component of ['nats', ...SERVICES]) {
      const restarts = (await readyPods(component)).flatMap((p) => p.status?.containerStatuses ?? []).reduce((sum, c) => sum + c.restartCount, 0);
      expect(restarts, `${component} restarts`).toBe(0);
    }
  }, 600_000);

  it('adds a second instance from deploy/overlays/two-instances that serves its own Gateway, isolated', async () => {
    await applyServerSide(kubeConfig, await kustomizeBuild('deploy/overlays/two-instances'), 'install-test');
    const bluePods = async (component: string): Promise<PodList['items']> =>
      (await readyPods(component)).filter((p) => p.metadata.labels?.['microgateway.dev/instance'] === 'blue');
    for (const component of SERVICES) {
      await waitFor(async () => ((await bluePods(component)).length > 0 ? true : undefined), {
        timeoutMs: 180_000, what: `a Ready blue ${component} Pod`, intervalMs: 500,
      });
    }
    // The quickstart again, in its own namespace, for blue's GatewayClass.
    const objects = manifest('deploy/examples/quickstart.yaml')
      .filter((o) => o.kind !== 'GatewayClass')
      .map((o) => {
        const copy = structuredClone(o) as KubeObject & { spec?: { gatewayClassName?: string } };
        if (copy.kind === 'Namespace') copy.metadata.name = 'demo-blue';
        else copy.metadata.namespace = 'demo-blue';
        if (copy.kind === 'Gateway' && copy.spec) copy.spec.gatewayClassName = 'blue-microgateway';
        return copy;
      });
    await apply(rest, objects);
    const { address } = await waitProgrammed(rest, 'demo-blue', 'edge', 180_000);
    const res = await waitFor(async () => {
      const r = await httpGet(`http://${address}/blue`);
      return r.status === 200 ? r : undefined;
    }, { timeoutMs: 90_000, what: "a 200 through blue's Engine" });
    expect(JSON.parse(res.body)).toMatchObject({ path: '/blue', namespace: 'demo-blue' });
    expect((await httpGet(`http://${defaultAddress}/hello`)).status).toBe(200);

    // Blue's services log in as blue's users; the default instance's Gateway stays the default's.
    await expectOwnNatsUsers('blue');
    const defaultGateway = await rest.request<{ status?: { conditions?: { type: string; status: string }[] } }>('GET', '/apis/gateway.networking.k8s.io/v1/namespaces/demo/gateways/edge');
    expect(defaultGateway.status?.conditions?.find((c) => c.type === 'Programmed')?.status).toBe('True');
  }, 600_000);
});
