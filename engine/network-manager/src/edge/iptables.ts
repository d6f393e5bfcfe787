import type { IptablesVariant } from '../core/config.js';
import { classifyFailure, isRuleMissing } from '../core/errors.js';
import type { SaveOutput } from '../core/variant.js';
import type { Jump } from '../core/plan.js';
import { runCommand, type CommandResult } from './run.js';

/** A failed step with the explanation from {@link classifyFailure}. */
export class IptablesError extends Error {
  override readonly name = 'IptablesError';
  constructor(
    message: string,
    readonly kind: string,
  ) {
    super(message);
  }
}

function check(variant: IptablesVariant, result: CommandResult): CommandResult {
  if (result.spawnError === undefined && result.exitCode === 0) return result;
  const failure = classifyFailure(variant, result);
  throw new IptablesError(failure.message, failure.kind);
}

/** The iptables binaries of one variant (`iptables-legacy`, `iptables-nft-restore`, …). */
export class Iptables {
  constructor(readonly variant: IptablesVariant) {}

  private binary(suffix = ''): string {
    return `iptables-${this.variant}${suffix}`;
  }

  /** `iptables-<variant>-save` of all tables, for detection; never throws (`failure` says why it is unusable). */
  async saveAll(): Promise<SaveOutput & { failure?: string }> {
    const result = await runCommand(this.binary('-save'), []);
    if (result.spawnError === undefined && result.exitCode === 0) return { ok: true, stdout: result.stdout };
    return { ok: false, stdout: result.stdout, failure: classifyFailure(this.variant, result).message };
  }

  async saveNat(): Promise<string> {
    return check(this.variant, await runCommand(this.binary('-save'), ['-t', 'nat'])).stdout;
  }

  /** Flushes and refills the chains the input declares, in one transaction; other chains stay. */
  async restoreNoflush(input: string): Promise<void> {
    const result = await runCommand(this.binary('-restore'), ['-w', '5', '--noflush'], input);
    if (result.spawnError === undefined && result.exitCode === 0) return;
    // iptables-legacy-restore says only "unable to initialize table 'nat'" whether the table is
    // missing or NET_ADMIN is: listing the table says which, so the message can name the fix.
    const diagnosis = await runCommand(this.binary(), ['-w', '5', '-t', 'nat', '-S']);
    const failed = classifyFailure(this.variant, result);
    if (failed.kind === 'unknown' && result.spawnError === undefined && diagnosis.exitCode !== 0) {
      const cause = classifyFailure(this.variant, diagnosis);
      throw new IptablesError(`${failed.message}; ${cause.message}`, cause.kind);
    }
    throw new IptablesError(failed.message, failed.kind);
  }

  /** Whether the jump is present (`-C`); a failure other than "no such rule" throws. */
  async hasJump(jump: Jump): Promise<boolean> {
    const result = await runCommand(this.binary(), ['-w', '5', '-t', 'nat', '-C', jump.from, ...jump.rule]);
    if (result.exitCode === 0 && result.spawnError === undefined) return true;
    if (isRuleMissing(result)) return false;
    const failure = classifyFailure(this.variant, result);
    throw new IptablesError(failure.message, failure.kind);
  }

  async appendJump(jump: Jump): Promise<void> {
    check(this.variant, await runCommand(this.binary(), ['-w', '5', '-t', 'nat', '-A', jump.from, ...jump.rule]));
  }
}
