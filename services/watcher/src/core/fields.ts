// Defensive readers for objects whose contract may not hold: the world is selected from what
// the API server holds, valid or not, so that an invalid object is reported rather than dropped.
import type { JsonObject } from './objects.js';

export function record(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

export function records(value: unknown): JsonObject[] {
  return Array.isArray(value) ? value.map(record).filter((item): item is JsonObject => item !== undefined) : [];
}

export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `object.a.b.c`, undefined as soon as a step is not an object. */
export function at(object: unknown, ...path: string[]): unknown {
  let node: unknown = object;
  for (const step of path) {
    const current = record(node);
    if (current === undefined) return undefined;
    node = current[step];
  }
  return node;
}

/** A reference's group; absent means the default the field documents. */
export function groupOf(ref: JsonObject, fallback: string): string {
  const group = ref['group'];
  return typeof group === 'string' ? group : fallback;
}

export function kindOf(ref: JsonObject, fallback: string): string {
  return text(ref['kind']) ?? fallback;
}

/** `<namespace>/<name>`: how the world identifies namespaced objects of one kind. */
export function nsName(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}
