import { join } from 'node:path';
import type { BuildContext } from '../context.js';

export interface Recipe {
  /** What a cold build costs, said before it starts so a long wait is expected. */
  coldEstimate: string;
  /** Fills `ctx.outDir`. */
  build(ctx: BuildContext): Promise<void>;
  /** Throws unless what `build` produced works and is the pinned version. */
  verify(ctx: BuildContext): Promise<void>;
}

export class VerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VerificationError';
  }
}

/** Runs `<bin> --version` for each binary and checks that the output names the pinned version. */
export async function verifyVersions(ctx: BuildContext, binaries: readonly string[]): Promise<void> {
  for (const name of binaries) {
    const output = await ctx.run(join(ctx.outDir, 'bin', name), ['--version'], { capture: 'all' });
    if (!output.includes(ctx.version)) {
      throw new VerificationError(`${name} --version does not mention ${ctx.version}: ${output.trim().split('\n')[0] ?? ''}`);
    }
  }
}
