import { describe, expect, it } from 'vitest';
import { estimateRe2ProgramSize, MAX_RE2_PROGRAM_SIZE, regexProblem } from './regex.js';

/** Program sizes Envoy 1.40 reported for these patterns ("RE2 program size of N"). */
const MEASURED: [string, number][] = [
  ['a'.repeat(120), 124],
  ['[a-z]'.repeat(120), 124],
  ['.'.repeat(120), 244],
  ['(a)'.repeat(120), 364],
  ['a?'.repeat(120), 244],
  ['\\d'.repeat(120), 124],
  ['[^/]'.repeat(120), 244],
  ['(?:a)'.repeat(120), 124],
  ['\\w'.repeat(120), 364],
  ['a{5}'.repeat(30), 154],
  ['a{1,5}'.repeat(30), 274],
  ['/a/[a-z]{1,50}/[0-9]{1,50}', 101],
  ['(/[a-z]+){1,30}', 183],
];

describe('estimateRe2ProgramSize', () => {
  it.each(MEASURED)('never underestimates what Envoy measured for %s', (pattern, measured) => {
    expect(estimateRe2ProgramSize(pattern)).toBeGreaterThanOrEqual(measured);
  });

  it.each(['/users/[0-9]+/profile', '/a/[a-z]{1,20}/b', '^/api/v[0-9]+/.*$', '/(docs|help)/.*'])('accepts the everyday pattern %s', (pattern) => {
    expect(estimateRe2ProgramSize(pattern)).toBeLessThanOrEqual(MAX_RE2_PROGRAM_SIZE);
    expect(regexProblem(pattern)).toBeUndefined();
  });
});

describe('regexProblem', () => {
  it.each([
    ['/(?!admin).*', 'RE2 does not support'],
    ['(a)\\1', 'RE2 does not support'],
    ['(', 'invalid regular expression'],
    ['', 'empty'],
    ['(/[a-z]+){1,30}', 'too complex'],
  ])('rejects %s', (pattern, why) => {
    expect(regexProblem(pattern)).toContain(why);
  });
});
