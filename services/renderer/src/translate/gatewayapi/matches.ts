import type { HttpRouteMatch, IrMatch, IrPathMatchType, IrValueMatch, IrValueMatchType } from '@microgateway/contracts';
import { HeaderMatchType, PathMatchType } from '@microgateway/contracts';
import { regexProblem } from './regex.js';

/**
 * HTTPRoute matches (Gateway API spec, HTTPRouteMatch): path (Exact, PathPrefix,
 * RegularExpression; default PathPrefix `/`), headers and query parameters (Exact,
 * RegularExpression), method. Within a match every condition must hold (AND); a rule's matches
 * are alternatives (OR). A rule without matches matches every request.
 */

export const DEFAULT_MATCH: HttpRouteMatch = { path: { type: PathMatchType.PathPrefix, value: '/' } };

/** RFC 9110 field-name token: anything else would make Envoy reject the whole configuration. */
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

type Converted<T> = { ok: true; value: T } | { ok: false; message: string };

function convertPath(path: HttpRouteMatch['path']): Converted<IrMatch['path']> {
  const type = path?.type ?? PathMatchType.PathPrefix;
  const value = path?.value ?? '/';
  if (type !== PathMatchType.Exact && type !== PathMatchType.PathPrefix && type !== PathMatchType.RegularExpression) {
    return { ok: false, message: `path match type ${type} is not supported` };
  }
  if (type === PathMatchType.RegularExpression) {
    const problem = regexProblem(value);
    return problem === undefined ? { ok: true, value: { type, value } } : { ok: false, message: problem };
  }
  if (!value.startsWith('/') || /[?#]/.test(value) || value.includes('//')) {
    return { ok: false, message: `path ${JSON.stringify(value)} must start with "/" and contain no "?", "#" or "//"` };
  }
  return { ok: true, value: { type: type as IrPathMatchType, value: normalizePrefix(type, value) } };
}

/** PathPrefix `/foo/` matches like `/foo` (spec: a trailing slash is ignored); `/` stays `/`. */
function normalizePrefix(type: string, value: string): string {
  if (type !== PathMatchType.PathPrefix || value === '/') return value;
  return value.replace(/\/+$/, '');
}

/**
 * Header and query matches. Header names are case-insensitive and query names case-sensitive; when
 * a name repeats, only the first entry counts (spec: "the first entry with an equivalent name MUST
 * be considered for a match").
 */
function convertValueMatches(
  entries: HttpRouteMatch['headers'],
  what: 'header' | 'query parameter',
  foldCase: boolean,
): Converted<IrValueMatch[]> {
  const seen = new Set<string>();
  const out: IrValueMatch[] = [];
  for (const entry of entries ?? []) {
    if (what === 'header' && !HEADER_NAME.test(entry.name)) return { ok: false, message: `header name ${JSON.stringify(entry.name)} is not a valid HTTP field name` };
    const name = foldCase ? entry.name.toLowerCase() : entry.name;
    if (seen.has(name)) continue;
    seen.add(name);
    const type = entry.type ?? HeaderMatchType.Exact;
    if (type !== HeaderMatchType.Exact && type !== HeaderMatchType.RegularExpression) {
      return { ok: false, message: `${what} match type ${type} is not supported` };
    }
    if (type === HeaderMatchType.RegularExpression) {
      const problem = regexProblem(entry.value);
      if (problem !== undefined) return { ok: false, message: `${what} ${entry.name}: ${problem}` };
    }
    out.push({ type: type as IrValueMatchType, name, value: entry.value });
  }
  return { ok: true, value: out };
}

/** One HTTPRouteMatch in IR form, or why it cannot be served. */
export function convertMatch(match: HttpRouteMatch): Converted<IrMatch> {
  const path = convertPath(match.path);
  if (!path.ok) return path;
  const headers = convertValueMatches(match.headers, 'header', true);
  if (!headers.ok) return headers;
  const queryParams = convertValueMatches(match.queryParams, 'query parameter', false);
  if (!queryParams.ok) return queryParams;
  if (match.method !== undefined && !METHODS.has(match.method)) {
    return { ok: false, message: `method ${match.method} is not supported` };
  }
  const ir: IrMatch = { path: path.value, headers: headers.value, queryParams: queryParams.value };
  if (match.method !== undefined) ir.method = match.method;
  return { ok: true, value: ir };
}
