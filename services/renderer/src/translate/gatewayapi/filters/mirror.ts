import { RouteReason } from '@microgateway/contracts';
import { resolveBackend } from '../backends.js';
import type { FilterHandler } from './types.js';

/**
 * RequestMirror (Gateway API spec, HTTPRequestMirrorFilter): send a copy of each request (or of
 * `percent`/`fraction` of them) to another backend and ignore its response. An unresolvable mirror
 * backend sets ResolvedRefs=False and is left out; the rule itself still serves.
 */

const MILLION = 1_000_000;

function perMillion(percent: number | undefined, fraction: { numerator: number; denominator?: number | undefined } | undefined): number | string {
  if (fraction !== undefined) {
    const denominator = fraction.denominator ?? 100;
    if (denominator <= 0 || fraction.numerator < 0 || fraction.numerator > denominator) return 'fraction must satisfy 0 <= numerator <= denominator, denominator > 0';
    return Math.round((fraction.numerator * MILLION) / denominator);
  }
  return Math.round(((percent ?? 100) * MILLION) / 100);
}

export const requestMirror: FilterHandler = (filter, build) => {
  const spec = filter.requestMirror;
  if (spec === undefined) return { reason: RouteReason.UnsupportedValue, message: 'filter RequestMirror has no configuration' };
  if (spec.percent !== undefined && spec.fraction !== undefined) return { reason: RouteReason.UnsupportedValue, message: 'RequestMirror sets both percent and fraction' };
  const share = perMillion(spec.percent, spec.fraction);
  if (typeof share === 'string') return { reason: RouteReason.UnsupportedValue, message: `RequestMirror ${share}` };
  const resolved = resolveBackend(build.index, build.route, spec.backendRef);
  if (!resolved.ok) {
    build.unresolved.push({ reason: resolved.problem.reason, message: `mirror: ${resolved.problem.message}` });
    return undefined;
  }
  build.clusters.push(resolved.cluster);
  build.mirrors.push({ cluster: resolved.cluster.name, perMillion: share });
  return undefined;
};
