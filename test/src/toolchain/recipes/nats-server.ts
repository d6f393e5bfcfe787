// nats-server installs straight from its module.
import { join } from 'node:path';
import type { BuildContext } from '../context.js';
import { GO_BUILD_ENV } from './go.js';
import type { Recipe } from './recipe.js';
import { verifyVersions } from './recipe.js';

async function build(ctx: BuildContext): Promise<void> {
  await ctx.step('building nats-server', () =>
    ctx.run('go', ['install', '-trimpath', `github.com/nats-io/nats-server/v2@v${ctx.version}`], {
      env: { ...GO_BUILD_ENV, GOBIN: join(ctx.outDir, 'bin') },
    }),
  );
}

export const natsServerRecipe: Recipe = {
  coldEstimate: '~1 min cold',
  build,
  verify: (ctx) => verifyVersions(ctx, ['nats-server']),
};
