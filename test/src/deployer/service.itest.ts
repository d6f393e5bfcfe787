// The deployer service on a real kube-apiserver and NATS (issue 9). KV `infra` and `status` are
// written directly, as the renderer would; Gateway API objects are real, so status is really
// written. No kube-controller-manager runs, so Deployments never get Pods: a Gateway stays
// Programmed=False/Pending until the test itself marks its Deployment available (status
// subresource), which shows Programmed following availability.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api, KubernetesObjectApi, type KubernetesObject, type V1Deployment } from '@kubernetes/client-node';
import { INSTANCE_LABEL } from '@microgateway/contracts';
import type { GatewayInfra, GatewayRef, InstanceName } from '@microgateway/contracts';
import { BOOTSTRAP_CHECKSUM_ANNOTATION, ENGINE_CONFIG_KEY, engineObjectName } from '@microgateway/deployer/render';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeControlPlane, startNats, waitFor } from '../harness/index.js';
import type { KubeControlPlane, NatsHandle } from '../harness/index.js';
import { DeployerKv, GatewayApi, gatewayClassFact, gatewayFact, gatewayInfra, httpRouteFact, metricSum, startDeployer } from './service-fixture.js';
import type { DeployerProcess, LiveGatewayApiObject } from './service-fixture.js';

const instance: InstanceName = 'dit';
const CLASS = 'microgateway';
const NS = 'prod';
/** Short retries; a duplicate window of 1 s so that a restarted replica re-applies what it replays. */
const DEPLOYER_YAML = (xdsPort: number): string => `{jobs: {ackWaitSeconds: 5, retryDelayMs: 200, duplicateWindowSeconds: 1}, engine: {xdsServerAddress: 127.0.0.1, xdsServerPort: ${xdsPort}}}`;
const ENGINE_KINDS = [
  { apiVersion: 'v1', kind: 'ServiceAccount' },
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' },
] as const;

function condition(object: LiveGatewayApiObject, type: string): { status: string; reason: string; message: string } | undefined {
  return object.status?.conditions?.find((c) => c.type === type);
}

describe('deployer service', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'mgw-deployer-itest-'));
  const gw: GatewayRef = { namespace: NS, name: 'gw' };
  const engineName = engineObjectName(gw.name);
  let kube: KubeControlPlane;
  let nats: NatsHandle;
  let kv: DeployerKv;
  let api: GatewayApi;
  let objects: KubernetesObjectApi;
  let apps: AppsV1Api;
  let core: CoreV1Api;
  let deployer: DeployerProcess;
  const replicas: DeployerProcess[] = [];
  let uid: string;
  let infra: GatewayInfra;

  const start = async (name: string, xdsPort = 18000): Promise<DeployerProcess> => {
    const started = await startDeployer({ name, instance, nats, kubeconfigPath: kube.kubeconfigPath, workDir, deployerYaml: DEPLOYER_YAML(xdsPort), logLevel: 'debug' });
    replicas.push(started);
    return started;
  };
  const read = async (kind: string, name = engineName, namespace = NS): Promise<KubernetesObject | undefined> => {
    const apiVersion = ENGINE_KINDS.find((k) => k.kind === kind)?.apiVersion ?? 'v1';
    try {
      return await objects.read({ apiVersion, kind, metadata: { name, namespace } });
    } catch (error) {
      if ((error as { code?: number }).code === 404) return undefined;
      throw error;
    }
  };
  const deployment = (): Promise<V1Deployment> => apps.readNamespacedDeployment({ name: engineName, namespace: NS });
  const gateway = (): Promise<LiveGatewayApiObject> => api.get('Gateway', gw);
  const gatewayWhere = (what: string, ok: (g: LiveGatewayApiObject) => boolean): Promise<LiveGatewayApiObject> =>
    waitFor(async () => {
      const g = await gateway();
      return ok(g) ? g : undefined;
    }, { timeoutMs: 30_000, what, process: deployer.proc });
  const applied = (): Promise<number> => metricSum(replicas, 'mgw_deployer_deploys_total', 'outcome="applied"');

  beforeAll(async () => {
    kube = await startKubeControlPlane({ crds: 'standard' });
    nats = await startNats({ name: 'deployer-itest' });
    kv = await DeployerKv.open(nats, instance);
    const kc = kube.kubeConfig();
    api = new GatewayApi(kc);
    objects = KubernetesObjectApi.makeApiClient(kc);
    apps = kc.makeApiClient(AppsV1Api);
    core = kc.makeApiClient(CoreV1Api);
    await api.namespace(NS);
    await api.gatewayClass(CLASS, instance);
    uid = (await api.gateway(gw, CLASS)).metadata.uid;
    infra = gatewayInfra({ ...gw, uid });
    deployer = await start('deployer-a');
  }, 300_000);

  afterAll(async () => {
    for (const replica of replicas) await replica.proc.stop();
    await kv?.close();
    await nats?.stop();
    await kube?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('creates the ServiceAccount, ConfigMap, Deployment and Service, labelled for the instance and owned by the Gateway', async () => {
    await kv.putInfra(infra);
    await waitFor(() => read('Service'), { timeoutMs: 30_000, what: 'the Engine Service', process: deployer.proc });
    for (const kind of ['ServiceAccount', 'ConfigMap', 'Deployment', 'Service']) {
      const object = await read(kind);
      expect(object?.metadata?.labels?.[INSTANCE_LABEL], kind).toBe(instance);
      expect(object?.metadata?.ownerReferences, kind).toEqual([
        { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', name: gw.name, uid, controller: true, blockOwnerDeletion: false },
      ]);
    }
    expect(await read('PodDisruptionBudget')).toBeUndefined();
    expect((await deployment()).spec?.replicas).toBe(1);
  });

  it('follows infra changes; the pod template checksum changes only with the bootstrap', async () => {
    const checksumOf = (d: V1Deployment): string | undefined => d.spec?.template.metadata?.annotations?.[BOOTSTRAP_CHECKSUM_ANNOTATION];
    const argsOf = (d: V1Deployment): string[] => d.spec?.template.spec?.containers[0]?.args ?? [];
    const before = await deployment();
    const checksum = checksumOf(before);
    expect(checksum).toMatch(/^[0-9a-f]{64}$/);

    infra = { ...infra, replicas: 3, service: { ...infra.service, annotations: { 'example.com/lb': 'internal' } } };
    await kv.putInfra(infra);
    await waitFor(() => read('PodDisruptionBudget'), { timeoutMs: 30_000, what: 'the PodDisruptionBudget', process: deployer.proc });
    const scaled = await deployment();
    expect(scaled.spec?.replicas).toBe(3);
    expect((await read('Service'))?.metadata?.annotations?.['example.com/lb']).toBe('internal');
    expect(checksumOf(scaled)).toBe(checksum);
    expect(argsOf(scaled)).toEqual(argsOf(before));

    // The log level is a command-line flag, not part of the bootstrap: the args change (which rolls the Pods), the checksum does not.
    infra = { ...infra, logLevel: 'debug' };
    await kv.putInfra(infra);
    const debug = await waitFor(async () => {
      const d = await deployment();
      return argsOf(d).includes('debug') ? d : undefined;
    }, { timeoutMs: 30_000, what: 'the debug log level', process: deployer.proc });
    expect(checksumOf(debug)).toBe(checksum);

    // The bootstrap changes with the operator's Engine settings: a replica restarted with another
    // xDS port re-applies what it replays, and the checksum follows the new ConfigMap.
    await deployer.proc.stop();
    replicas.splice(replicas.indexOf(deployer), 1);
    const configBefore = (await read('ConfigMap')) as KubernetesObject & { data: Record<string, string> };
    expect(configBefore.data[ENGINE_CONFIG_KEY]).toContain('18000');
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // past the duplicate window
    deployer = await start('deployer-b', 18001);
    const rolled = await waitFor(async () => {
      const d = await deployment();
      return checksumOf(d) !== checksum ? d : undefined;
    }, { timeoutMs: 30_000, what: 'a new bootstrap checksum', process: deployer.proc });
    const configAfter = (await read('ConfigMap')) as KubernetesObject & { data: Record<string, string> };
    expect(configAfter.data[ENGINE_CONFIG_KEY]).toContain('18001');
    expect(checksumOf(rolled)).toMatch(/^[0-9a-f]{64}$/);
    expect(rolled.spec?.replicas).toBe(3);
  });

  it('writes GatewayClass and Gateway status: Pending until the Engine is available and applied its config, then Programmed with the ClusterIP', async () => {
    await kv.putFact(gatewayClassFact(CLASS), gw);
    await waitFor(async () => condition(await api.get('GatewayClass', { name: CLASS }), 'Accepted')?.status === 'True', {
      timeoutMs: 30_000,
      what: 'GatewayClass Accepted',
      process: deployer.proc,
    });

    await kv.putFact(gatewayFact(gw, 1), gw);
    const pending = await gatewayWhere('Gateway Accepted, Programmed Pending', (g) => condition(g, 'Accepted')?.status === 'True' && condition(g, 'Programmed')?.reason === 'Pending');
    expect(condition(pending, 'Programmed')).toMatchObject({ status: 'False', message: 'waiting for an Engine replica to become available: 0 of 3 available' });
    expect(pending.status?.listeners?.[0]?.conditions.find((c) => c.type === 'Programmed')).toMatchObject({ status: 'False', reason: 'Pending' });

    // What the controller-manager would write once a Pod is ready.
    const live = await deployment();
    await apps.replaceNamespacedDeploymentStatus({
      name: engineName,
      namespace: NS,
      body: { ...live, status: { observedGeneration: live.metadata?.generation ?? 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 } },
    });
    await gatewayWhere('Programmed waiting for the config', (g) => condition(g, 'Programmed')?.message === 'waiting for the Engine to apply the configuration');

    await kv.putEngineConfig({ kind: 'EngineConfig', ...gw, outcome: 'applied', version: 'v1' });
    const programmed = await gatewayWhere('Programmed True', (g) => condition(g, 'Programmed')?.status === 'True');
    const service = await core.readNamespacedService({ name: engineName, namespace: NS });
    expect(service.spec?.clusterIP).toMatch(/^10\.96\./);
    expect(programmed.status?.addresses).toEqual([{ type: 'IPAddress', value: service.spec?.clusterIP }]);
    expect(condition(programmed, 'Programmed')).toMatchObject({ reason: 'Programmed' });
    expect(programmed.status?.listeners?.[0]).toMatchObject({ name: 'http', attachedRoutes: 1 });
    expect(programmed.status?.listeners?.[0]?.conditions.find((c) => c.type === 'Programmed')).toMatchObject({ status: 'True', reason: 'Programmed' });
  });

  it('reports a config the Engine rejected: Programmed False/Invalid and a ConfigRejected Event', async () => {
    await kv.putEngineConfig({ kind: 'EngineConfig', ...gw, outcome: 'rejected', version: 'v2', message: 'invalid regex in route r-1' });
    const rejected = await gatewayWhere('Programmed Invalid', (g) => condition(g, 'Programmed')?.reason === 'Invalid');
    expect(condition(rejected, 'Programmed')).toMatchObject({ status: 'False', message: 'the Engine rejected configuration version v2: invalid regex in route r-1' });
    const events = await waitFor(async () => {
      const found = await api.events(NS, gw.name, 'ConfigRejected');
      return found.length > 0 ? found : undefined;
    }, { timeoutMs: 15_000, what: 'the ConfigRejected Event' });
    expect(events[0]).toMatchObject({ type: 'Warning', message: 'the Engine rejected configuration version v2: invalid regex in route r-1' });

    await kv.putEngineConfig({ kind: 'EngineConfig', ...gw, outcome: 'applied', version: 'v3' });
    await gatewayWhere('Programmed True again', (g) => condition(g, 'Programmed')?.status === 'True');
  });

  it("writes HTTPRoute parents from route facts and keeps another controller's entry", async () => {
    const route: GatewayRef = { namespace: NS, name: 'web' };
    const created = await api.httpRoute(route, gw.name);
    const other = {
      parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'their-gw' },
      controllerName: 'example.com/other-controller',
      conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: 'theirs', observedGeneration: 1, lastTransitionTime: '2026-01-01T00:00:00Z' }],
    };
    await api.replaceRouteStatus(route, { parents: [other] });
    await kv.putFact(httpRouteFact(route, gw, instance, created.metadata.generation), gw);
    const written = await waitFor(async () => {
      const r = await api.get('HTTPRoute', route);
      return (r.status?.parents?.length ?? 0) === 2 ? r : undefined;
    }, { timeoutMs: 30_000, what: 'both route parents', process: deployer.proc });
    expect(written.status?.parents?.[0]).toEqual(other);
    expect(written.status?.parents?.[1]).toMatchObject({ parentRef: { name: gw.name }, controllerName: `microgateway.dev/${instance}` });
    expect(written.status?.parents?.[1]?.conditions.map((c) => [c.type, c.status])).toEqual([
      ['Accepted', 'True'],
      ['ResolvedRefs', 'True'],
    ]);
  });

  it('writes nothing when nothing changed', async () => {
    const route: GatewayRef = { namespace: NS, name: 'web' };
    const gatewayVersion = (await gateway()).metadata.resourceVersion;
    const routeVersion = (await api.get('HTTPRoute', route)).metadata.resourceVersion;
    const written = (): Promise<number> => deployer.metric('mgw_deployer_status_writes_total', 'kind="Gateway"', 'result="written"');
    const unchanged = (kind: string): Promise<number> => deployer.metric('mgw_deployer_status_writes_total', `kind="${kind}"`, 'result="unchanged"');
    const writtenBefore = await written();
    const [gatewaysBefore, routesBefore] = [await unchanged('Gateway'), await unchanged('HTTPRoute')];

    await kv.putFact(gatewayFact(gw, 1), gw);
    await kv.putEngineConfig({ kind: 'EngineConfig', ...gw, outcome: 'applied', version: 'v3' });
    await kv.putFact(httpRouteFact(route, gw, instance, 1), gw);
    // Each put is seen and reconciled (to "unchanged") before we look.
    await waitFor(async () => (await unchanged('Gateway')) > gatewaysBefore && (await unchanged('HTTPRoute')) > routesBefore, {
      timeoutMs: 15_000,
      what: 'the re-put facts reconciled',
      process: deployer.proc,
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await gateway()).metadata.resourceVersion).toBe(gatewayVersion);
    expect((await api.get('HTTPRoute', route)).metadata.resourceVersion).toBe(routeVersion);
    expect(await written()).toBe(writtenBefore);
  });

  it("never touches another instance's object in the way, and reports it on the Gateway", async () => {
    const gw2: GatewayRef = { namespace: NS, name: 'gw2' };
    const uid2 = (await api.gateway(gw2, CLASS)).metadata.uid;
    const foreign = await core.createNamespacedConfigMap({
      namespace: NS,
      body: { metadata: { name: engineObjectName(gw2.name), labels: { [INSTANCE_LABEL]: 'other' } }, data: { owner: 'other' } },
    });
    const refusedBefore = await deployer.metric('mgw_deployer_deploys_total', 'outcome="refused"');
    await kv.putInfra(gatewayInfra({ ...gw2, uid: uid2 }));
    const events = await waitFor(async () => {
      const found = await api.events(NS, gw2.name, 'EngineObjectConflict');
      return found.length > 0 ? found : undefined;
    }, { timeoutMs: 30_000, what: 'the EngineObjectConflict Event', process: deployer.proc });
    expect(events[0]?.type).toBe('Warning');
    expect(events[0]?.message).toContain(`ConfigMap ${NS}/${engineObjectName(gw2.name)}`);
    expect(await deployer.metric('mgw_deployer_deploys_total', 'outcome="refused"')).toBe(refusedBefore + 1);
    // Refused before anything was written: no half-made Engine.
    expect(await read('Deployment', engineObjectName(gw2.name))).toBeUndefined();
    expect(await read('ServiceAccount', engineObjectName(gw2.name))).toBeUndefined();

    const removedBefore = await deployer.metric('mgw_deployer_deploys_total', 'outcome="removed"');
    await kv.deleteInfra(gw2);
    await waitFor(async () => (await deployer.metric('mgw_deployer_deploys_total', 'outcome="removed"')) > removedBefore, { timeoutMs: 30_000, what: 'the removal of gw2', process: deployer.proc });
    const after = await core.readNamespacedConfigMap({ name: engineObjectName(gw2.name), namespace: NS });
    expect(after.metadata?.resourceVersion).toBe(foreign.metadata?.resourceVersion);
    expect(after.data).toEqual({ owner: 'other' });
  });

  it('removes the Engine objects when the infra entry is deleted', async () => {
    await kv.deleteInfra(gw);
    await waitFor(async () => (await Promise.all(ENGINE_KINDS.map((k) => read(k.kind)))).every((o) => o === undefined), {
      timeoutMs: 30_000,
      what: 'every Engine object gone',
      process: deployer.proc,
    });
    // The Gateway is still rendered, but has no Engine any more.
    await gatewayWhere('Programmed Pending without an Engine', (g) => condition(g, 'Programmed')?.message === 'waiting for the Engine Deployment to be created');
  });

  it('with two replicas applies each infra change once', async () => {
    await start('deployer-c', 18001); // the same settings as deployer-b: replicas of one rollout
    // The new replica replays the bucket; its jobs (past the duplicate window) are applied first.
    await waitFor(async () => (await kv.deployBacklog()) === 0, { timeoutMs: 30_000, what: 'the replay applied' });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const baseline = await applied();
    const changes = 10;
    for (let i = 0; i < changes; i++) await kv.putInfra(gatewayInfra({ namespace: NS, name: `multi-${i}` }));
    await waitFor(async () => (await applied()) >= baseline + changes, { timeoutMs: 60_000, what: `${changes} applies`, process: deployer.proc });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await applied()).toBe(baseline + changes);
    expect(await kv.deployBacklog()).toBe(0);
    for (let i = 0; i < changes; i++) expect(await read('Deployment', engineObjectName(`multi-${i}`))).toBeDefined();
  });
});
