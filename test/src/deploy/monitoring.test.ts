// deploy/components/monitoring: the dashboard queries only metrics that exist (registered by one of
// our services, read statically from their sources, or Envoy's own envoy_* stats), and the
// PodMonitors select the Pods and ports that really serve /metrics (an Engine rendered by the
// deployer's own render code).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENGINE_METRICS_PATH, ENGINE_METRICS_PORT, gatewayInfraSchema } from '@microgateway/contracts';
import { renderEngine, renderSettingsSchema } from '@microgateway/deployer/render';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { repoRoot } from '../toolchain/paths.js';
import { SERVICES } from './manifests.js';
import { dashboardMetrics, dashboardQueries, MONITORING_DIR } from './dashboard.js';
import { metricNamesOf } from './promql.js';
import { metricNamesIn, registeredMetricNames } from './registered-metrics.js';

const componentDir = MONITORING_DIR;

interface PodMonitor {
  metadata: { name: string; namespace: string };
  spec: {
    namespaceSelector: { any?: boolean; matchNames?: string[] };
    selector: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values: string[] }[] };
    podMetricsEndpoints: { port: string; path: string }[];
  };
}

const podMonitors = parseAllDocuments(readFileSync(join(componentDir, 'podmonitors.yaml'), 'utf8')).map((d) => d.toJS() as PodMonitor & { kind: string; apiVersion: string });

function selects(monitor: PodMonitor, labels: Record<string, string>): boolean {
  const { matchLabels = {}, matchExpressions = [] } = monitor.spec.selector;
  const byLabel = Object.entries(matchLabels).every(([k, v]) => labels[k] === v);
  const byExpression = matchExpressions.every((e) => e.operator === 'In' && e.values.includes(labels[e.key] ?? '\0'));
  return byLabel && byExpression;
}

describe('the dashboard', () => {
  const registered = registeredMetricNames();

  it('reads metric names from our sources (the reader is not vacuous)', () => {
    for (const name of ['mgw_watcher_leader', 'mgw_renderer_render_duration_seconds_bucket', 'mgw_deployer_deploys_total', 'mgw_certificates_issued_total', 'mgw_service_info', 'mgw_nats_connected', 'mgw_process_cpu_seconds_total']) {
      expect(registered, name).toContain(name);
    }
    expect(metricNamesIn("metrics.counter('x_total', 'help'); new Histogram({ name: `${METRIC_PREFIX}y_seconds`, help: '' })")).toEqual([
      'mgw_x_total', 'mgw_y_seconds_bucket', 'mgw_y_seconds_sum', 'mgw_y_seconds_count',
    ]);
  });

  it('extracts metric names from PromQL', () => {
    expect(metricNamesOf('histogram_quantile(0.99, sum by (le, pod) (rate(a_bucket{x="y", z=~"$v"}[$__rate_interval]))) / on (pod) b + sum(c offset 5m)')).toEqual(['a_bucket', 'b', 'c']);
    // A misspelt function is reported like an unknown metric.
    expect(metricNamesOf('ratex(d[5m])')).toEqual(['ratex', 'd']);
  });

  it('selects at least one metric in every query', () => {
    expect(dashboardQueries().filter((q) => q.metrics.length === 0)).toEqual([]);
  });

  it('uses only metrics a service registers or Envoy exports', () => {
    const unknown = dashboardMetrics().filter(({ metric }) => !metric.startsWith('envoy_') && !registered.has(metric));
    expect(unknown).toEqual([]);
  });

  it('has panels for every service and for the Engines', () => {
    const metrics = new Set(dashboardMetrics().map((m) => m.metric));
    for (const prefix of ['mgw_watcher_', 'mgw_renderer_', 'mgw_deployer_', 'mgw_certificate', 'envoy_http_downstream_rq_xx']) {
      expect([...metrics].some((m) => m.startsWith(prefix)), prefix).toBe(true);
    }
  });

  it('is shipped in a ConfigMap that Grafana sidecars pick up', () => {
    const kustomization = parse(readFileSync(join(componentDir, 'kustomization.yaml'), 'utf8')) as {
      kind: string;
      configMapGenerator: { files: string[]; options: { labels: Record<string, string> } }[];
    };
    expect(kustomization.kind).toBe('Component');
    const generator = kustomization.configMapGenerator[0];
    expect(generator?.options.labels.grafana_dashboard).toBe('1');
    expect(generator?.files).toContain('microgateway.json=dashboards/microgateway.json');
  });
});

describe('the PodMonitors', () => {
  it('are PodMonitors of the Prometheus Operator', () => {
    expect(podMonitors.map((m) => `${m.apiVersion} ${m.kind}`)).toEqual(Array(podMonitors.length).fill('monitoring.coreos.com/v1 PodMonitor'));
  });

  it('scrape the four services on their `http` port', () => {
    for (const service of SERVICES) {
      const labels = { 'app.kubernetes.io/name': 'microgateway', 'app.kubernetes.io/component': service, 'microgateway.dev/instance': 'default' };
      const monitors = podMonitors.filter((m) => selects(m, labels));
      expect(monitors.map((m) => m.metadata.name), service).toEqual(['microgateway-default-control-plane']);
      expect(monitors[0]?.spec.podMetricsEndpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
    }
  });

  it('scrape an Engine as the deployer renders it, in any namespace, on its metrics port', () => {
    const testCase = parse(readFileSync(join(repoRoot(), 'services/deployer/src/render/testdata/minimal-clusterip.in.yaml'), 'utf8')) as { infra: unknown; settings: unknown };
    const { deployment } = renderEngine(gatewayInfraSchema.parse(testCase.infra), renderSettingsSchema.parse(testCase.settings));
    const pod = deployment.spec.template;
    const monitors = podMonitors.filter((m) => selects(m, pod.metadata.labels));
    expect(monitors.map((m) => m.metadata.name)).toEqual(['microgateway-default-engines']);
    const monitor = monitors[0] as PodMonitor;
    expect(monitor.spec.namespaceSelector.any).toBe(true);
    const [endpoint] = monitor.spec.podMetricsEndpoints;
    expect(endpoint?.path).toBe(ENGINE_METRICS_PATH);
    const ports = pod.spec.containers.flatMap((c) => c.ports ?? []);
    expect(ports.find((p) => p.name === endpoint?.port)?.containerPort).toBe(ENGINE_METRICS_PORT);
  });
});
