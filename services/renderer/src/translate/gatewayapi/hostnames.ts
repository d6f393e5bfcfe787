/**
 * Hostname matching between a Gateway listener and an HTTPRoute (Gateway API spec,
 * HTTPRoute `spec.hostnames` and Listener `hostname`):
 *
 * - a hostname is either precise (`foo.example.com`) or a wildcard with a single leading `*.` label
 *   (`*.example.com`), which matches one or more DNS labels in its place, never the bare suffix;
 * - a listener without a hostname matches every route hostname; a route without hostnames takes the
 *   listener's hostname (or matches everything when the listener has none);
 * - the hostnames a route is served on are the intersection: the more specific of each matching pair.
 *
 * Comparison is case-insensitive (DNS); results are lower-case.
 */

/** `*` stands for "any host" (no hostname on either side). */
export const ANY_HOST = '*';

function isWildcard(hostname: string): boolean {
  return hostname.startsWith('*.');
}

/** Whether `hostname` (precise or wildcard) falls inside the wildcard `pattern` (`*.suffix`). */
function coveredByWildcard(hostname: string, pattern: string): boolean {
  const suffix = pattern.slice(1); // ".example.com"
  const subject = isWildcard(hostname) ? hostname.slice(1) : hostname;
  // `*.example.com` does not cover `example.com` itself, and covers `*.a.example.com` and `a.example.com`.
  return subject.endsWith(suffix) && subject.length > suffix.length;
}

/**
 * The hostname both `a` and `b` match, or undefined when they share none. With two wildcards the
 * narrower one is the intersection (`*.example.com` ∩ `*.a.example.com` = `*.a.example.com`).
 */
export function intersectHostname(a: string, b: string): string | undefined {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x === y) return x;
  if (isWildcard(y) && coveredByWildcard(x, y)) return x;
  if (isWildcard(x) && coveredByWildcard(y, x)) return y;
  return undefined;
}

/**
 * The hostnames a route serves on a listener: `listenerHostname` undefined means any host; an
 * empty `routeHostnames` means the route matches any host the listener accepts. Returns `[]` when
 * nothing intersects (the route is then not accepted for that listener: NoMatchingListenerHostname).
 */
export function routeHostnamesOnListener(listenerHostname: string | undefined, routeHostnames: readonly string[]): string[] {
  if (routeHostnames.length === 0) return [listenerHostname?.toLowerCase() ?? ANY_HOST];
  if (listenerHostname === undefined) return unique(routeHostnames.map((h) => h.toLowerCase()));
  const out: string[] = [];
  for (const hostname of routeHostnames) {
    const common = intersectHostname(listenerHostname, hostname);
    if (common !== undefined) out.push(common);
  }
  return unique(out);
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

/** Gateway API hostname syntax: an RFC 1123 subdomain, optionally prefixed by a single `*.` label; no IPs. */
export function validHostname(hostname: string): boolean {
  const name = isWildcard(hostname) ? hostname.slice(2) : hostname;
  if (hostname.length > 253 || /^[0-9.]+$/.test(name)) return false;
  return /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/i.test(name);
}
