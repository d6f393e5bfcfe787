// The Grafana dashboard of deploy/components/monitoring and the metrics its queries select.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../toolchain/paths.js';
import { metricNamesOf, metricOfLabelValues } from './promql.js';

export const MONITORING_DIR = join(repoRoot(), 'deploy', 'components', 'monitoring');

interface Panel {
  title?: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}

interface Dashboard {
  panels: Panel[];
  templating: { list: { name: string; query?: string | { query?: string } }[] };
}

export interface DashboardQuery {
  /** `panel "<title>"` or `variable $<name>`. */
  where: string;
  expr: string;
  metrics: string[];
}

function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

export function readDashboard(): Dashboard {
  return JSON.parse(readFileSync(join(MONITORING_DIR, 'dashboards', 'microgateway.json'), 'utf8')) as Dashboard;
}

/** Every query of the dashboard (panel targets and variables), with the metrics it selects. */
export function dashboardQueries(dashboard: Dashboard = readDashboard()): DashboardQuery[] {
  const queries: DashboardQuery[] = [];
  for (const panel of allPanels(dashboard.panels)) {
    for (const target of panel.targets ?? []) {
      const expr = target.expr ?? '';
      queries.push({ where: `panel "${panel.title}"`, expr, metrics: metricNamesOf(expr) });
    }
  }
  for (const variable of dashboard.templating.list) {
    const expr = typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
    const metric = metricOfLabelValues(expr);
    if (metric) queries.push({ where: `variable $${variable.name}`, expr, metrics: [metric] });
  }
  return queries;
}

/** Every metric the dashboard selects, with where. */
export function dashboardMetrics(): { metric: string; where: string }[] {
  return dashboardQueries().flatMap((q) => q.metrics.map((metric) => ({ metric, where: q.where })));
}
