// The metric names a PromQL expression selects, without a full parser: strings, label matchers,
// ranges and grouping clauses are removed, then every identifier that is not a known function or
// aggregation call or a keyword is a metric name. A misspelt function therefore shows up as a
// "metric" and fails the check loudly rather than hiding a typo.

const FUNCTIONS = new Set([
  'sum', 'min', 'max', 'avg', 'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values', 'group',
  'rate', 'irate', 'increase', 'delta', 'idelta', 'deriv', 'resets', 'changes', 'histogram_quantile', 'abs', 'clamp_min',
  'clamp_max', 'clamp', 'absent', 'absent_over_time', 'avg_over_time', 'max_over_time', 'min_over_time', 'sum_over_time',
  'count_over_time', 'last_over_time', 'quantile_over_time', 'label_replace', 'label_join', 'vector', 'scalar', 'time',
  'round', 'ceil', 'floor', 'sort', 'sort_desc', 'timestamp',
]);
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

export function metricNamesOf(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    // Numbers and durations (0.99, 1e3, offset 5m).
    .replace(/\b\d[\w.]*/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names: string[] = [];
  for (const match of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*(\s*\()?/g)) {
    const [whole, call] = match;
    const name = whole.replace(/\s*\($/, '');
    if ((call && FUNCTIONS.has(name)) || (!call && KEYWORDS.has(name.toLowerCase()))) continue;
    names.push(name);
  }
  return [...new Set(names)];
}

/** The metric of a Grafana `label_values(metric{...}, label)` variable query. */
export function metricOfLabelValues(query: string): string | undefined {
  return /label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(query)?.[1];
}
