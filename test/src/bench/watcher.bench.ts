// Benchmark of the watcher (issue 5): mirror throughput, lag and memory at 10,000 HTTPRoutes, on a
// real kube-apiserver and NATS. Build (`npx tsc -b` at the repository root), then run
//   node test/dist/bench/watcher.bench.js [--routes 10000] [--updates 1000]
// It prints one table:
//   - world switch: N routes already in the apiserver enter the world at once (their GatewayClass
//     appears); objects/s from that moment until KV holds all of them;
//   - cold start: the watcher starts against an empty bucket with N routes present; objects/s
//     from process start until KV holds all of them (list + writes);
//   - live lag: updates made one by one at the apiserver's pace; per update, from the API
//     server's answer to the new version being visible in KV (p50/p99);
//   - RSS of the watcher process with N routes mirrored.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { KV } from '@nats-io/kv';
import { startKubeControlPlane, startNats, waitFor } from '../harness/index.js';
import {
  WATCHER_ACCOUNT,
  WATCHER_NAMESPACE,
  applyManifests,
  connectAdmin,
  httpRoute,
  inParallel,
  startWatcher,
  watcherRbac,
} from '../watcher/fixture.js';
import type { WatcherProcess } from '../watcher/fixture.js';

const GW = 'gateway.networking.k8s.io/v1';
const NS = 'bench';

interface Arrivals {
  /** key → resourceVersion → ms timestamp of its arrival in KV */
  seen: Map<string, Map<string, number>>;
  stop(): void;
}

async function watchArrivals(kv: KV): Promise<Arrivals> {
  const seen = new Map<string, Map<string, number>>();
  const watch = await kv.watch({ key: 'HTTPRoute.bench.>', include: 'updates' });
  void (async () => {
    for await (const entry of watch) {
      if (entry.operation !== 'PUT') continue;
      const version = entry.json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion;
      let versions = seen.get(entry.key);
      if (!versions) seen.set(entry.key, (versions = new Map()));
      versions.set(version, Date.now());
    }
  })();
  return { seen, stop: () => watch.stop() };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function memory(watcher: WatcherProcess): Promise<string> {
  const rss = (await watcher.metric('mgw_process_resident_memory_bytes')) / 2 ** 20;
  const heap = (await watcher.metric('mgw_nodejs_heap_size_used_bytes')) / 2 ** 20;
  return `${rss.toFixed(0)} MiB (JS heap in use ${heap.toFixed(0)} MiB)`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { routes: { type: 'string', default: '10000' }, updates: { type: 'string', default: '1000' } } });
  const routes = Number(values.routes);
  const updates = Number(values.updates);
  const workDir = mkdtempSync(join(tmpdir(), 'mgw-watcher-bench-'));
  const [kube, nats] = await Promise.all([startKubeControlPlane({ workDir: join(workDir, 'kube') }), startNats({ workDir: join(workDir, 'nats') })]);
  const watchers: WatcherProcess[] = [];
  const admin = await connectAdmin(nats);
  try {
    const objects = KubernetesObjectApi.makeApiClient(kube.kubeConfig());
    await objects.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: WATCHER_NAMESPACE } });
    await applyManifests(kube, watcherRbac());
    const identity = await kube.mintIdentity(WATCHER_NAMESPACE, WATCHER_ACCOUNT);
    const start = async (name: string): Promise<WatcherProcess> => {
      const watcher = await startWatcher({ name, instance: 'default', kubeconfigPath: identity.kubeconfigPath, nats, workDir, logLevel: 'warn' });
      watchers.push(watcher);
      return watcher;
    };
    await objects.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await objects.create({ apiVersion: GW, kind: 'Gateway', metadata: { name: 'gw', namespace: NS }, spec: { gatewayClassName: 'bench', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } } as KubernetesObject);
    const names = Array.from({ length: routes }, (_, i) => `route-${i}`);
    let started = Date.now();
    await inParallel(names, 32, async (name) => void (await objects.create(httpRoute(NS, name, { namespace: NS, name: 'gw' }, `${name}.example.com`))));
    const createSeconds = (Date.now() - started) / 1000;
    console.info(`created ${routes} HTTPRoutes in ${createSeconds.toFixed(1)} s (${(routes / createSeconds).toFixed(0)}/s at the apiserver)`);

    const first = await start('bench-watcher');
    const kv = await new Kvm(jetstream(admin)).open('mgw-default-resources');
    const arrivals = await watchArrivals(kv);
    const allMirrored = (): Promise<boolean> => waitFor(() => arrivals.seen.size >= routes, { timeoutMs: 600_000, what: `${routes} routes in KV`, intervalMs: 50 });

    // World switch: the class appears and every route joins the world at once.
    started = Date.now();
    await objects.create({ apiVersion: GW, kind: 'GatewayClass', metadata: { name: 'bench' }, spec: { controllerName: 'microgateway.dev/default' } } as KubernetesObject);
    await allMirrored();
    const switchSeconds = (Date.now() - started) / 1000;
    const rssAfterSwitch = await memory(first);

    // Live lag: updates one after another, each timed from the apiserver's answer to KV.
    const lags: number[] = [];
    for (const name of names.slice(0, updates)) {
      const patched: KubernetesObject = await objects.patch(
        { apiVersion: GW, kind: 'HTTPRoute', metadata: { name, namespace: NS }, spec: { hostnames: [`${name}.v2.example.com`] } } as KubernetesObject,
        undefined, undefined, undefined, undefined, PatchStrategy.MergePatch,
      );
      const answeredAt = Date.now();
      const version = patched.metadata?.resourceVersion ?? '';
      const seenAt = await waitFor(() => arrivals.seen.get(`HTTPRoute.bench.${name}`)?.get(version), { timeoutMs: 10_000, what: `${name}@${version}`, intervalMs: 1 });
      lags.push(Math.max(0, seenAt - answeredAt));
    }
    lags.sort((a, b) => a - b);
    const rssAfterLag = await memory(first);

    // Cold start: a fresh watcher, an empty bucket, everything to list and write.
    await first.proc.stop();
    arrivals.stop();
    await kv.destroy();
    const coldStart = Date.now();
    const second = await start('bench-watcher-cold');
    const kv2 = await new Kvm(jetstream(admin)).open('mgw-default-resources');
    await waitFor(async () => (await kv2.status()).values >= routes + 3, { timeoutMs: 600_000, what: 'cold start mirrored', intervalMs: 100 });
    const coldSeconds = (Date.now() - coldStart) / 1000;
    const rssCold = await memory(second);

    const rows: [string, string][] = [
      ['HTTPRoutes', String(routes)],
      ['world switch: objects/s', (routes / switchSeconds).toFixed(0)],
      ['world switch: all in KV after', `${switchSeconds.toFixed(2)} s`],
      ['cold start (list + write): objects/s', (routes / coldSeconds).toFixed(0)],
      ['cold start: all in KV after process start', `${coldSeconds.toFixed(2)} s`],
      [`live lag p50 (${updates} updates)`, `${percentile(lags, 50)} ms`],
      ['live lag p99', `${percentile(lags, 99)} ms`],
      ['live lag max', `${lags[lags.length - 1]} ms`],
      ['watcher RSS after world switch', rssAfterSwitch],
      ['watcher RSS after live updates', rssAfterLag],
      ['watcher RSS after cold start', rssCold],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    console.info(`\n| ${'metric'.padEnd(width)} | value |\n|${'-'.repeat(width + 2)}|-------|`);
    for (const [k, v] of rows) console.info(`| ${k.padEnd(width)} | ${v} |`);
  } finally {
    await admin.close();
    await Promise.all(watchers.map((w) => w.proc.stop(3_000)));
    await nats.stop();
    await kube.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
