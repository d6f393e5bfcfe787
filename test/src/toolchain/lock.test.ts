import { describe, expect, it } from 'vitest';
import type { LockFacts } from './lock.js';
import { judgeLock, MAX_LOCK_AGE_MS, OWNERLESS_GRACE_MS } from './lock.js';

const alive = new Set([100]);
const facts = (over: Partial<LockFacts>): LockFacts => ({
  owner: { pid: 100, host: 'here', since: 0 },
  ageMs: 1000,
  host: 'here',
  isAlive: (pid) => alive.has(pid),
  ...over,
});

describe('judgeLock', () => {
  it('honours a lock whose owner runs', () => {
    expect(judgeLock(facts({}))).toBe('held');
  });

  it('steals a lock whose owner died', () => {
    expect(judgeLock(facts({ owner: { pid: 200, host: 'here', since: 0 } }))).toBe('stale');
  });

  it('waits for a lock being created, but not forever', () => {
    expect(judgeLock(facts({ owner: undefined, ageMs: 10 }))).toBe('held');
    expect(judgeLock(facts({ owner: undefined, ageMs: OWNERLESS_GRACE_MS + 1 }))).toBe('stale');
  });

  it('cannot check a pid on another host, so waits for it until the maximum age', () => {
    expect(judgeLock(facts({ owner: { pid: 200, host: 'elsewhere', since: 0 } }))).toBe('held');
    expect(judgeLock(facts({ owner: { pid: 200, host: 'elsewhere', since: 0 }, ageMs: MAX_LOCK_AGE_MS + 1 }))).toBe('stale');
  });

  it('treats a very old lock as stale even if its pid is alive (reused pid)', () => {
    expect(judgeLock(facts({ ageMs: MAX_LOCK_AGE_MS + 1 }))).toBe('stale');
  });
});
