// End-to-end benchmark of the whole system (issue 10) on the local cluster: the four services as
// processes, real Engines (Envoy Pods) and echo-basic backends. Build (`npx tsc -b` at the
// repository root), then run (as root: the local cluster needs it)
//   node test/dist/bench/system.bench.js [--existing 0,1000,3000] [--samples 20] [--changes 1000]
// It applies deploy/examples/quickstart.yaml plus a second echo backend and prints one table:
//   - Gateway create → Programmed: from the Gateway create call returning to Programmed=True
//     with an address (once per run, for a second Gateway);
//   - route propagation at E existing routes: from an HTTPRoute create call returning to the
//     first 200 through the Engine that the new route served (it sets a request header the echo
//     app reflects; the quickstart's catch-all route answers every path before that), p50 / p99
//     over the samples; the E routes are created first (each its own path) on the same Gateway;
//   - 5xx on unchanged routes during C route changes (path edits, rule reorders, backend swaps
//     between two backends), counted by a steady request loop on a route that does not change;
//   - RSS of each service, and of all four together, with the routes in place.
// Targets from the issue: p99 under 100 ms at 3,000 routes, zero errors, under 300 MiB for the
// four services together.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { KubeObject } from '../cluster/rest.js';
import { waitFor } from '../harness/index.js';
import { SERVICE_NAMES } from '../system/control-plane.js';
import type { Installation } from '../system/system-fixture.js';
import { apply, httpGet, manifest, startInstallation, waitProgrammed } from '../system/system-fixture.js';

const NS = 'demo';

function route(name: string, path: string, backend = 'echo', extraRule = false): KubeObject {
  const rule = (p: string, b: string): object => ({ matches: [{ path: { type: 'PathPrefix', value: p } }], backendRefs: [{ name: b, port: 8080 }] });
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace: NS },
    spec: { parentRefs: [{ name: 'edge' }], rules: extraRule ? [rule(`${path}-extra`, backend === 'echo' ? 'echo2' : 'echo'), rule(path, backend)] : [rule(path, backend)] },
  } as KubeObject;
}

function echo2(): KubeObject[] {
  return manifest('deploy/examples/quickstart.yaml')
    .filter((o) => (o.kind === 'Deployment' || o.kind === 'Service') && o.metadata.name === 'echo')
    .map((o) => {
      const copy = JSON.parse(JSON.stringify(o).replaceAll('"echo"', '"echo2"')) as KubeObject;
      return copy;
    });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line?.split(/\s+/)[1] ?? NaN) / 1024;
}

async function createRoutes(install: Installation, from: number, to: number): Promise<void> {
  const batch: Promise<void>[] = [];
  for (let i = from; i < to; i += 1) {
    batch.push(apply(install.rest, [route(`bulk-${i}`, `/bulk-${i}`)]));
    if (batch.length >= 16) await Promise.all(batch.splice(0));
  }
  await Promise.all(batch);
}

async function propagation(install: Installation, address: string, label: string, samples: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    const name = `probe-${label}-${i}`;
    const path = `/${name}`;
    // The quickstart's catch-all route already answers every path: the probe route is recognised
    // by the header it sets on the request the echo app sees.
    const probe = route(name, path) as KubeObject & { spec: { rules: { filters?: unknown[] }[] } };
    for (const rule of probe.spec.rules) rule.filters = [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'X-Probe', value: name }] } }];
    await apply(install.rest, [probe]);
    const created = performance.now();
    await waitFor(
      async () => {
        const r = await httpGet(`http://${address}${path}`);
        return (r.status === 200 && (JSON.parse(r.body) as { headers?: Record<string, string[]> }).headers?.['X-Probe']?.[0] === name) || undefined;
      },
      { timeoutMs: 60_000, what: `${path} served by its own route`, intervalMs: 5 },
    );
    times.push(performance.now() - created);
  }
  return times.sort((a, b) => a - b);
}

async function churn(install: Installation, address: string, changes: number): Promise<{ errors: number; requests: number; seconds: number }> {
  let running = true;
  let errors = 0;
  let requests = 0;
  const loop = (async () => {
    while (running) {
      const r = await httpGet(`http://${address}/steady`);
      requests += 1;
      if (r.status >= 500 || r.status === 0) errors += 1;
    }
  })();
  const started = performance.now();
  for (let i = 0; i < changes; i += 1) {
    const n = i % 20;
    const kind = i % 3;
    // Path edits, rule reorders (an extra rule before the main one) and backend swaps.
    const r = kind === 0 ? route(`churn-${n}`, `/churn-${n}-${i}`) : kind === 1 ? route(`churn-${n}`, `/churn-${n}`, 'echo', true) : route(`churn-${n}`, `/churn-${n}`, i % 2 === 0 ? 'echo' : 'echo2');
    await apply(install.rest, [r]);
  }
  // Let the last changes reach the Engine while traffic still runs.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  running = false;
  await loop;
  return { errors, requests, seconds: (performance.now() - started) / 1_000 };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { existing: { type: 'string', default: '0,1000,3000' }, samples: { type: 'string', default: '20' }, changes: { type: 'string', default: '1000' } },
  });
  const workDir = mkdtempSync(join(tmpdir(), 'mgw-system-bench-'));
  const install = await startInstallation({ workDir, name: `bench-${process.pid}` });
  try {
    await apply(install.rest, [...manifest('deploy/examples/quickstart.yaml'), ...echo2()]);
    const { address } = await waitProgrammed(install.rest, NS, 'edge', 180_000);
    await apply(install.rest, [route('steady', '/steady')]);
    await waitFor(async () => (await httpGet(`http://${address}/steady`)).status === 200 || undefined, { timeoutMs: 60_000, what: '/steady serving' });

    const gwStart = performance.now();
    await apply(install.rest, [{ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'second', namespace: NS }, spec: { gatewayClassName: 'microgateway', listeners: [{ name: 'http', protocol: 'HTTP', port: 8080 }] } } as KubeObject]);
    await waitProgrammed(install.rest, NS, 'second', 180_000);
    const programmedSeconds = (performance.now() - gwStart) / 1_000;

    const rows: Record<string, string | number>[] = [];
    let existing = 0;
    for (const target of values.existing.split(',').map(Number)) {
      await createRoutes(install, existing, target);
      existing = target;
      const times = await propagation(install, address, String(target), Number(values.samples));
      const rss = Object.fromEntries(SERVICE_NAMES.map((name) => [name, rssMiB(install.control.services.get(name)?.proc.pid ?? 0)]));
      const total = Object.values(rss).reduce((a, b) => a + b, 0);
      rows.push({
        'existing routes': target,
        'route create → first 200 (p50 / p99)': `${percentile(times, 50).toFixed(0)} / ${percentile(times, 99).toFixed(0)} ms`,
        'RSS watcher / renderer / ca / deployer': `${rss['watcher']?.toFixed(0)} / ${rss['renderer']?.toFixed(0)} / ${rss['ca']?.toFixed(0)} / ${rss['deployer']?.toFixed(0)} MiB`,
        'RSS all four': `${total.toFixed(0)} MiB`,
      });
    }
    const churned = await churn(install, address, Number(values.changes));
    console.table(rows);
    console.table([
      {
        'Gateway create → Programmed': `${programmedSeconds.toFixed(1)} s`,
        [`${values.changes} route changes`]: `${churned.seconds.toFixed(0)} s`,
        '5xx / failed on the unchanged route': `${churned.errors} of ${churned.requests}`,
      },
    ]);
  } finally {
    await install.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
