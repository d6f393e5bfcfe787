// The local cluster end to end: Deployments become processes in their own network namespaces,
// Services route through kube-proxy, volumes follow their objects, probes and restarts behave as
// the kubelet's, and stop leaves nothing behind.
import { execFile } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processGroupMembers, waitFor } from '../harness/process.js';
import type { LocalCluster } from './cluster.js';
import { startLocalCluster } from './cluster.js';
import { clusterNamespaces, podNamespace } from './network.js';
import { firstServiceIp } from './pod.js';
import { KubeRest } from './rest.js';
import type { Pod } from './types.js';

const run = promisify(execFile);
const ECHO_IMAGE = 'gcr.io/k8s-staging-gateway-api/echo-basic:v20240412-v1.0.0-394-g40c666fd';

let cluster: LocalCluster;
let rest: KubeRest;
let workDir: string;
const figures: string[] = [];

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'mgw-cluster-'));
  const started = Date.now();
  cluster = await startLocalCluster({
    workDir, name: `itest-${process.pid}`, backoff: { initialMs: 1_000, maxMs: 8_000 },
    log: (line) => appendFileSync(join(workDir, 'agent.log'), `${new Date().toISOString()} ${line}\n`),
  });
  figures.push(`cluster start: ${((Date.now() - started) / 1000).toFixed(1)}s`);
  rest = new KubeRest({ server: cluster.server, token: cluster.adminToken, ca: readFileSync(cluster.caPath) });
}, 300_000);

afterAll(async () => {
  const name = cluster.network.nodeNamespace;
  const link = cluster.network.hostLink;
  rest.close();
  await cluster.stop();
  console.log(figures.join('\n'));
  // Nothing of this cluster may survive stop().
  expect(clusterNamespaces(cluster.name)).toEqual([]);
  const links = (await run('ip', ['-o', 'link', 'show'])).stdout;
  expect(links).not.toContain(` ${link}@`);
  const routes = (await run('ip', ['route', 'show'])).stdout;
  expect(routes).not.toContain(`10.201.${cluster.network.index}.`);
  expect((await run('ip', ['netns', 'list'])).stdout).not.toContain(name);
  if (!process.env.MGW_KEEP_WORKDIR) rmSync(workDir, { recursive: true, force: true });
}, 120_000);

function echoDeployment(ns: string, name: string, replicas: number): object {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns },
    spec: {
      replicas, selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 5,
          containers: [{
            name: 'echo', image: ECHO_IMAGE,
            env: [
              { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            ],
            readinessProbe: { httpGet: { path: '/', port: 3000 }, periodSeconds: 1 },
          }],
        },
      },
    },
  };
}

async function createNamespace(ns: string): Promise<void> {
  await rest.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await waitFor(() => rest.request('GET', `/api/v1/namespaces/${ns}/serviceaccounts/default`).then(() => true), { timeoutMs: 30_000, what: `default SA in ${ns}` });
}

async function pods(ns: string, app: string): Promise<Pod[]> {
  const list = await rest.request<{ items: Pod[] }>('GET', `/api/v1/namespaces/${ns}/pods?labelSelector=app%3D${app}`);
  return list.items;
}

function isReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

async function waitForReadyPods(ns: string, app: string, count: number, timeoutMs = 120_000): Promise<Pod[]> {
  return waitFor(async () => {
    const list = (await pods(ns, app)).filter((p) => !p.metadata.deletionTimestamp);
    return list.length === count && list.every(isReady) ? list : undefined;
  }, { timeoutMs, what: `${count} Ready pods of ${ns}/${app}`, intervalMs: 100 });
}

async function endpointIps(ns: string, service: string): Promise<string[]> {
  const list = await rest.request<{ items: { endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[] }[] }>(
    'GET', `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3D${service}`);
  return list.items.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready).flatMap((e) => e.addresses)).sort();
}

async function echoFrom(url: string, netns?: string): Promise<string> {
  const args = ['-s', '--max-time', '2', url];
  const { stdout } = netns ? await run('nsenter', [`--net=/run/netns/${netns}`, '--', 'curl', ...args]) : await run('curl', args);
  return (JSON.parse(stdout) as { pod: string }).pod;
}

describe('a local cluster', () => {
  it('runs an echo-basic Deployment ×3 behind a Service, reachable from the host and from a Pod', async () => {
    const ns = 'echo';
    await createNamespace(ns);
    const started = Date.now();
    await rest.request('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, echoDeployment(ns, 'echo', 3));
    const ready = await waitForReadyPods(ns, 'echo', 3);
    figures.push(`Deployment ×3 create → all Ready: ${((Date.now() - started) / 1000).toFixed(2)}s`);
    const svc = await rest.request<{ spec: { clusterIP: string } }>('POST', `/api/v1/namespaces/${ns}/services`, {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo', namespace: ns },
      spec: { selector: { app: 'echo' }, ports: [{ port: 80, targetPort: 3000 }] },
    });
    const podIps = ready.map((p) => p.status?.podIP ?? '').sort();
    expect(new Set(podIps).size).toBe(3);
    await waitFor(async () => JSON.stringify(await endpointIps(ns, 'echo')) === JSON.stringify(podIps), { timeoutMs: 30_000, what: 'EndpointSlice with the 3 Pod IPs' });

    const names = ready.map((p) => p.metadata.name).sort();
    const url = `http://${svc.spec.clusterIP}/`;
    const fromHost = new Set<string>();
    await waitFor(async () => {
      fromHost.add(await echoFrom(url));
      return fromHost.size === 3;
    }, { timeoutMs: 30_000, what: 'each replica to answer on the ClusterIP from the host' });
    expect([...fromHost].sort()).toEqual(names);

    // Another Pod: a client Deployment's network namespace.
    await rest.request('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, echoDeployment(ns, 'client', 1));
    const [client] = await waitForReadyPods(ns, 'client', 1);
    const clientNetns = podNamespace(cluster.network, client?.metadata.uid ?? '');
    const fromPod = new Set<string>();
    await waitFor(async () => {
      fromPod.add(await echoFrom(url, clientNetns));
      return fromPod.size === 3;
    }, { timeoutMs: 30_000, what: 'each replica to answer on the ClusterIP from another Pod' });
    expect([...fromPod].sort()).toEqual(names);

    // Scale to 1: two processes stop.
    const pids = ready.map((p) => cluster.agent?.pod(ns, p.metadata.name)?.pids()[0]).filter((pid): pid is number => pid !== undefined);
    expect(pids).toHaveLength(3);
    await rest.request('PATCH', `/apis/apps/v1/namespaces/${ns}/deployments/echo/scale`, { spec: { replicas: 1 } }, 'application/merge-patch+json');
    await waitForReadyPods(ns, 'echo', 1);
    await waitFor(() => pids.filter((pid) => processGroupMembers(pid).length > 0).length === 1, { timeoutMs: 30_000, what: 'two echo processes to stop' });
    await waitFor(async () => (await pods(ns, 'echo')).length === 1, { timeoutMs: 30_000, what: 'two Pod objects to go' });

    // Deleting the namespace removes everything.
    const netnsBefore = clusterNamespaces(cluster.name).length;
    expect(netnsBefore).toBe(1 + 2);
    await rest.request('DELETE', `/api/v1/namespaces/${ns}`);
    await waitFor(async () => {
      try {
        await rest.request('GET', `/api/v1/namespaces/${ns}`);
        return false;
      } catch {
        return true;
      }
    }, { timeoutMs: 90_000, what: `namespace ${ns} to be gone` });
    expect(clusterNamespaces(cluster.name)).toEqual([cluster.network.nodeNamespace]);
    expect(pids.filter((pid) => processGroupMembers(pid).length > 0)).toEqual([]);
  });

  it('keeps ConfigMap and Secret volume files in sync without a restart', async () => {
    const ns = 'volumes';
    await createNamespace(ns);
    await rest.request('POST', `/api/v1/namespaces/${ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { 'greeting.txt': 'hello' } });
    await rest.request('POST', `/api/v1/namespaces/${ns}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec' }, stringData: { 'tls.key': 'one' } });
    const deployment = echoDeployment(ns, 'vol', 1) as { spec: { template: { spec: { containers: { volumeMounts?: unknown[] }[]; volumes?: unknown[] } } } };
    const podSpec = deployment.spec.template.spec;
    podSpec.volumes = [{ name: 'cfg', configMap: { name: 'cfg' } }, { name: 'sec', secret: { secretName: 'sec' } }];
    const mountRoot = `/run/mgw-itest-${process.pid}`;
    podSpec.containers[0]!.volumeMounts = [{ name: 'cfg', mountPath: `${mountRoot}/cfg` }, { name: 'sec', mountPath: `${mountRoot}/sec` }];
    await rest.request('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, deployment);
    const [pod] = await waitForReadyPods(ns, 'vol', 1);
    const runner = cluster.agent?.pod(ns, pod?.metadata.name ?? '');
    const pid = runner?.pids()[0];
    expect(pid).toBeDefined();
    // What the container sees at its mount paths (its own mount namespace).
    const readInPod = async (path: string): Promise<string> => (await run('nsenter', ['-t', String(pid), '-m', '--', 'cat', path])).stdout;
    expect(await readInPod(`${mountRoot}/cfg/greeting.txt`)).toBe('hello');
    expect(await readInPod(`${mountRoot}/sec/tls.key`)).toBe('one');

    const changed = Date.now();
    await rest.request('PATCH', `/api/v1/namespaces/${ns}/configmaps/cfg`, { data: { 'greeting.txt': 'bonjour' } }, 'application/merge-patch+json');
    await rest.request('PATCH', `/api/v1/namespaces/${ns}/secrets/sec`, { stringData: { 'tls.key': 'two' } }, 'application/merge-patch+json');
    await waitFor(async () => (await readInPod(`${mountRoot}/cfg/greeting.txt`)) === 'bonjour' && (await readInPod(`${mountRoot}/sec/tls.key`)) === 'two', {
      timeoutMs: 60_000, what: 'the updated files in the Pod',
    });
    figures.push(`ConfigMap+Secret update → files in the Pod: ${((Date.now() - changed) / 1000).toFixed(2)}s`);
    expect(runner?.pids()[0]).toBe(pid);
    const current = await rest.request<Pod>('GET', `/api/v1/namespaces/${ns}/pods/${pod?.metadata.name}`);
    expect(current.status?.containerStatuses?.[0]?.restartCount).toBe(0);
    await rest.request('DELETE', `/api/v1/namespaces/${ns}`);
    // The mount points the agent had to create on the host go with the last Pod using them.
    await waitFor(() => !existsSync(mountRoot), { timeoutMs: 60_000, what: `${mountRoot} to be removed` });
  });

  it('takes a Pod whose readiness fails out of its EndpointSlice and restarts a killed process with backoff', async () => {
    const ns = 'probes';
    await createNamespace(ns);
    const flag = join(tmpdir(), `mgw-ready-${process.pid}`);
    writeFileSync(flag, 'ok');
    const deployment = echoDeployment(ns, 'probe', 1) as { spec: { template: { spec: { containers: { readinessProbe?: unknown }[] } } } };
    deployment.spec.template.spec.containers[0]!.readinessProbe = { exec: { command: ['cat', flag] }, periodSeconds: 1, failureThreshold: 1 };
    await rest.request('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, deployment);
    await rest.request('POST', `/api/v1/namespaces/${ns}/services`, {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'probe' }, spec: { selector: { app: 'probe' }, ports: [{ port: 80, targetPort: 3000 }] },
    });
    const [pod] = await waitForReadyPods(ns, 'probe', 1);
    const name = pod?.metadata.name ?? '';
    await waitFor(async () => (await endpointIps(ns, 'probe')).length === 1, { timeoutMs: 30_000, what: 'the Pod in the EndpointSlice' });

    rmSync(flag);
    await waitFor(async () => !isReady(await rest.request<Pod>('GET', `/api/v1/namespaces/${ns}/pods/${name}`)), { timeoutMs: 30_000, what: 'the Pod to turn unready' });
    await waitFor(async () => (await endpointIps(ns, 'probe')).length === 0, { timeoutMs: 30_000, what: 'the Pod to leave the EndpointSlice' });
    writeFileSync(flag, 'ok');
    await waitForReadyPods(ns, 'probe', 1);

    // Killed twice: restarted each time, the second time after a longer backoff.
    const restarts: number[] = [];
    for (let round = 1; round <= 2; round++) {
      const pid = cluster.agent?.pod(ns, name)?.pids()[0];
      expect(pid).toBeDefined();
      const killed = Date.now();
      process.kill(pid ?? 0, 'SIGKILL');
      await waitFor(async () => {
        const current = await rest.request<Pod>('GET', `/api/v1/namespaces/${ns}/pods/${name}`);
        return current.status?.containerStatuses?.[0]?.restartCount === round && isReady(current);
      }, { timeoutMs: 60_000, what: `restart ${round}` });
      restarts.push(Date.now() - killed);
      expect(cluster.agent?.pod(ns, name)?.pids()[0]).not.toBe(pid);
    }
    figures.push(`restart after kill: ${restarts.map((ms) => `${(ms / 1000).toFixed(1)}s`).join(', ')} (backoff 1 s doubling)`);
    expect(restarts[1]).toBeGreaterThan(restarts[0] ?? 0);
    rmSync(flag, { force: true });
    await rest.request('DELETE', `/api/v1/namespaces/${ns}`);
  });

  it('gives a LoadBalancer Service an address that answers from the host', async () => {
    const ns = 'lb';
    await createNamespace(ns);
    const started = Date.now();
    await rest.request('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, echoDeployment(ns, 'gw', 1));
    const [pod] = await waitForReadyPods(ns, 'gw', 1);
    figures.push(`Deployment ×1 create → Ready: ${((Date.now() - started) / 1000).toFixed(2)}s`);

    // In-cluster clients reach the apiserver through the \`kubernetes\` Service, with its CA and token.
    const netns = podNamespace(cluster.network, pod?.metadata.uid ?? '');
    const version = await waitFor(async () => {
      const { stdout } = await run('nsenter', [`--net=/run/netns/${netns}`, '--', 'curl', '-s', '--max-time', '2', '--cacert', cluster.caPath,
        '-H', `Authorization: Bearer ${cluster.adminToken}`, `https://${firstServiceIp(cluster.serviceClusterIpRange)}/version`]);
      return (JSON.parse(stdout) as { gitVersion?: string }).gitVersion;
    }, { timeoutMs: 30_000, what: 'the apiserver through the kubernetes Service from a Pod' });
    expect(version).toBe('v1.37.2');
    await rest.request('POST', `/api/v1/namespaces/${ns}/services`, {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'gw' },
      spec: { type: 'LoadBalancer', selector: { app: 'gw' }, ports: [{ port: 8080, targetPort: 3000 }] },
    });
    const ip = await waitFor(async () => {
      const svc = await rest.request<{ status?: { loadBalancer?: { ingress?: { ip: string }[] } } }>('GET', `/api/v1/namespaces/${ns}/services/gw`);
      return svc.status?.loadBalancer?.ingress?.[0]?.ip;
    }, { timeoutMs: 30_000, what: 'a load-balancer address' });
    expect(ip.startsWith(`10.204.${cluster.network.index}.`)).toBe(true);
    const answered = await waitFor(() => echoFrom(`http://${ip}:8080/`).catch(() => undefined), { timeoutMs: 30_000, what: `http://${ip}:8080/ to answer` });
    expect(answered).toBe(pod?.metadata.name);
    await rest.request('DELETE', `/api/v1/namespaces/${ns}`);
  });

  it('runs coredns from its image, answering for Services through its ClusterIP', async () => {
    const ns = 'dns';
    await createNamespace(ns);
    await rest.request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'itest-coredns' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: ns }],
    });
    await rest.request('POST', `/api/v1/namespaces/${ns}/configmaps`, {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns' },
      data: { Corefile: '.:53 {\n  ready\n  kubernetes cluster.local\n}\n' },
    });
    await rest.request('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'coredns' },
      spec: {
        replicas: 1, selector: { matchLabels: { app: 'coredns' } },
        template: {
          metadata: { labels: { app: 'coredns' } },
          spec: {
            containers: [{
              name: 'coredns', image: 'registry.k8s.io/coredns/coredns:v1.12.2', args: ['-conf', '/etc/coredns/Corefile'],
              volumeMounts: [{ name: 'config', mountPath: '/etc/coredns', readOnly: true }],
              readinessProbe: { httpGet: { path: '/ready', port: 8181 }, periodSeconds: 1 },
            }],
            volumes: [{ name: 'config', configMap: { name: 'coredns' } }],
          },
        },
      },
    });
    const svc = await rest.request<{ spec: { clusterIP: string } }>('POST', `/api/v1/namespaces/${ns}/services`, {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns' },
      spec: { selector: { app: 'coredns' }, ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] },
    });
    await waitForReadyPods(ns, 'coredns', 1, 60_000);
    const resolver = new Resolver({ timeout: 1_000, tries: 1 });
    resolver.setServers([svc.spec.clusterIP]);
    const answer = await waitFor(() => resolver.resolve4('kubernetes.default.svc.cluster.local').catch(() => undefined), { timeoutMs: 30_000, what: 'coredns to answer' });
    expect(answer).toEqual([firstServiceIp(cluster.serviceClusterIpRange)]);
    await rest.request('DELETE', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/itest-coredns');
    await rest.request('DELETE', `/api/v1/namespaces/${ns}`);
  });

  it('reports ErrImagePull for an image it has no binary for', async () => {
    const ns = 'unknown-image';
    await createNamespace(ns);
    await rest.request('POST', `/api/v1/namespaces/${ns}/pods`, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'nope' }, spec: { containers: [{ name: 'x', image: 'example.com/nothing:1' }] },
    });
    const waiting = await waitFor(async () => {
      const pod = await rest.request<Pod>('GET', `/api/v1/namespaces/${ns}/pods/nope`);
      const state = pod.status?.containerStatuses?.[0]?.state;
      return state && 'waiting' in state ? state.waiting : undefined;
    }, { timeoutMs: 30_000, what: 'a waiting container status' });
    expect(waiting.reason).toBe('ErrImagePull');
    expect(waiting.message).toContain('example.com/nothing:1');
    await rest.request('DELETE', `/api/v1/namespaces/${ns}`);
  });

  it('brings 20 replicas to Ready', async () => {
    const ns = 'scale';
    await createNamespace(ns);
    const started = Date.now();
    await rest.request('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, echoDeployment(ns, 'many', 20));
    await waitForReadyPods(ns, 'many', 20, 180_000);
    figures.push(`Deployment ×20 create → all Ready: ${((Date.now() - started) / 1000).toFixed(2)}s`);
    const rss = readFileSync('/proc/self/status', 'utf8').match(/VmRSS:\s+(\d+)/)?.[1];
    figures.push(`test process RSS with the in-process agent and 20 Pods: ${Math.round(Number(rss) / 1024)} MiB`);
    await rest.request('DELETE', `/api/v1/namespaces/${ns}`);
    await waitFor(() => clusterNamespaces(cluster.name).length === 1, { timeoutMs: 90_000, what: 'the 20 Pod namespaces to go' });
  }, 300_000);
});
