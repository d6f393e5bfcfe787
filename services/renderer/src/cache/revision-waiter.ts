import type { InputRevisions } from '@microgateway/contracts';
import { revisionsCover } from '@microgateway/contracts';

/**
 * Lets a render wait until this replica's cache has applied the input revisions a job names:
 * another replica may have enqueued the job from a change this one has not received yet.
 */
export class RevisionWaiter {
  private readonly waiters = new Set<{ after: InputRevisions; resolve: (ok: boolean) => void }>();

  constructor(private readonly current: () => InputRevisions) {}

  /** True as soon as the cache covers `after`; false after `timeoutMs` without it. */
  async wait(after: InputRevisions, timeoutMs: number): Promise<boolean> {
    if (revisionsCover(this.current(), after)) return true;
    return new Promise((resolve) => {
      const waiter = {
        after,
        resolve: (ok: boolean): void => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(ok);
        },
      };
      const timer = setTimeout(() => waiter.resolve(false), timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Call after the cache applied entries. */
  advanced(): void {
    if (this.waiters.size === 0) return;
    const now = this.current();
    for (const waiter of [...this.waiters]) if (revisionsCover(now, waiter.after)) waiter.resolve(true);
  }

  /** Releases every waiter (shutdown): their jobs are retried elsewhere. */
  close(): void {
    for (const waiter of [...this.waiters]) waiter.resolve(false);
  }
}
