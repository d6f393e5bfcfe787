// coredns, which the Gateway API conformance suite's base manifests run (the local cluster runs its
// image as this binary). It installs straight from its module.
import { join } from 'node:path';
import type { BuildContext } from '../context.js';
import { GO_BUILD_ENV } from './go.js';
import type { Recipe } from './recipe.js';
import { VerificationError } from './recipe.js';

async function build(ctx: BuildContext): Promise<void> {
  await ctx.step('building coredns', () =>
    ctx.run('go', ['install', '-trimpath', `github.com/coredns/coredns@v${ctx.version}`], {
      env: { ...GO_BUILD_ENV, GOBIN: join(ctx.outDir, 'bin') },
    }),
  );
}

/** `coredns -version` prints `CoreDNS-<version>` (it has no --version). */
async function verify(ctx: BuildContext): Promise<void> {
  const output = await ctx.run(join(ctx.outDir, 'bin', 'coredns'), ['-version'], { capture: 'all' });
  if (!output.includes(`CoreDNS-${ctx.version}`)) {
    throw new VerificationError(`coredns -version does not mention ${ctx.version}: ${output.trim().split('\n')[0] ?? ''}`);
  }
}

export const corednsRecipe: Recipe = {
  coldEstimate: '~3 min cold',
  build,
  verify,
};
