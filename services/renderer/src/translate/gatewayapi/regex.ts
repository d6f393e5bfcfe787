/**
 * Envoy evaluates regular expressions with RE2, which rejects constructs JavaScript accepts
 * (look-around, back-references), and refuses a whole configuration when one pattern compiles to
 * an RE2 program larger than `re2.max_program_size.error_level` (100 by default). A pattern Envoy
 * rejects would take every route of the Gateway down, so patterns are checked here and a bad one
 * only invalidates its own rule.
 */

/** Envoy's default `re2.max_program_size.error_level`. */
export const MAX_RE2_PROGRAM_SIZE = 100;

const RE2_UNSUPPORTED = /\(\?[=!]|\(\?<[=!]|\\[1-9]|\\k<|\(\?>|[*+?}]\+/;

/**
 * Instruction counts of single atoms, measured with Envoy 1.40 (`regex ... RE2 program size of N`):
 * a literal or a simple class costs 1, `.` and negated classes 2, `\w`/`\s` and their negations 3.
 */
const ESCAPE_COST: Record<string, number> = { d: 1, D: 2, w: 3, W: 3, s: 3, S: 3, p: 50, P: 50 };

interface Scan {
  pattern: string;
  at: number;
}

function classCost(scan: Scan): number {
  const start = scan.at;
  scan.at += 1; // '['
  if (scan.pattern[scan.at] === ']') scan.at += 1;
  while (scan.at < scan.pattern.length && scan.pattern[scan.at] !== ']') scan.at += scan.pattern[scan.at] === '\\' ? 2 : 1;
  scan.at += 1;
  const body = scan.pattern.slice(start + 1, scan.at - 1);
  if (/\\p/i.test(body)) return ESCAPE_COST['p'] ?? 50;
  return body.startsWith('^') || /\\[DWSws]/.test(body) ? 3 : 1;
}

/** Cost of `atom` under the quantifier at the scan position (if any); consumes the quantifier. */
function quantified(scan: Scan, atom: number): number {
  const rest = scan.pattern.slice(scan.at);
  const counted = /^\{(\d+)(,(\d*))?\}/.exec(rest);
  if (counted) {
    scan.at += counted[0].length;
    const min = Number(counted[1]);
    const max = counted[2] === undefined ? min : counted[3] === '' ? min + 1 : Number(counted[3]);
    return atom * min + (atom + 1) * Math.max(0, max - min) + 1;
  }
  if (rest[0] === '*' || rest[0] === '+' || rest[0] === '?') {
    scan.at += rest[1] === '?' ? 2 : 1; // lazy quantifiers cost the same
    return atom + 1;
  }
  return atom;
}

function atomCost(scan: Scan): number {
  const char = scan.pattern[scan.at];
  if (char === '[') return classCost(scan);
  if (char === '\\') {
    const escaped = scan.pattern[scan.at + 1] ?? '';
    scan.at += 2;
    return ESCAPE_COST[escaped] ?? 1;
  }
  if (char === '(') return groupCost(scan);
  scan.at += 1;
  return char === '.' ? 2 : 1;
}

function groupCost(scan: Scan): number {
  const capture = !scan.pattern.startsWith('(?', scan.at);
  scan.at += capture ? 1 : scan.pattern.indexOf(':', scan.at) - scan.at + 1 || 2;
  const inner = sequenceCost(scan);
  scan.at += 1; // ')'
  return inner + (capture ? 2 : 0);
}

function sequenceCost(scan: Scan): number {
  let total = 0;
  while (scan.at < scan.pattern.length && scan.pattern[scan.at] !== ')') {
    if (scan.pattern[scan.at] === '|') {
      scan.at += 1;
      total += 1;
      continue;
    }
    if (scan.pattern[scan.at] === '^' || scan.pattern[scan.at] === '$') {
      scan.at += 1;
      continue;
    }
    total += quantified(scan, atomCost(scan));
  }
  return total;
}

/**
 * An upper estimate of the RE2 program size of `pattern` (RE2 simplifies some patterns below it).
 * Case-insensitive patterns are counted twice over: each literal becomes a two-letter class.
 */
export function estimateRe2ProgramSize(pattern: string): number {
  const scan = { pattern, at: 0 };
  let total = 4;
  while (scan.at < pattern.length) {
    total += sequenceCost(scan);
    scan.at += 1; // an unbalanced ')' (rejected by the syntax check anyway)
  }
  return pattern.includes('(?i') ? total * 2 : total;
}

/** Longer patterns are refused before they are estimated. */
const MAX_PATTERN_LENGTH = 1024;

/** Why `pattern` is not a usable RE2 expression for Envoy, or undefined. */
export function regexProblem(pattern: string): string | undefined {
  if (pattern.length === 0) return 'empty regular expression';
  if (pattern.length > MAX_PATTERN_LENGTH) return `regular expression longer than ${MAX_PATTERN_LENGTH} characters`;
  if (RE2_UNSUPPORTED.test(pattern)) return `regular expression ${JSON.stringify(pattern)} uses a construct RE2 does not support`;
  try {
    new RegExp(pattern, 'u');
  } catch {
    return `invalid regular expression ${JSON.stringify(pattern)}`;
  }
  const size = estimateRe2ProgramSize(pattern);
  if (size > MAX_RE2_PROGRAM_SIZE) {
    return `regular expression ${JSON.stringify(pattern)} is too complex for Envoy's RE2 limit (estimated program size ${size} > ${MAX_RE2_PROGRAM_SIZE})`;
  }
  return undefined;
}
