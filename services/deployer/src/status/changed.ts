import { canonicalJson } from '@microgateway/contracts';
import { parentKey } from './httproute.js';

/**
 * True when writing `desired` would change the object's status, so the deployer writes only then.
 * The comparison is semantic, as the API server sees it: object key order does not matter, an
 * absent field equals an empty list or null, list-maps (conditions by type, listeners by name,
 * route parents by parentRef and controllerName) are unordered, and a parentRef without
 * group/kind equals one with the defaults the API server fills in.
 */
export function statusChanged(existing: unknown, desired: unknown): boolean {
  return canonicalJson(normalize(existing ?? {})) !== canonicalJson(normalize(desired ?? {}));
}

function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return normalizeList(value);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    const normalized = key === 'parentRef' ? normalize(withParentDefaults(member)) : normalize(member);
    if (!isEmpty(normalized)) out[key] = normalized;
  }
  return out;
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (Array.isArray(value) && value.length === 0);
}

function withParentDefaults(ref: unknown): unknown {
  if (typeof ref !== 'object' || ref === null) return ref;
  const r = ref as Record<string, unknown>;
  return { ...r, group: r['group'] ?? 'gateway.networking.k8s.io', kind: r['kind'] ?? 'Gateway' };
}

/** Sorts a list-map by its key; any other list keeps its order (it may mean something). */
function normalizeList(items: unknown[]): unknown[] {
  const key = listMapKey(items);
  if (key === undefined) return items.map(normalize);
  const keyed = items.map((item) => [key(item), normalize(item)] as const);
  return keyed.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, item]) => item);
}

function listMapKey(items: unknown[]): ((item: unknown) => string) | undefined {
  const records = items.filter((i): i is Record<string, unknown> => typeof i === 'object' && i !== null && !Array.isArray(i));
  if (records.length === 0 || records.length !== items.length) return undefined;
  if (records.every((r) => typeof r['type'] === 'string' && 'status' in r && 'reason' in r)) return (i) => String((i as Record<string, unknown>)['type']);
  if (records.every((r) => typeof r['name'] === 'string' && 'conditions' in r)) return (i) => String((i as Record<string, unknown>)['name']);
  if (records.every((r) => typeof r['controllerName'] === 'string' && 'parentRef' in r)) {
    return (i) => {
      const r = i as { controllerName: string; parentRef: Parameters<typeof parentKey>[0] };
      return `${r.controllerName} ${parentKey(r.parentRef)}`;
    };
  }
  return undefined;
}
