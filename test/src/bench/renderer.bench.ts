// Benchmark of the renderer service (issue 6) on a real NATS. Build (`npx tsc -b` at the
// repository root), then run
//   node test/dist/bench/renderer.bench.js [--routes 1000,10000] [--samples 7]
// For each route count N it starts a fresh NATS and renderer, loads one Gateway's objects (N
// HTTPRoutes over 100 Services) into KV `resources` as the watcher would, and prints one table:
//   - full render: the GatewayClass appears, so the Gateway becomes ours; ms from that KV write
//     to the manifest in KV `xds` (job queue, translation, every key written);
//   - translate only: translateGateway on the same objects in this process (the CPU part);
//   - one route changed: one HTTPRoute's path changes; ms from its KV write to the new
//     RouteConfiguration in KV `xds` (median and max of the samples);
//   - RSS of the renderer process after the renders.
// One Gateway's RouteConfiguration holds every route (1.4 MB at 10,000 routes), above NATS's
// default max_payload of 1 MB, so this NATS runs with max_payload 8 MB (as deploy/ should).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { controllerName, xdsResourceKey } from '@microgateway/contracts';
import type { InstanceName } from '@microgateway/contracts';
import * as b from '@microgateway/contracts/testing';
import { translateGateway } from '@microgateway/renderer/translate';
import { resourcesFromObjects } from '@microgateway/renderer/translate';
import { connect } from '@nats-io/transport-node';
import { freePort, renderNatsConfig, startProcess, waitFor } from '../harness/index.js';
import type { NatsHandle, ProcessHandle } from '../harness/index.js';
import { InstanceKv, startRenderer } from '../renderer/service-fixture.js';
import { toolPaths } from '../toolchain/paths.js';

const INSTANCE: InstanceName = 'bench';
const SERVICES = 100;
const gw = { namespace: 'default', name: 'gw' };

/** A NATS that accepts the large RouteConfiguration of a 10,000-route Gateway. */
async function startBigPayloadNats(workDir: string): Promise<{ handle: NatsHandle; proc: ProcessHandle }> {
  const port = await freePort();
  const admin = { user: 'admin', password: randomBytes(18).toString('base64url') };
  const config = renderNatsConfig({}, { port, storeDir: join(workDir, 'js'), serverName: 'renderer-bench', admin, system: { user: 'sys', password: randomBytes(18).toString('base64url') } });
  const file = join(workDir, 'nats.conf');
  writeFileSync(file, `${config}max_payload: 8MB\n`);
  const proc = startProcess({ name: 'nats-server', command: toolPaths().natsServer, args: ['-c', file], logFile: join(workDir, 'nats.log') });
  const url = `nats://127.0.0.1:${port}`;
  await waitFor(async () => (await connect({ servers: url, user: admin.user, pass: admin.password, reconnect: false })).close().then(() => true), { timeoutMs: 30_000, what: 'nats', process: proc });
  const handle: NatsHandle = { backend: 'process', url, admin, restart: () => Promise.reject(new Error('not supported')), stop: async () => void (await proc.stop()) };
  return { handle, proc };
}

function route(i: number, path = `/p${i}`): ReturnType<typeof b.httpRoute> {
  return b.httpRoute({
    name: `r-${i}`,
    spec: {
      hostnames: [`h${i % 50}.example.com`],
      rules: [b.httpRouteRule({ matches: [{ path: { type: 'PathPrefix', value: path } }], backendRefs: [b.backendRef({ name: `svc-${i % SERVICES}` })] })],
    },
  });
}

function objects(routes: number): { kind: string; metadata: { name: string; namespace?: string } }[] {
  const out: { kind: string; metadata: { name: string; namespace?: string } }[] = [b.gateway()];
  for (let i = 0; i < SERVICES; i++) {
    out.push(b.service({ name: `svc-${i}` }), b.endpointSlice({ name: `svc-${i}-abcde`, serviceName: `svc-${i}`, addresses: [`10.0.${i >> 8}.${i & 255}`] }));
  }
  for (let i = 0; i < routes; i++) out.push(route(i));
  return out;
}

async function inParallel<T>(items: readonly T[], width: number, run: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(run));
}

function translateOnly(routes: number): number {
  const { resources } = resourcesFromObjects([b.gatewayClass({ controllerName: controllerName(INSTANCE) }), ...objects(routes)]);
  const gateway = resources.gateways[0];
  if (gateway === undefined) throw new Error('no Gateway');
  translateGateway(resources, gateway, { controllerName: controllerName(INSTANCE) }); // warm-up
  const started = performance.now();
  translateGateway(resources, gateway, { controllerName: controllerName(INSTANCE) });
  return performance.now() - started;
}

interface Row {
  routes: number;
  fullMs: number;
  translateMs: number;
  changeMedianMs: number;
  changeMaxMs: number;
  rssMiB: number;
}

async function benchOne(routes: number, samples: number): Promise<Row> {
  const workDir = mkdtempSync(join(tmpdir(), 'mgw-renderer-bench-'));
  const { handle } = await startBigPayloadNats(workDir);
  const kv = await InstanceKv.open(handle, INSTANCE);
  try {
    await inParallel(objects(routes), 256, (o) => kv.put(o));
    const renderer = await startRenderer({ name: 'renderer', instance: INSTANCE, nats: handle, workDir, rendererYaml: '{jobs: {ackWaitSeconds: 60}}', logLevel: 'warn' });
    try {
      const started = performance.now();
      await kv.put(b.gatewayClass({ controllerName: controllerName(INSTANCE) }));
      await waitFor(() => kv.manifest(gw), { timeoutMs: 300_000, what: 'the full render', intervalMs: 5, process: renderer.proc });
      const fullMs = performance.now() - started;

      const manifest = await kv.manifest(gw);
      const routeConfig = manifest?.resources.find((r) => r.type === 'route');
      if (routeConfig === undefined) throw new Error('no RouteConfiguration rendered');
      const routeKey = xdsResourceKey(gw, 'route', routeConfig.name);
      const durations: number[] = [];
      for (let s = 1; s <= samples; s++) {
        const watch = await kv.xds.watch({ key: routeKey, include: 'updates' });
        const arrived = (async () => {
          for await (const entry of watch) if (entry.operation === 'PUT') return performance.now();
          return NaN;
        })();
        const changedAt = performance.now();
        await kv.put(route(routes >> 1, `/changed-${s}`));
        durations.push((await arrived) - changedAt);
        watch.stop();
      }
      durations.sort((x, y) => x - y);
      const rssMiB = (await renderer.metric('mgw_process_resident_memory_bytes')) / 2 ** 20;
      return { routes, fullMs, translateMs: translateOnly(routes), changeMedianMs: durations[durations.length >> 1] ?? NaN, changeMaxMs: durations.at(-1) ?? NaN, rssMiB };
    } finally {
      await renderer.proc.stop();
    }
  } finally {
    await kv.close();
    await handle.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { routes: { type: 'string', default: '1000,10000' }, samples: { type: 'string', default: '7' } } });
  const rows: Row[] = [];
  for (const routes of values.routes.split(',').map(Number)) rows.push(await benchOne(routes, Number(values.samples)));
  const ms = (n: number): string => `${n.toFixed(0)} ms`;
  console.table(
    rows.map((r) => ({
      routes: r.routes,
      'full render (KV write → manifest)': ms(r.fullMs),
      'translate only (in-process)': ms(r.translateMs),
      'one route changed → xds write (median / max)': `${ms(r.changeMedianMs)} / ${ms(r.changeMaxMs)}`,
      'renderer RSS': `${r.rssMiB.toFixed(0)} MiB`,
    })),
  );
}

await main();
