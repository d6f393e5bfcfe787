// The Prometheus metric names our services register, read statically from their sources (no
// service is started): `metrics.counter('x')`/`metrics.gauge('x')` (the runtime adds `mgw_`),
// `new Histogram({ name: ... })` and the like, and prom-client's default process metrics, which
// libs/runtime collects with the same prefix.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { repoRoot } from '../toolchain/paths.js';

const PREFIX = 'mgw_';
const HELPER_CALL = /\.(?:counter|gauge)(?:<[^>]*>)?\(\s*'([a-z_:][a-z0-9_:]*)'/g;
const CONSTRUCTED = /new (Counter|Gauge|Histogram|Summary)\b(?:<[^>]*>)?\(\{\s*name:\s*(?:'([^']+)'|`([^`]+)`)/g;
const PROM_CLIENT_NAME = /const [A-Z0-9_]+ = '([a-z_:][a-z0-9_:]*)'/g;
const DEFAULTS_WITH_PREFIX = /collectDefaultMetrics\(\{[^}]*prefix:\s*METRIC_PREFIX/;

/** Histograms and summaries are exposed under suffixed names. */
function exposedNames(type: string, name: string): string[] {
  if (type === 'Histogram') return [`${name}_bucket`, `${name}_sum`, `${name}_count`];
  if (type === 'Summary') return [name, `${name}_sum`, `${name}_count`];
  return [name];
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (entry.endsWith('.ts') && !entry.endsWith('.test.ts') && !entry.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Names registered in one source file. */
export function metricNamesIn(source: string): string[] {
  const names: string[] = [];
  for (const match of source.matchAll(HELPER_CALL)) names.push(`${PREFIX}${match[1]}`);
  for (const match of source.matchAll(CONSTRUCTED)) {
    const raw = (match[2] ?? match[3] ?? '').replace('${METRIC_PREFIX}', PREFIX);
    // The runtime's own helpers build `${METRIC_PREFIX}${name}`: their names are the helper calls above.
    if (raw.includes('${')) continue;
    names.push(...exposedNames(match[1] ?? '', raw));
  }
  return names;
}

/** prom-client's default metrics (process_*, nodejs_*), as libs/runtime registers them. */
function defaultMetricNames(): string[] {
  const registry = readFileSync(join(repoRoot(), 'libs/runtime/src/metrics/registry.ts'), 'utf8');
  if (!DEFAULTS_WITH_PREFIX.test(registry)) throw new Error('libs/runtime no longer collects the default metrics with METRIC_PREFIX: update this reader');
  const require = createRequire(join(repoRoot(), 'libs/runtime/package.json'));
  const dir = join(dirname(require.resolve('prom-client')), 'lib', 'metrics');
  const names: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
    for (const match of readFileSync(join(dir, file), 'utf8').matchAll(PROM_CLIENT_NAME)) {
      const name = `${PREFIX}${match[1]}`;
      // The one default histogram: garbage-collection durations.
      names.push(...exposedNames(name.endsWith('_gc_duration_seconds') ? 'Histogram' : 'Gauge', name));
    }
  }
  return names;
}

/** Every metric name a control-plane service can expose. */
export function registeredMetricNames(): Set<string> {
  const root = repoRoot();
  const dirs = [join(root, 'libs/runtime/src'), ...readdirSync(join(root, 'services')).map((s) => join(root, 'services', s, 'src'))];
  const names = new Set(defaultMetricNames());
  for (const dir of dirs) {
    for (const file of sourceFiles(dir)) for (const name of metricNamesIn(readFileSync(file, 'utf8'))) names.add(name);
  }
  return names;
}
