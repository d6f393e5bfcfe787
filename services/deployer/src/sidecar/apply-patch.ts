import type { JsonPatchOperation } from './inject.js';

/**
 * Applies `add` operations (RFC 6902) to a copy of `document`: what the API server does with the
 * webhook's patch. Used by the golden tests to show the Pod as it will be created.
 */
export function applyAddPatch<T>(document: T, patch: readonly JsonPatchOperation[]): T {
  const copy = structuredClone(document) as unknown;
  for (const operation of patch) {
    const keys = operation.path.split('/').slice(1).map((key) => key.replaceAll('~1', '/').replaceAll('~0', '~'));
    const last = keys.pop();
    if (last === undefined) throw new Error(`cannot replace the whole document (${operation.path})`);
    let node = copy as Record<string, unknown> | unknown[];
    for (const key of keys) {
      const next = Array.isArray(node) ? node[Number(key)] : node[key];
      if (typeof next !== 'object' || next === null) throw new Error(`${operation.path}: ${key} does not exist`);
      node = next as Record<string, unknown> | unknown[];
    }
    if (Array.isArray(node)) {
      if (last === '-') node.push(operation.value);
      else node.splice(Number(last), 0, operation.value);
    } else {
      if (last in node) throw new Error(`${operation.path}: add would replace an existing member`);
      node[last] = operation.value;
    }
  }
  return copy as T;
}
