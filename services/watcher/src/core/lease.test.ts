import { describe, expect, it } from 'vitest';
import { claim, mayAcquire, microTime, observe } from './lease.js';

describe('lease decisions', () => {
  const held = { holderIdentity: 'a', leaseDurationSeconds: 6, renewTime: '2026-01-01T00:00:00.000000Z', leaseTransitions: 0 };

  it('lets the holder renew and anyone take a free lease', () => {
    const seen = observe(undefined, held, 1_000);
    expect(mayAcquire(held, seen, 'a', 1_000)).toBe(true);
    expect(mayAcquire({ ...held, holderIdentity: null }, seen, 'b', 1_000)).toBe(true);
  });

  it('lets a standby take over only after the record stood still for the lease duration, on its own clock', () => {
    let seen = observe(undefined, held, 1_000);
    expect(mayAcquire(held, seen, 'b', 6_999)).toBe(false);
    seen = observe(seen, held, 6_000);
    expect(seen.observedAt).toBe(1_000);
    expect(mayAcquire(held, seen, 'b', 7_000)).toBe(true);
    const renewed = { ...held, renewTime: '2026-01-01T00:00:02.000000Z' };
    seen = observe(seen, renewed, 7_000);
    expect(mayAcquire(renewed, seen, 'b', 7_000)).toBe(false);
  });

  it('claims with MicroTime timestamps and counts transitions between holders only', () => {
    const now = new Date('2026-01-01T00:00:05.123Z');
    expect(claim(held, 'b', 6, now)).toEqual({ holderIdentity: 'b', leaseDurationSeconds: 6, renewTime: '2026-01-01T00:00:05.123000Z', acquireTime: '2026-01-01T00:00:05.123000Z', leaseTransitions: 1 });
    expect(claim({ ...held, acquireTime: 'x' }, 'a', 6, now)).toMatchObject({ acquireTime: 'x', leaseTransitions: 0 });
    expect(claim({}, 'a', 6, now)).toMatchObject({ leaseTransitions: 0 });
    expect(microTime(new Date('2026-01-01T00:00:00Z'))).toBe('2026-01-01T00:00:00.000000Z');
  });
});
