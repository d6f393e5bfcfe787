import { describe, expect, it } from 'vitest';
import { parseBackends } from './backend.js';

describe('parseBackends', () => {
  it('reads a comma list, ignoring blanks and repeats', () => {
    expect(parseBackends('process, container')).toEqual(['process', 'container']);
    expect(parseBackends('container,,container')).toEqual(['container']);
  });

  it('means "detect" when empty or absent', () => {
    expect(parseBackends(undefined)).toBeUndefined();
    expect(parseBackends(' , ')).toBeUndefined();
  });

  it('names an unknown backend in its error', () => {
    expect(() => parseBackends('process,docker')).toThrow(/unknown backend\(s\) docker/);
  });
});
