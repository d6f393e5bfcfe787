import { XdsCodecError } from './errors.js';

/**
 * The string forms proto3 JSON gives google.protobuf.Duration, Timestamp and FieldMask
 * (https://protobuf.dev/programming-guides/json/), parsed strictly and printed canonically.
 */

export interface SecondsNanos {
  seconds: number;
  nanos: number;
}

/** ±10,000 years, the range both Duration and Timestamp allow. */
const MAX_DURATION_SECONDS = 315_576_000_000;
const MIN_TIMESTAMP_SECONDS = -62_135_596_800; // 0001-01-01T00:00:00Z
const MAX_TIMESTAMP_SECONDS = 253_402_300_799; // 9999-12-31T23:59:59Z

const DURATION = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;

/** "1.5s" → { seconds: 1, nanos: 500000000 }; negative durations carry the sign on both parts. */
export function parseDuration(text: string, path: string): SecondsNanos {
  const match = DURATION.exec(text);
  if (!match) throw new XdsCodecError(path, `invalid Duration ${JSON.stringify(text)} (expected e.g. "5s" or "0.250s")`);
  const sign = match[1] ? -1 : 1;
  const seconds = Number(match[2]);
  const nanos = Number((match[3] ?? '').padEnd(9, '0'));
  if (seconds > MAX_DURATION_SECONDS) throw new XdsCodecError(path, `Duration ${JSON.stringify(text)} out of range`);
  return { seconds: sign * seconds || 0, nanos: sign * nanos || 0 };
}

/** Nanoseconds as the shortest of 0, 3, 6 or 9 fractional digits, like protobuf's own printers. */
function fraction(nanos: number): string {
  if (nanos === 0) return '';
  const digits = String(nanos).padStart(9, '0');
  if (digits.endsWith('000000')) return `.${digits.slice(0, 3)}`;
  if (digits.endsWith('000')) return `.${digits.slice(0, 6)}`;
  return `.${digits}`;
}

export function formatDuration({ seconds, nanos }: SecondsNanos): string {
  const negative = seconds < 0 || nanos < 0;
  return `${negative ? '-' : ''}${Math.abs(seconds)}${fraction(Math.abs(nanos))}s`;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;

/** RFC 3339 ("2024-05-01T12:00:00.5Z", offsets allowed) → seconds/nanos since the epoch. */
export function parseTimestamp(text: string, path: string): SecondsNanos {
  const match = TIMESTAMP.exec(text);
  const millis = match ? Date.parse(`${text.slice(0, 19)}${match[8] === 'z' ? 'Z' : match[8]}`) : NaN;
  if (!match || Number.isNaN(millis)) throw new XdsCodecError(path, `invalid Timestamp ${JSON.stringify(text)} (expected RFC 3339)`);
  const seconds = Math.floor(millis / 1000);
  if (seconds < MIN_TIMESTAMP_SECONDS || seconds > MAX_TIMESTAMP_SECONDS) throw new XdsCodecError(path, `Timestamp ${JSON.stringify(text)} out of range`);
  return { seconds, nanos: Number((match[7] ?? '').padEnd(9, '0')) };
}

export function formatTimestamp({ seconds, nanos }: SecondsNanos): string {
  const whole = new Date(seconds * 1000).toISOString().slice(0, 19);
  return `${whole}${fraction(nanos)}Z`;
}

/** "fooBar,baz.quxQuux" → ["foo_bar", "baz.qux_quux"] */
export function parseFieldMask(text: string, path: string): string[] {
  if (text === '') return [];
  return text.split(',').map((p) => {
    if (!/^[a-zA-Z0-9.]+$/.test(p)) throw new XdsCodecError(path, `invalid FieldMask path ${JSON.stringify(p)}`);
    return p.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  });
}

export function formatFieldMask(paths: readonly string[]): string {
  return paths.map((p) => p.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase())).join(',');
}
