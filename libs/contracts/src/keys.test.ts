import { describe, expect, it } from 'vitest';
import {
  CLUSTER_SCOPE_TOKEN,
  decodeToken,
  encodeToken,
  gatewayKey,
  parseGatewayKey,
  parseInfraKey,
  parseResourceKey,
  parseStatusKey,
  infraKey,
  resourceKey,
  resourceKeyFilter,
  statusKey,
  statusKeyFilter,
} from './keys.js';

/** Deterministic PRNG (mulberry32) so generated cases are the same on every run. */
function prng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = [...'abcxyzABCXYZ0189-_.=/*> ', 'é', '日', '🚀', '%', '+'];
const NATS_KEY = /^[-/_=.a-zA-Z0-9]+$/;
const TOKEN = /^[-_=a-zA-Z0-9]+$/;

function randomStrings(count: number, seed: number): string[] {
  const random = prng(seed);
  return Array.from({ length: count }, () => {
    const length = 1 + Math.floor(random() * 40);
    return Array.from({ length }, () => ALPHABET[Math.floor(random() * ALPHABET.length)]).join('');
  });
}

const dnsSubdomainMax = `${'a'.repeat(62)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}`;
const TRICKY = [
  'a',
  'my.route',
  'a.b.c.d',
  '...',
  '=',
  '==',
  '=3D',
  '=2E',
  '_',
  '-',
  'HTTPRoute',
  'x'.repeat(253),
  '.'.repeat(253),
  dnsSubdomainMax,
  'ünïcode.名前',
  'a b',
  '*',
  '>',
];
const CASES = [...TRICKY, ...randomStrings(500, 42)];

describe('token encoding', () => {
  it('round-trips every generated string and only ever yields key-safe tokens without dots', () => {
    for (const value of CASES) {
      const token = encodeToken(value);
      expect(token, value).toMatch(TOKEN);
      expect(decodeToken(token), value).toBe(value);
    }
  });

  it('is injective: distinct strings never share a token', () => {
    const seen = new Map<string, string>();
    for (const value of new Set(CASES)) {
      const token = encodeToken(value);
      expect(seen.get(token), `${value} collides`).toBeUndefined();
      seen.set(token, value);
    }
  });

  it('leaves DNS names readable and escapes dots and "=" as upper-case hex', () => {
    expect(encodeToken('echo-v1_x')).toBe('echo-v1_x');
    expect(encodeToken('my.route')).toBe('my=2Eroute');
    expect(encodeToken('a=b')).toBe('a=3Db');
    expect(encodeToken('é')).toBe('=C3=A9');
  });

  it('rejects empty strings and every token encodeToken cannot produce', () => {
    expect(() => encodeToken('')).toThrow(/empty/);
    expect(() => encodeToken('a\uD800b')).toThrow(/surrogate/);
    for (const bad of ['', 'a.b', '=', '=2', '=2e', '=41', '=ZZ', 'a/b', '=C3', '=FF', 'a*']) {
      expect(() => decodeToken(bad), bad).toThrow();
    }
  });
});

describe('resource keys', () => {
  const kinds = ['Gateway', 'HTTPRoute', 'ReferenceGrant', 'EndpointSlice', 'X.Y'];

  it('round-trip namespaced and cluster-scoped references over generated names', () => {
    for (const [index, name] of CASES.entries()) {
      const kind = kinds[index % kinds.length] ?? 'Gateway';
      const namespaced = { kind, namespace: index % 2 ? 'default' : 'a'.repeat(63), name };
      const key = resourceKey(namespaced);
      expect(key).toMatch(NATS_KEY);
      expect(key.split('.')).toHaveLength(3);
      expect(parseResourceKey(key)).toEqual(namespaced);
      expect(parseResourceKey(resourceKey({ kind, name }))).toEqual({ kind, name });
    }
  });

  it('writes the documented shape, with "_" for cluster scope', () => {
    expect(resourceKey({ kind: 'HTTPRoute', namespace: 'prod', name: 'api.v1' })).toBe('HTTPRoute.prod.api=2Ev1');
    expect(resourceKey({ kind: 'GatewayClass', name: 'microgateway' })).toBe(`GatewayClass.${CLUSTER_SCOPE_TOKEN}.microgateway`);
    expect(resourceKey({ kind: 'Namespace', namespace: '', name: 'prod' })).toBe('Namespace._.prod');
    expect(() => resourceKey({ kind: 'Gateway', namespace: '_', name: 'gw' })).toThrow(/namespace/);
  });

  it('refuses malformed keys', () => {
    for (const bad of ['', 'Gateway', 'Gateway.ns', 'Gateway.ns.a.b', 'Gateway..gw', 'Gateway.ns.a=2e', '.ns.gw']) {
      expect(() => parseResourceKey(bad), bad).toThrow();
    }
  });

  it('builds watch filters per kind and per namespace', () => {
    expect(resourceKeyFilter('HTTPRoute')).toBe('HTTPRoute.>');
    expect(resourceKeyFilter('HTTPRoute', 'prod')).toBe('HTTPRoute.prod.*');
    expect(resourceKeyFilter('GatewayClass', '')).toBe('GatewayClass._.*');
  });
});

describe('gateway, infra and status keys', () => {
  it('round-trip over generated Gateway names', () => {
    for (const name of CASES) {
      const gateway = { namespace: 'team-a', name };
      expect(parseGatewayKey(gatewayKey(gateway))).toEqual(gateway);
      expect(parseInfraKey(infraKey(gateway))).toEqual(gateway);
      const ref = { kind: 'Gateway', ...gateway };
      expect(parseStatusKey(statusKey(ref, 'renderer'))).toEqual({ ref, reporter: 'renderer' });
    }
  });

  it('keeps one status entry per reporter under the object key', () => {
    const ref = { kind: 'HTTPRoute', namespace: 'prod', name: 'a.b' };
    expect(statusKey(ref, 'deployer')).toBe('HTTPRoute.prod.a=2Eb.deployer');
    expect(statusKeyFilter(ref)).toBe('HTTPRoute.prod.a=2Eb.*');
    expect(parseStatusKey('GatewayClass._.mgw.renderer').ref).toEqual({ kind: 'GatewayClass', name: 'mgw' });
  });

  it('refuses keys with the wrong number of tokens', () => {
    expect(() => parseInfraKey('prod')).toThrow(/expected 2 tokens/);
    expect(() => parseInfraKey('prod.gw.x')).toThrow(/expected 2 tokens/);
    expect(() => parseStatusKey('HTTPRoute.prod.gw')).toThrow(/expected 4 tokens/);
  });
});
