import { canonicalJson } from '@microgateway/contracts';
import { record } from './fields.js';
import type { JsonObject } from './objects.js';

/** Bookkeeping that changes with every write and says nothing about what the object asks for. */
const IGNORED_METADATA = new Set(['resourceVersion', 'generation', 'managedFields']);
/** Fields compared one level deeper, so an event names `spec.listeners` rather than just `spec`. */
const NESTED = new Set(['metadata', 'spec']);

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return canonicalJson(a) === canonicalJson(b);
}

function changedMembers(prefix: string, before: JsonObject, after: JsonObject, ignored: ReadonlySet<string>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys]
    .filter((key) => !ignored.has(key) && !same(before[key], after[key]))
    .map((key) => (prefix === '' ? key : `${prefix}.${key}`));
}

/**
 * The paths that differ between two versions of a normalized object, e.g.
 * `['metadata.labels', 'spec.rules']`: top-level fields, and the members of `metadata` and `spec`.
 * Empty when nothing but bookkeeping (resourceVersion, generation) changed.
 */
export function changedFields(before: JsonObject, after: JsonObject): string[] {
  const fields: string[] = [];
  for (const key of changedMembers('', before, after, new Set())) {
    const left = record(before[key]);
    const right = record(after[key]);
    if (NESTED.has(key) && left && right) {
      fields.push(...changedMembers(key, left, right, key === 'metadata' ? IGNORED_METADATA : new Set()));
    } else {
      fields.push(key);
    }
  }
  return fields.sort();
}
