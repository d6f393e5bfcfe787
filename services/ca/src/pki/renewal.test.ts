import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS } from './clock.js';
import { DEFAULT_RENEW_EVERY_MS, backoffDelay, renewalTime } from './renewal.js';
import { T0, fixedClock } from './testdata/fixtures.js';

const at = (ms: number): Date => new Date(T0.getTime() + ms);

describe('renewalTime', () => {
  const cases: Record<string, { lifetimeMs: number; renewEveryMs: number; nowMs: number; renewAtMs: number; dueInMs: number }> = {
    'default: a 4-day certificate is renewed 48 hours after notBefore': {
      lifetimeMs: 4 * DAY_MS, renewEveryMs: DEFAULT_RENEW_EVERY_MS, nowMs: 0, renewAtMs: 48 * HOUR_MS, dueInMs: 48 * HOUR_MS,
    },
    'one second before 48 hours it is not due': {
      lifetimeMs: 4 * DAY_MS, renewEveryMs: DEFAULT_RENEW_EVERY_MS, nowMs: 48 * HOUR_MS - 1_000, renewAtMs: 48 * HOUR_MS, dueInMs: 1_000,
    },
    'at 48 hours it is due': {
      lifetimeMs: 4 * DAY_MS, renewEveryMs: DEFAULT_RENEW_EVERY_MS, nowMs: 48 * HOUR_MS, renewAtMs: 48 * HOUR_MS, dueInMs: 0,
    },
    'renewEvery beyond 2/3 of the lifetime is capped there, leaving a margin': {
      lifetimeMs: 2 * DAY_MS, renewEveryMs: DEFAULT_RENEW_EVERY_MS, nowMs: 0, renewAtMs: 32 * HOUR_MS, dueInMs: 32 * HOUR_MS,
    },
    'a 3-second lifetime renews at 2 seconds (truncated to whole seconds)': {
      lifetimeMs: 3_000, renewEveryMs: DEFAULT_RENEW_EVERY_MS, nowMs: 0, renewAtMs: 2_000, dueInMs: 2_000,
    },
    'a 1-second lifetime truncates 666 ms to notBefore itself': {
      lifetimeMs: 1_000, renewEveryMs: DEFAULT_RENEW_EVERY_MS, nowMs: 0, renewAtMs: 0, dueInMs: 0,
    },
    'long past the renewal time it stays due (0, never negative)': {
      lifetimeMs: 4 * DAY_MS, renewEveryMs: DEFAULT_RENEW_EVERY_MS, nowMs: 10 * DAY_MS, renewAtMs: 48 * HOUR_MS, dueInMs: 0,
    },
  };

  it.each(Object.entries(cases))('%s', (_name, c) => {
    const decision = renewalTime({ notBefore: T0, notAfter: at(c.lifetimeMs) }, { renewEveryMs: c.renewEveryMs, clock: fixedClock(at(c.nowMs)) });
    expect(decision.renewAt).toEqual(at(c.renewAtMs));
    expect(decision.dueInMs).toBe(c.dueInMs);
    expect(decision.due).toBe(c.dueInMs === 0);
  });
});

describe('backoffDelay', () => {
  it('doubles from the initial delay and stops at the cap', () => {
    const policy = { initialMs: 1_000, maxMs: 60_000 };
    expect([1, 2, 3, 4, 6, 7, 100].map((attempt) => backoffDelay(attempt, policy))).toEqual([1_000, 2_000, 4_000, 8_000, 32_000, 60_000, 60_000]);
    expect(backoffDelay(0, policy)).toBe(1_000);
  });
});
