// Benchmark of the renderer's xDS server fan-out (issue 8) on a real NATS, renderer and Envoy.
// Build (`npx tsc -b` at the repository root), then run
//   node test/dist/bench/xds.bench.js [--clients 1,200,1000] [--gateways 1,100] [--samples 20]
// For each client count N and Gateway count G (G > 1 only when N >= G) it starts a fresh NATS and
// renderer (with its mTLS xDS server), renders G Gateways of one route each, connects N xDS
// clients — the first a real Envoy on the deployer's bootstrap for the first Gateway, the rest
// lightweight delta clients (one gRPC connection each) spread round-robin over the Gateways — and
// prints one table:
//   - push → client: a push is one RouteConfiguration changed directly in KV `xds` (a header
//     added) plus a new manifest version, as a render would write them, without the render step.
//     ms from just before the manifest write to each lightweight client of that Gateway receiving
//     the new version (p50 / p99 / max over every client and sample). With G = 1 every push goes
//     to every client (the worst case); with G > 1 the samples rotate over the Gateways;
//   - push → ACK (server): the renderer's own histogram mgw_renderer_xds_push_latency_seconds,
//     from the snapshot built (manifest read from KV) to each ACK, Envoy's included. Per sample
//     its mean (sum/count delta; exact for one client), p50 / p99 / max over the samples, and
//     the p99 bucket bound over every ACK;
//   - connect: ms to connect the lightweight clients and give each its initial config;
//   - renderer RSS (VmRSS) with no connection and with the N connections;
//   - outcome write failures: ACK facts / config.accepted events the renderer failed to write.
// Target from the issue: p99 under 250 ms at 1,000 clients.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { GatewayRef, InstanceName, XdsManifest } from '@microgateway/contracts';
import { XDS_TYPE_URLS, controllerName, engineNodeId, xdsManifestKey, xdsResourceKey } from '@microgateway/contracts';
import * as b from '@microgateway/contracts/testing';
import { freePort, startNats, waitFor } from '../harness/index.js';
import type { EnvoyHandle, NatsHandle } from '../harness/index.js';
import { startLocalEngine } from '../renderer/engine-fixture.js';
import { InstanceKv, startRenderer } from '../renderer/service-fixture.js';
import type { RendererProcess } from '../renderer/service-fixture.js';
import { TestPki } from '../renderer/xds-pki.js';
import { FanoutXdsClient } from './xds-fanout-client.js';

const INSTANCE: InstanceName = 'xdsbench';
const SERVER_NAME = 'localhost';
/** The Envoy binds 10000 + this; far from the integration suites' ports. */
const LISTENER_PORT = 23_080;
const HISTOGRAM = 'mgw_renderer_xds_push_latency_seconds';
const BUCKETS = ['0.001', '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '+Inf'];
/** Clients connected at once: enough to keep the server busy, few enough not to time out handshakes. */
const CONNECT_BATCH = 50;
const PUSH_TIMEOUT_MS = 30_000;

function gatewayRef(i: number): GatewayRef {
  return { namespace: 'default', name: `gw-${i}` };
}

async function loadGateways(kv: InstanceKv, gateways: number): Promise<void> {
  await kv.put(b.gatewayClass({ controllerName: controllerName(INSTANCE) }));
  await kv.put(b.service({ name: 'backend' }));
  const slice = b.endpointSlice({ name: 'backend-abcde', serviceName: 'backend', addresses: ['127.0.0.1'] });
  await kv.put({ ...slice, ports: [{ name: 'port-8080', port: 8080, protocol: 'TCP' }] });
  for (let i = 0; i < gateways; i++) {
    const { name } = gatewayRef(i);
    await kv.put(b.gateway({ name, spec: { listeners: [b.listener({ port: LISTENER_PORT })] } }));
    const rule = b.httpRouteRule({ matches: [{ path: { type: 'PathPrefix', value: `/r${i}` } }], backendRefs: [b.backendRef({ name: 'backend' })] });
    await kv.put(b.httpRoute({ name: `route-${i}`, spec: { parentRefs: [{ name }], rules: [rule] } }));
  }
}

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line?.split(/\s+/)[1] ?? NaN) / 1024;
}

interface HistogramReading {
  buckets: number[];
  sum: number;
  count: number;
}

async function readHistogram(renderer: RendererProcess): Promise<HistogramReading> {
  const buckets = await Promise.all(BUCKETS.map((le) => renderer.metric(`${HISTOGRAM}_bucket`, `le="${le}"`)));
  return { buckets, sum: await renderer.metric(`${HISTOGRAM}_sum`), count: await renderer.metric(`${HISTOGRAM}_count`) };
}

/** The upper bound (ms) of the bucket holding quantile q of the observations between two readings. */
function bucketQuantileMs(before: HistogramReading, after: HistogramReading, q: number): string {
  const total = after.count - before.count;
  const index = after.buckets.findIndex((cumulative, i) => cumulative - (before.buckets[i] ?? 0) >= q * total);
  const le = BUCKETS[index] ?? '+Inf';
  return le === '+Inf' ? '> 5 s' : `≤ ${Number(le) * 1000} ms`;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}

/** One Gateway's pushable state: its manifest and RouteConfiguration as the renderer wrote them. */
interface PushTarget {
  gateway: GatewayRef;
  manifest: XdsManifest;
  routeName: string;
  route: Record<string, unknown>;
}

async function pushTarget(kv: InstanceKv, gateway: GatewayRef): Promise<PushTarget> {
  const manifest = await kv.manifest(gateway);
  const entry = manifest?.resources.find((r) => r.type === 'route');
  if (manifest === undefined || entry === undefined) throw new Error(`${gateway.name} has no RouteConfiguration`);
  const route = (await kv.xds.get(xdsResourceKey(gateway, 'route', entry.name)))?.json<Record<string, unknown>>();
  if (route === undefined) throw new Error(`${gateway.name}'s RouteConfiguration is not in KV`);
  return { gateway, manifest, routeName: entry.name, route };
}

/**
 * Writes sample `s` of a push: the RouteConfiguration with one more response header, then (the
 * commit point the store waits for) the manifest naming its digest and `version`. Returns the time
 * origin, taken just before the manifest write.
 */
async function push(kv: InstanceKv, target: PushTarget, s: number, version: string): Promise<number> {
  const headers = (target.route['response_headers_to_add'] as unknown[] | undefined) ?? [];
  const json = JSON.stringify({ ...target.route, response_headers_to_add: [...headers, { header: { key: 'x-bench-sample', value: String(s) } }] });
  const digest = `sha256:${createHash('sha256').update(json).digest('hex')}`;
  await kv.xds.put(xdsResourceKey(target.gateway, 'route', target.routeName), json);
  const manifest = { ...target.manifest, version, resources: target.manifest.resources.map((r) => (r.type === 'route' && r.name === target.routeName ? { ...r, digest } : r)) };
  const origin = performance.now();
  await kv.xds.put(xdsManifestKey(target.gateway), JSON.stringify(manifest));
  return origin;
}

interface Row {
  clients: number;
  gateways: number;
  clientMs: number[];
  ackMeansMs: number[];
  ackP99Bucket: string;
  connectMs: number;
  rssIdleMiB: number;
  rssConnectedMiB: number;
  /** ACK facts or config.accepted events the renderer could not write (mgw_renderer_xds_outcome_failures_total). */
  outcomeFailures: number;
}

interface Fleet {
  envoy: EnvoyHandle;
  /** Lightweight clients by Gateway index. */
  clients: FanoutXdsClient[][];
  connectMs: number;
}

async function connectFleet(o: { pki: TestPki; workDir: string; xdsPort: number; clients: number; gateways: number; versions: string[] }): Promise<Fleet> {
  const first = gatewayRef(0);
  const envoy = await startLocalEngine({ instance: INSTANCE, gateway: first, name: 'engine-0', workDir: o.workDir, xdsServerName: SERVER_NAME, bootstrapDir: o.pki.bootstrapDir(first, [SERVER_NAME]), xdsPorts: [o.xdsPort] });
  const credentials = Array.from({ length: o.gateways }, (_, g) => o.pki.engineCredentials(gatewayRef(g)));
  const clients: FanoutXdsClient[][] = Array.from({ length: o.gateways }, () => []);
  const started = performance.now();
  for (let i = 1; i < o.clients; i += CONNECT_BATCH) {
    const batch: Promise<number>[] = [];
    for (let c = i; c < Math.min(o.clients, i + CONNECT_BATCH); c++) {
      const g = c % o.gateways;
      const creds = credentials[g];
      if (creds === undefined) throw new Error('no credentials');
      const client = new FanoutXdsClient({ port: o.xdsPort, serverName: SERVER_NAME, nodeId: engineNodeId(gatewayRef(g), `client-${c}`), ...creds });
      clients[g]?.push(client);
      batch.push(client.arrivalOf(XDS_TYPE_URLS.route, o.versions[g] ?? '', PUSH_TIMEOUT_MS));
    }
    await Promise.all(batch);
  }
  return { envoy, clients, connectMs: performance.now() - started };
}

async function benchOne(clients: number, gateways: number, samples: number): Promise<Row> {
  const workDir = mkdtempSync(join(tmpdir(), 'mgw-xds-bench-'));
  const pki = new TestPki(INSTANCE, workDir);
  let nats: NatsHandle | undefined;
  let kv: InstanceKv | undefined;
  let renderer: RendererProcess | undefined;
  let fleet: Fleet | undefined;
  try {
    nats = await startNats({ name: 'nats-xds-bench', workDir: join(workDir, 'nats') });
    kv = await InstanceKv.open(nats, INSTANCE);
    await loadGateways(kv, gateways);
    const xdsPort = await freePort();
    const tlsDir = pki.servingDir([SERVER_NAME]);
    renderer = await startRenderer({
      name: 'renderer', instance: INSTANCE, nats, workDir, logLevel: 'warn',
      extraYaml: `xds:\n  tlsDir: ${tlsDir}\n  port: ${xdsPort}\n  host: 127.0.0.1\n  shutdownGraceSeconds: 1\n`,
    });
    const store = kv;
    const targets = await Promise.all(
      Array.from({ length: gateways }, (_, g) => waitFor(() => store.manifest(gatewayRef(g)), { timeoutMs: 120_000, what: `the manifest of gw-${g}`, process: renderer?.proc }).then(() => pushTarget(store, gatewayRef(g)))),
    );
    await new Promise((r) => setTimeout(r, 1_000)); // let the renderer settle after the renders
    const rssIdleMiB = rssMiB(renderer.proc.pid);
    fleet = await connectFleet({ pki, workDir, xdsPort, clients, gateways, versions: targets.map((t) => t.manifest.version) });
    // Envoy must hold the initial config before the samples: its ACKs count in the histogram.
    await waitFor(async () => (await renderer?.metric('mgw_renderer_xds_streams', 'protocol="delta"')) === clients, { timeoutMs: 30_000, what: `${clients} xDS streams` });
    const rssConnectedMiB = rssMiB(renderer.proc.pid);

    const clientMs: number[] = [];
    const ackMeansMs: number[] = [];
    const histogramBefore = await readHistogram(renderer);
    for (let s = 1; s <= samples; s++) {
      const g = (s - 1) % gateways;
      const target = targets[g];
      if (target === undefined) throw new Error('no push target');
      const receivers = fleet.clients[g] ?? [];
      const acksExpected = receivers.length + (g === 0 ? 1 : 0);
      const before = await readHistogram(renderer);
      const version = `${target.manifest.version}-bench-${s}`;
      const arrivals = Promise.all(receivers.map((c) => c.arrivalOf(XDS_TYPE_URLS.route, version, PUSH_TIMEOUT_MS)));
      const origin = await push(kv, target, s, version);
      for (const at of await arrivals) clientMs.push(at - origin);
      // Every /metrics scrape costs the renderer (its default collectors list 1,000+ fds): poll
      // only the count, and only once the clients have their responses, then read the rest.
      const running = renderer;
      const acked = async (): Promise<boolean> => (await running.metric(`${HISTOGRAM}_count`)) - before.count >= acksExpected;
      await waitFor(() => acked().then((done) => done || undefined), { timeoutMs: PUSH_TIMEOUT_MS, what: `${acksExpected} ACKs of sample ${s}`, intervalMs: 50 });
      const after = await readHistogram(renderer);
      ackMeansMs.push(((after.sum - before.sum) / (after.count - before.count)) * 1000);
    }
    const histogramAfter = await readHistogram(renderer);
    const outcomeFailures = await renderer.metric('mgw_renderer_xds_outcome_failures_total');
    return {
      outcomeFailures,
      clients, gateways, clientMs: clientMs.sort((x, y) => x - y), ackMeansMs: ackMeansMs.sort((x, y) => x - y),
      ackP99Bucket: bucketQuantileMs(histogramBefore, histogramAfter, 0.99), connectMs: fleet.connectMs, rssIdleMiB, rssConnectedMiB,
    };
  } finally {
    for (const client of fleet?.clients.flat() ?? []) client.stop();
    await fleet?.envoy.stop().catch(() => undefined);
    await renderer?.proc.stop().catch(() => undefined);
    await kv?.close().catch(() => undefined);
    await nats?.stop().catch(() => undefined);
    rmSync(workDir, { recursive: true, force: true });
  }
}

function triple(sorted: readonly number[]): string {
  if (sorted.length === 0) return '—';
  const ms = (n: number): string => `${n.toFixed(n < 10 ? 1 : 0)}`;
  return `${ms(quantile(sorted, 0.5))} / ${ms(quantile(sorted, 0.99))} / ${ms(sorted.at(-1) ?? NaN)} ms`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { clients: { type: 'string', default: '1,200,1000' }, gateways: { type: 'string', default: '1,100' }, samples: { type: 'string', default: '20' } } });
  const rows: Row[] = [];
  for (const gateways of values.gateways.split(',').map(Number)) {
    for (const clients of values.clients.split(',').map(Number)) {
      if (gateways > 1 && clients < gateways) continue;
      rows.push(await benchOne(clients, gateways, Number(values.samples)));
    }
  }
  console.table(
    rows.map((r) => ({
      clients: r.clients,
      gateways: r.gateways,
      'push → client (p50 / p99 / max)': triple(r.clientMs),
      'push → ACK, server mean per push (p50 / p99 / max)': triple(r.ackMeansMs),
      'ACK p99 bucket': r.ackP99Bucket,
      'connect clients': `${(r.connectMs / 1000).toFixed(1)} s`,
      'renderer RSS (0 / N conns)': `${r.rssIdleMiB.toFixed(0)} / ${r.rssConnectedMiB.toFixed(0)} MiB`,
      'outcome write failures': r.outcomeFailures,
    })),
  );
}

await main();
