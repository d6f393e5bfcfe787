import { describe, expect, it } from 'vitest';
import { RevisionWaiter } from './revision-waiter.js';

describe('RevisionWaiter', () => {
  it('answers at once when the cache is there, when it catches up, or false after the timeout', async () => {
    let current = { resources: 5, secrets: 1 };
    const waiter = new RevisionWaiter(() => current);
    expect(await waiter.wait({ resources: 5, secrets: 0 }, 10)).toBe(true);
    const later = waiter.wait({ resources: 7, secrets: 0 }, 5_000);
    current = { resources: 7, secrets: 1 };
    waiter.advanced();
    expect(await later).toBe(true);
    expect(await waiter.wait({ resources: 7, secrets: 2 }, 20)).toBe(false);
  });

  it('releases every waiter on close', async () => {
    const waiter = new RevisionWaiter(() => ({ resources: 0, secrets: 0 }));
    const pending = waiter.wait({ resources: 1, secrets: 0 }, 60_000);
    waiter.close();
    expect(await pending).toBe(false);
  });
});
