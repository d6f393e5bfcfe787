// kustomize, which renders deploy/ (kustomize bases and overlays) the way `kubectl apply -k` does.
// The install test renders the shipped overlays with it; it installs straight from its module.
import { join } from 'node:path';
import type { BuildContext } from '../context.js';
import { GO_BUILD_ENV } from './go.js';
import type { Recipe } from './recipe.js';
import { VerificationError } from './recipe.js';

async function build(ctx: BuildContext): Promise<void> {
  await ctx.step('building kustomize', () =>
    ctx.run('go', ['install', '-trimpath', `sigs.k8s.io/kustomize/kustomize/v5@v${ctx.version}`], {
      env: { ...GO_BUILD_ENV, GOBIN: join(ctx.outDir, 'bin') },
    }),
  );
}

/** `kustomize version` prints `v<version>`. */
async function verify(ctx: BuildContext): Promise<void> {
  const output = await ctx.run(join(ctx.outDir, 'bin', 'kustomize'), ['version'], { capture: 'all' });
  if (output.trim() !== `v${ctx.version}`) {
    throw new VerificationError(`kustomize version printed ${output.trim()}, expected v${ctx.version}`);
  }
}

export const kustomizeRecipe: Recipe = {
  coldEstimate: '~1 min cold',
  build,
  verify,
};
