import { describe, expect, it } from 'vitest';
import type { IrMatch, IrRoute } from '@microgateway/contracts';
import { sortByPrecedence } from './precedence.js';

type RouteSpec = Partial<IrMatch> & { path?: IrMatch['path']; route?: string; created?: string; rule?: number; match?: number };

function route(name: string, spec: RouteSpec = {}): IrRoute {
  const [namespace = 'default', routeName = 'r'] = (spec.route ?? 'default/r').split('/');
  return {
    name,
    source: { namespace, name: routeName, creationTimestamp: spec.created ?? '', ruleIndex: spec.rule ?? 0, matchIndex: spec.match ?? 0 },
    match: {
      path: spec.path ?? { type: 'PathPrefix', value: '/' },
      headers: spec.headers ?? [],
      queryParams: spec.queryParams ?? [],
      ...(spec.method === undefined ? {} : { method: spec.method }),
    },
    action: { kind: 'direct', status: 200 },
    mirrors: [],
  };
}

function order(routes: IrRoute[]): string[] {
  return sortByPrecedence(routes).map((r) => r.name);
}

const header = { type: 'Exact', name: 'h', value: 'v' } as const;

describe('route precedence (Gateway API HTTPRouteRule matches)', () => {
  it('puts Exact before RegularExpression before PathPrefix', () => {
    expect(
      order([
        route('prefix', { path: { type: 'PathPrefix', value: '/a/very/long/prefix' } }),
        route('regex', { path: { type: 'RegularExpression', value: '/a.*' } }),
        route('exact', { path: { type: 'Exact', value: '/a' } }),
      ]),
    ).toEqual(['exact', 'regex', 'prefix']);
  });

  it('puts the longest prefix first', () => {
    expect(
      order([
        route('root', { path: { type: 'PathPrefix', value: '/' } }),
        route('api-v1', { path: { type: 'PathPrefix', value: '/api/v1' } }),
        route('api', { path: { type: 'PathPrefix', value: '/api' } }),
      ]),
    ).toEqual(['api-v1', 'api', 'root']);
  });

  it('on equal paths prefers a method, then more headers, then more query params', () => {
    expect(
      order([
        route('plain'),
        route('query', { queryParams: [header, { ...header, name: 'q2' }, { ...header, name: 'q3' }] }),
        route('one-header', { headers: [header] }),
        route('two-headers', { headers: [header, { ...header, name: 'h2' }] }),
        route('method', { method: 'GET' }),
      ]),
    ).toEqual(['method', 'two-headers', 'one-header', 'query', 'plain']);
  });

  it('puts the path before the method: a longer prefix without method wins over a shorter one with', () => {
    expect(
      order([route('method', { method: 'GET', path: { type: 'PathPrefix', value: '/a' } }), route('longer', { path: { type: 'PathPrefix', value: '/ab' } })]),
    ).toEqual(['longer', 'method']);
  });

  it('breaks ties across routes by age, then namespace/name', () => {
    expect(
      order([
        route('b-new', { route: 'default/b', created: '2026-02-01T00:00:00Z' }),
        route('z-old', { route: 'default/z', created: '2025-02-01T00:00:00Z' }),
        route('a-new', { route: 'default/a', created: '2026-02-01T00:00:00Z' }),
        route('other-ns', { route: 'alpha/z', created: '2026-02-01T00:00:00Z' }),
      ]),
    ).toEqual(['z-old', 'other-ns', 'a-new', 'b-new']);
  });

  it('breaks ties within a route by rule order, then match order', () => {
    expect(order([route('r1m0', { rule: 1 }), route('r0m1', { match: 1 }), route('r0m0')])).toEqual(['r0m0', 'r0m1', 'r1m0']);
  });

  it('does not reorder its input', () => {
    const input = [route('b', { path: { type: 'PathPrefix', value: '/' } }), route('a', { path: { type: 'Exact', value: '/' } })];
    sortByPrecedence(input);
    expect(input.map((r) => r.name)).toEqual(['b', 'a']);
  });
});
