/**
 * Canonical JSON: object keys sorted (by UTF-16 code units), no whitespace, `undefined` members
 * dropped. Equal data always gives the same string, so callers can hash it for digests.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Deep copy of `value` with every object's keys sorted and `undefined` members dropped. */
export function sortKeys(value: unknown, path = '$'): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${path}: ${value} is not representable in JSON`);
    return value;
  }
  if (Array.isArray(value)) return value.map((item, index) => sortKeys(item, `${path}[${index}]`));
  if (isPlainObject(value)) {
    const out: { [key: string]: JsonValue } = {};
    for (const key of Object.keys(value).sort()) {
      const member = value[key];
      if (member !== undefined) out[key] = sortKeys(member, `${path}.${key}`);
    }
    return out;
  }
  throw new Error(`${path}: ${typeof value} is not plain JSON data`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The canonical JSON string of `value`; throws on anything that is not plain JSON data. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}
