// Benchmark of the Engine's WAF in the data path (issue 12). Build (`npx tsc -b` at the repository
// root), then run
//   node test/dist/bench/waf.bench.js [--duration 5] [--connections 1,16] [--re2 true|false]
// One Envoy, two WAF processes and one Node upstream. The Envoy has three routes to the same
// upstream: /nowaf/ with ext_proc disabled per route, /vanilla/ through `mgw-waf --vanilla` (stock
// CRS as documented: all files, Coraza's recommended config, Go regexp, no pre-filter, response
// headers and logging phases; the per-route override points ext_proc at its socket) and /waf/
// through mgw-waf's default Standard policy. All columns share the Envoy, listener and upstream,
// and run back to back, so they see the same machine. For a benign GET and a
// benign 1 KB JSON POST, at each connection count (closed loop: each connection sends its next
// request when the answer arrived), engine/waf's `load` prints requests/s and p50/p99 latency.
// Also: Engine start-up (mgw-waf spawn → ready, then Envoy spawn → ready) and mgw-waf's RSS after
// the load, and the WAF's CPU time per request (/proc utime+stime over the cell, warm-up included:
// robust to a busy machine where latencies are not). All processes share the machine's cores with the load generator: read the figures as
// relative (WAF vs no WAF), and note the machine's load (printed).
// Targets (docs/adr/0012-waf-engine.md): ≥2x faster than vanilla CRS on latency and throughput,
// heading for < 1 ms p99 added to a benign GET, start-up < 5 s, RSS < 200 MiB.
import { execFile } from 'node:child_process';
import { loadavg } from 'node:os';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { promisify } from 'node:util';
import { buildWaf, freePort, startEnvoy, startWaf, wafEnvoyBootstrap } from '../harness/index.js';
import type { WafHandle } from '../harness/index.js';
import { startUpstream } from '../waf/upstream.js';

const execFileAsync = promisify(execFile);

interface LoadResult {
  requests: number;
  sent: number;
  rps: number;
  p50us: number;
  p99us: number;
  errors: number;
  unexpectedStatus: number;
}

/** A benign JSON order of about 1 KB: names with apostrophes, SQL-ish English, nested objects. */
function benignJson(): string {
  const doc = {
    customer: { name: "Jane O'Reilly", email: 'jane@example.com', phone: '+1-555-0100' },
    items: [
      { sku: 'A-100', qty: 2, note: 'select a plan that fits' },
      { sku: 'B-200', qty: 1, note: 'drop by tomorrow' },
    ],
    shipping: { street: '1 Main Street', city: 'Springfield', zip: '12345', country: 'US' },
    comment: 'Please deliver between 9 and 5, ring twice. Thanks!',
    tags: ['gift', 'priority', 'fragile'],
    coupon: 'SPRING-2026',
    total: 123.45,
    currency: 'USD',
    metadata: { source: 'web', campaign: 'newsletter', ref: 'abc123' },
    padding: '',
  };
  const base = JSON.stringify(doc).length;
  doc.padding = 'lorem ipsum dolor sit amet '.repeat(40).slice(0, Math.max(0, 1024 - base));
  return JSON.stringify(doc);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { duration: { type: 'string', default: '5' }, connections: { type: 'string', default: '1,16' }, re2: { type: 'string', default: 'true' } },
  });
  const seconds = Number(values.duration);
  const connections = values.connections.split(',').map(Number);
  const load = await buildWaf({ command: 'load' });
  const work = mkdtempSync(join(tmpdir(), 'mgw-waf-bench-'));
  const bodyFile = join(work, 'body.json');
  const body = benignJson();
  writeFileSync(bodyFile, body);

  const loadBefore = loadavg();
  const upstream = await startUpstream({ record: false });
  const t0 = Date.now();
  const waf = await startWaf({ re2: values.re2 === 'true', workDir: join(work, 'waf') });
  const wafReadyMs = Date.now() - t0;
  const listenerPort = await freePort();
  // The baseline keeps Go's default GC too: it is CRS as documented, run as a stock Go program.
  const vanilla = await startWaf({ vanilla: true, name: 'waf-vanilla', workDir: join(work, 'vanilla'), env: { GOGC: '100', GOMEMLIMIT: 'off' } });
  const routes = [
    { prefix: '/nowaf/', route: 'bench/nowaf', policy: undefined },
    { prefix: '/waf/', route: 'bench/waf', policy: 'default' },
    { prefix: '/vanilla/', route: 'bench/vanilla', policy: 'default', vanilla: true },
  ];
  const t1 = Date.now();
  const envoy = await startEnvoy({ name: 'envoy-waf-bench', workDir: join(work, 'envoy'), bootstrap: wafEnvoyBootstrap({ listenerPort, upstreamPort: upstream.port, waf, vanilla, routes }) });
  const envoyReadyMs = Date.now() - t1;
  const { host, port } = envoy.address(listenerPort);

  const run = async (path: string, post: boolean, c: number): Promise<LoadResult> => {
    const args = ['-url', `http://${host}:${port}${path}`, '-c', String(c), '-d', `${seconds}s`, '-warmup', '1s'];
    if (post) args.push('-method', 'POST', '-body-file', bodyFile, '-header', 'content-type: application/json');
    args.push('-header', 'user-agent: Mozilla/5.0 (X11; Linux x86_64) mgw-bench', '-header', 'accept: */*');
    const { stdout } = await execFileAsync(load, args, { timeout: (seconds + 30) * 1000 });
    return JSON.parse(stdout) as LoadResult;
  };
  /** A run through one WAF, with that WAF's CPU time per request. */
  const runThrough = async (w: WafHandle, path: string, post: boolean, c: number): Promise<LoadResult & { cpuMs: number }> => {
    const before = w.cpuMs();
    const r = await run(path, post, c);
    return { ...r, cpuMs: (w.cpuMs() - before) / r.sent };
  };

  const rows: string[][] = [];
  let rssPeak = waf.rssMiB();
  let vanillaRssPeak = vanilla.rssMiB();
  try {
    for (const [name, post, path] of [
      ['GET', false, '/products/42?sort=price&page=2'],
      [`POST ${body.length} B JSON`, true, '/api/orders'],
    ] as const) {
      for (const c of connections) {
        const plain = await run(`/nowaf${path}`, post, c);
        const stock = await runThrough(vanilla, `/vanilla${path}`, post, c);
        vanillaRssPeak = Math.max(vanillaRssPeak, vanilla.rssMiB());
        const tuned = await runThrough(waf, `/waf${path}`, post, c);
        rssPeak = Math.max(rssPeak, waf.rssMiB());
        const bad = (r: LoadResult): string => (r.errors + r.unexpectedStatus > 0 ? ` (${r.errors} errors, ${r.unexpectedStatus} not 200)` : '');
        const lat = (r: LoadResult): string => `${r.p50us} / ${r.p99us}`;
        rows.push([
          name,
          String(c),
          `${plain.rps.toFixed(0)}${bad(plain)}`,
          `${stock.rps.toFixed(0)}${bad(stock)}`,
          `${tuned.rps.toFixed(0)}${bad(tuned)}`,
          lat(plain),
          lat(stock),
          lat(tuned),
          `${stock.p99us - plain.p99us} / ${tuned.p99us - plain.p99us}`,
          `${stock.cpuMs.toFixed(2)} / ${tuned.cpuMs.toFixed(2)}`,
        ]);
      }
    }
  } finally {
    await envoy.stop();
    await waf.stop();
    await vanilla.stop();
    await upstream.close();
    rmSync(work, { recursive: true, force: true });
  }

  const header = ['request', 'conns', 'req/s none', 'req/s vanilla', 'req/s mgw', 'p50/p99 µs none', 'p50/p99 µs vanilla', 'p50/p99 µs mgw', 'p99 added µs van/mgw', 'WAF CPU ms/req van/mgw'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(`\nWAF benchmark: none = no WAF on the route; vanilla = stock CRS 4.25 (mgw-waf --vanilla); mgw = Standard policy (PL1), RE2 ${values.re2}. ${seconds} s per cell after 1 s warm-up`);
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  console.log(`\nstart-up: mgw-waf ready ${waf.startupMs} ms after spawn (${wafReadyMs} ms in the harness); Envoy ready ${envoyReadyMs} ms after spawn; Engine (mgw-waf + Envoy, in sequence) ≈ ${wafReadyMs + envoyReadyMs} ms`);
  console.log(`RSS: mgw-waf peak seen ${rssPeak.toFixed(0)} MiB; vanilla ${vanillaRssPeak.toFixed(0)} MiB`);
  console.log(`load average before/after: ${loadBefore.map((l) => l.toFixed(2)).join(' ')} / ${loadavg().map((l) => l.toFixed(2)).join(' ')} (2 cores)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
