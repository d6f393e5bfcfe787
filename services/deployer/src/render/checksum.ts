import { createHash } from 'node:crypto';
import type { StringMap } from './objects.js';

/**
 * The sha256 (hex) of a ConfigMap's data. It goes on the Pod template, so the Deployment rolls
 * exactly when the bootstrap changes: Envoy reads its bootstrap only at start. (node:crypto is
 * computation, not I/O; the pure-core lint rule allows it.) Keys are sorted and every key and
 * value is length-prefixed, so no two different maps hash the same text.
 */
export function bootstrapChecksum(data: StringMap): string {
  const hash = createHash('sha256');
  for (const key of Object.keys(data).sort()) {
    const value = data[key] ?? '';
    hash.update(`${key.length}:${key}${value.length}:${value}`);
  }
  return hash.digest('hex');
}
