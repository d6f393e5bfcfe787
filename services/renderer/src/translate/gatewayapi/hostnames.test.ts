import { describe, expect, it } from 'vitest';
import { ANY_HOST, intersectHostname, routeHostnamesOnListener, validHostname } from './hostnames.js';

describe('intersectHostname', () => {
  it.each([
    ['foo.example.com', 'foo.example.com', 'foo.example.com'],
    ['FOO.example.com', 'foo.EXAMPLE.com', 'foo.example.com'],
    ['*.example.com', 'foo.example.com', 'foo.example.com'],
    ['foo.example.com', '*.example.com', 'foo.example.com'],
    ['*.example.com', 'a.b.example.com', 'a.b.example.com'],
    ['*.example.com', '*.a.example.com', '*.a.example.com'],
    ['*.a.example.com', '*.example.com', '*.a.example.com'],
    ['*.example.com', '*.example.com', '*.example.com'],
  ])('%s ∩ %s = %s', (a, b, want) => {
    expect(intersectHostname(a, b)).toBe(want);
  });

  it.each([
    ['*.example.com', 'example.com'],
    ['foo.example.com', 'bar.example.com'],
    ['*.example.com', 'fooexample.com'],
    ['*.example.com', '*.example.org'],
    ['*.a.example.com', 'b.example.com'],
  ])('%s and %s share no hostname', (a, b) => {
    expect(intersectHostname(a, b)).toBeUndefined();
    expect(intersectHostname(b, a)).toBeUndefined();
  });
});

describe('routeHostnamesOnListener', () => {
  it('serves any host when neither side names one', () => {
    expect(routeHostnamesOnListener(undefined, [])).toEqual([ANY_HOST]);
  });

  it('takes the listener hostname for a route without hostnames', () => {
    expect(routeHostnamesOnListener('*.Example.com', [])).toEqual(['*.example.com']);
  });

  it('keeps every route hostname on a listener without hostname, deduplicated and sorted', () => {
    expect(routeHostnamesOnListener(undefined, ['b.example.com', 'A.example.com', 'a.example.com'])).toEqual(['a.example.com', 'b.example.com']);
  });

  it('keeps only the intersections on a listener with a hostname', () => {
    expect(routeHostnamesOnListener('*.example.com', ['foo.example.com', 'example.com', 'x.org', '*.a.example.com'])).toEqual([
      '*.a.example.com',
      'foo.example.com',
    ]);
  });

  it('returns nothing when no route hostname matches (NoMatchingListenerHostname)', () => {
    expect(routeHostnamesOnListener('foo.example.com', ['bar.example.com'])).toEqual([]);
  });
});

describe('validHostname', () => {
  it.each(['example.com', '*.example.com', 'a-b.c.example', 'localhost'])('accepts %s', (h) => {
    expect(validHostname(h)).toBe(true);
  });

  it.each(['10.0.0.1', '*.*.example.com', 'foo.*.com', '-bad.example.com', 'a..b', ''])('rejects %s', (h) => {
    expect(validHostname(h)).toBe(false);
  });
});
