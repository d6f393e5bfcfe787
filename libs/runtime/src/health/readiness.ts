/** A readiness check answers "can this process do its job right now?"; a reason says why not. */
export type ReadinessResult = { ready: true } | { ready: false; reason: string };
export type ReadinessCheck = () => ReadinessResult | Promise<ReadinessResult>;

export interface ReadinessReport {
  ready: boolean;
  draining: boolean;
  checks: Record<string, ReadinessResult>;
}

/** A check that hangs must not hang /readyz: it counts as not ready after this long. */
const CHECK_TIMEOUT_MS = 2_000;

/**
 * The set of named readiness checks of a process. Ready when every check passes and the process
 * is not draining; a process with no checks yet (still starting) is not ready.
 */
export class Readiness {
  private readonly checks = new Map<string, ReadinessCheck>();
  private drainingSince: Date | undefined;

  add(name: string, check: ReadinessCheck): void {
    if (this.checks.has(name)) throw new Error(`readiness check ${JSON.stringify(name)} is already registered`);
    this.checks.set(name, check);
  }

  /** From now on the process reports not ready, whatever its checks say. One-way. */
  markDraining(): void {
    this.drainingSince ??= new Date();
  }

  get draining(): boolean {
    return this.drainingSince !== undefined;
  }

  async evaluate(): Promise<ReadinessReport> {
    const entries = await Promise.all([...this.checks].map(async ([name, check]) => [name, await runCheck(check)] as const));
    const checks = Object.fromEntries(entries);
    const allPass = entries.length > 0 && entries.every(([, result]) => result.ready);
    return { ready: allPass && !this.draining, draining: this.draining, checks };
  }
}

async function runCheck(check: ReadinessCheck): Promise<ReadinessResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ReadinessResult>((resolve) => {
    timer = setTimeout(() => resolve({ ready: false, reason: `check did not answer within ${CHECK_TIMEOUT_MS} ms` }), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([Promise.resolve().then(check), timeout]);
  } catch (error) {
    return { ready: false, reason: `check failed: ${(error as Error).message}` };
  } finally {
    clearTimeout(timer);
  }
}
