/**
 * NATS KV keys and subject tokens.
 *
 * NATS allows `[-/_=.a-zA-Z0-9]` in KV keys and uses `.` to separate tokens, while Kubernetes
 * object names may contain dots (DNS-1123 subdomains). Every name therefore goes through ONE
 * reversible token encoding before it becomes part of a key or subject:
 *
 * - `-`, `_`, `a-z`, `A-Z` and `0-9` stand for themselves;
 * - every other character (including `.` and `=` itself) becomes `=XX` per UTF-8 byte, upper-case hex.
 *
 * The encoding is canonical: each string has exactly one encoding, and `decodeToken` rejects
 * anything `encodeToken` would not produce (lower-case hex, escaped safe characters, stray `=`).
 * Encoded tokens never contain `.`, `*`, `>` or `/`, so they are safe in subjects and keys alike.
 */

const SAFE_CHAR = /^[-_a-zA-Z0-9]$/;
const TOKEN_SHAPE = /^(?:[-_a-zA-Z0-9]|=[0-9A-F]{2})+$/;
const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Encodes a non-empty string into a single NATS token (see the module comment for the rules). */
export function encodeToken(value: string): string {
  if (value.length === 0) throw new Error('cannot encode an empty string as a NATS token');
  if (!value.isWellFormed()) throw new Error('cannot encode a string with lone UTF-16 surrogates');
  let out = '';
  for (const char of value) {
    if (SAFE_CHAR.test(char)) {
      out += char;
      continue;
    }
    for (const byte of utf8.encode(char)) out += `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Inverse of {@link encodeToken}; throws on any token `encodeToken` could not have produced. */
export function decodeToken(token: string): string {
  if (!TOKEN_SHAPE.test(token)) throw new Error(`malformed NATS token ${JSON.stringify(token)}`);
  const bytes: number[] = [];
  for (let i = 0; i < token.length; i++) {
    const char = token.charAt(i);
    if (char !== '=') {
      bytes.push(char.charCodeAt(0));
      continue;
    }
    const byte = Number.parseInt(token.slice(i + 1, i + 3), 16);
    if (SAFE_CHAR.test(String.fromCharCode(byte))) {
      throw new Error(`non-canonical NATS token ${JSON.stringify(token)}: ${token.slice(i, i + 3)} must not be escaped`);
    }
    bytes.push(byte);
    i += 2;
  }
  try {
    return strictUtf8.decode(Uint8Array.from(bytes));
  } catch {
    throw new Error(`NATS token ${JSON.stringify(token)} does not decode to UTF-8`);
  }
}

/** A Kubernetes object's identity. `namespace` is absent for cluster-scoped kinds. */
export interface ResourceRef {
  kind: string;
  namespace?: string | undefined;
  name: string;
}

/** A Gateway's identity; Gateways are always namespaced. */
export interface GatewayRef {
  namespace: string;
  name: string;
}

/**
 * The namespace token of cluster-scoped objects (GatewayClass, Namespace). `_` can never be an
 * encoded namespace: namespaces are DNS-1123 labels, which contain no `_`.
 */
export const CLUSTER_SCOPE_TOKEN = '_';

function namespaceToken(namespace: string | undefined): string {
  if (namespace === undefined || namespace === '') return CLUSTER_SCOPE_TOKEN;
  if (namespace === CLUSTER_SCOPE_TOKEN) throw new Error('"_" is not a valid namespace');
  return encodeToken(namespace);
}

function splitKey(key: string, expected: number, what: string): string[] {
  const tokens = key.split('.');
  if (tokens.length !== expected) {
    throw new Error(`malformed ${what} key ${JSON.stringify(key)}: expected ${expected} tokens, got ${tokens.length}`);
  }
  return tokens;
}

function decodeNamespace(token: string): string | undefined {
  return token === CLUSTER_SCOPE_TOKEN ? undefined : decodeToken(token);
}

/** `<kind>.<namespace>.<name>`; the key of an object in the `resources` and `secrets` buckets. */
export function resourceKey(ref: ResourceRef): string {
  return `${encodeToken(ref.kind)}.${namespaceToken(ref.namespace)}.${encodeToken(ref.name)}`;
}

/** Inverse of {@link resourceKey}. Cluster-scoped objects come back without a `namespace`. */
export function parseResourceKey(key: string): ResourceRef {
  const [kind = '', namespace = '', name = ''] = splitKey(key, 3, 'resource');
  const ns = decodeNamespace(namespace);
  const ref: ResourceRef = { kind: decodeToken(kind), name: decodeToken(name) };
  if (ns !== undefined) ref.namespace = ns;
  return ref;
}

/** A KV watch filter for every object of one kind, optionally within one namespace. */
export function resourceKeyFilter(kind: string, namespace?: string): string {
  return namespace === undefined ? `${encodeToken(kind)}.>` : `${encodeToken(kind)}.${namespaceToken(namespace)}.*`;
}

function gatewayPrefix(gateway: GatewayRef): string {
  return `${encodeToken(gateway.namespace)}.${encodeToken(gateway.name)}`;
}

function parseGatewayTokens(namespace: string, name: string): GatewayRef {
  return { namespace: decodeToken(namespace), name: decodeToken(name) };
}

/** `<ns>.<gateway>`: the tokens naming a Gateway in keys and subjects. */
export function gatewayKey(gateway: GatewayRef): string {
  return gatewayPrefix(gateway);
}

/** Inverse of {@link gatewayKey}. */
export function parseGatewayKey(key: string): GatewayRef {
  const [namespace = '', name = ''] = splitKey(key, 2, 'gateway');
  return parseGatewayTokens(namespace, name);
}

/** The key of a Gateway's entry in the `infra` bucket (`<ns>.<gateway>`). */
export const infraKey: (gateway: GatewayRef) => string = gatewayKey;
/** Inverse of {@link infraKey}. */
export const parseInfraKey: (key: string) => GatewayRef = parseGatewayKey;

/**
 * `<kind>.<ns>.<name>.<reporter>` in the `status` bucket: one entry per object and per service
 * that has something to say about its conditions, so reporters never overwrite each other.
 */
export function statusKey(ref: ResourceRef, reporter: string): string {
  return `${resourceKey(ref)}.${encodeToken(reporter)}`;
}

/** Inverse of {@link statusKey}. */
export function parseStatusKey(key: string): { ref: ResourceRef; reporter: string } {
  const tokens = splitKey(key, 4, 'status');
  return { ref: parseResourceKey(tokens.slice(0, 3).join('.')), reporter: decodeToken(tokens[3] ?? '') };
}

/** A KV watch filter for every reporter's facts about one object. */
export function statusKeyFilter(ref: ResourceRef): string {
  return `${resourceKey(ref)}.*`;
}
