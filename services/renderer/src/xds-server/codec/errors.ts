/**
 * A resource that cannot be encoded exactly as written. `path` names the offending value from the
 * resource's type, e.g. `Listener.filter_chains[0].filters[0].typed_config.bogus_field`, so a
 * rejected render points at the field to fix. Nothing is ever dropped silently: in a WAF a
 * dropped field is a dropped protection.
 */
export class XdsCodecError extends Error {
  readonly path: string;
  readonly reason: string;

  constructor(path: string, reason: string) {
    super(`${path}: ${reason}`);
    this.name = 'XdsCodecError';
    this.path = path;
    this.reason = reason;
  }
}

/** `path.name` */
export function fieldPath(path: string, name: string): string {
  return `${path}.${name}`;
}

/** `path[3]` */
export function indexPath(path: string, index: number): string {
  return `${path}[${index}]`;
}

/** `path["key"]` */
export function keyPath(path: string, key: string): string {
  return `${path}[${JSON.stringify(key)}]`;
}

/** A JSON-ish description of a value for error messages (type and a short excerpt). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return `${typeof value} ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
}
