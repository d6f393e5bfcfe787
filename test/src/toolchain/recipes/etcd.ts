// etcd from its Go module, through a wrapper module (`go install` refuses its replace directives).
import { join } from 'node:path';
import type { BuildContext } from '../context.js';
import { GO_BUILD_ENV, writeWrapperModule } from './go.js';
import type { Recipe } from './recipe.js';
import { verifyVersions } from './recipe.js';

const SERVER = 'go.etcd.io/etcd/server/v3';

async function build(ctx: BuildContext): Promise<void> {
  await writeWrapperModule(ctx.workDir, 'etcdbuild');
  await ctx.step(`resolving ${SERVER}@v${ctx.version}`, () =>
    ctx.run('go', ['get', '-tool', `${SERVER}@v${ctx.version}`], { env: GO_BUILD_ENV }),
  );
  await ctx.step('building etcd', () =>
    ctx.run('go', ['build', '-trimpath', '-o', join(ctx.outDir, 'bin', 'etcd'), SERVER], { env: GO_BUILD_ENV }),
  );
}

export const etcdRecipe: Recipe = {
  coldEstimate: '~2 min cold',
  build,
  verify: (ctx) => verifyVersions(ctx, ['etcd']),
};
