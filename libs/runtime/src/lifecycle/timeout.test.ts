import { describe, expect, it } from 'vitest';
import { within } from './timeout.js';

describe('within', () => {
  it('says done when the work finishes in time', async () => {
    expect(await within(Promise.resolve(), 1_000)).toBe('done');
  });

  it('says timeout when it does not', async () => {
    expect(await within(new Promise(() => undefined), 10)).toBe('timeout');
  });

  it('passes the work failure on', async () => {
    await expect(within(Promise.reject(new Error('stop failed')), 1_000)).rejects.toThrow('stop failed');
  });
});
