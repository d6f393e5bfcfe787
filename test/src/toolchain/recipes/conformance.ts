// The Gateway API conformance suite as a test binary: a wrapper module whose one test calls
// conformance.RunConformance(t), compiled with `go test -c` (DESIGN.md §7). It carries the suite's
// base manifests and test manifests embedded, so running it needs only a kubeconfig.
//
// It shares the echo-basic pin: from v1.7.0 on the suite imports sigs.k8s.io/gateway-api-conformance-images,
// which the Go module proxy does not serve. The conformance module's go.mod has
// `replace sigs.k8s.io/gateway-api => ../`, which a dependency's go.mod cannot apply, so the
// wrapper module replaces it with the same tagged version.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildContext } from '../context.js';
import { GO_BUILD_ENV, writeWrapperModule } from './go.js';
import type { Recipe } from './recipe.js';
import { VerificationError } from './recipe.js';

const MODULE = 'sigs.k8s.io/gateway-api/conformance';

const TEST_FILE = `package conformance_test

import (
	"testing"

	"sigs.k8s.io/gateway-api/conformance"
)

func TestConformance(t *testing.T) {
	conformance.RunConformance(t)
}
`;

async function build(ctx: BuildContext): Promise<void> {
  await writeWrapperModule(ctx.workDir, 'conformance');
  await writeFile(join(ctx.workDir, 'conformance_test.go'), TEST_FILE);
  await ctx.run('go', ['mod', 'edit', `-replace=sigs.k8s.io/gateway-api=sigs.k8s.io/gateway-api@v${ctx.version}`], { env: GO_BUILD_ENV });
  await ctx.step(`resolving ${MODULE}@v${ctx.version}`, async () => {
    await ctx.run('go', ['get', `${MODULE}@v${ctx.version}`], { env: GO_BUILD_ENV });
    await ctx.run('go', ['mod', 'tidy'], { env: GO_BUILD_ENV });
  });
  await ctx.step('building the conformance test binary', () =>
    ctx.run('go', ['test', '-c', '-trimpath', '-o', join(ctx.outDir, 'bin', 'conformance.test'), '.'], { env: GO_BUILD_ENV }),
  );
}

/** The binary lists its one test, and its flags include the suite's (a plain `go test` binary would not). */
async function verify(ctx: BuildContext): Promise<void> {
  const binary = join(ctx.outDir, 'bin', 'conformance.test');
  const tests = await ctx.run(binary, ['-test.list', '.*'], { capture: 'stdout' });
  if (!tests.split('\n').includes('TestConformance')) throw new VerificationError(`conformance.test does not list TestConformance: ${tests.trim()}`);
  const help = await ctx.run(binary, ['-help'], { capture: 'all' }).catch((error: unknown) => String(error));
  if (!help.includes('gateway-class')) throw new VerificationError('conformance.test has no -gateway-class flag: it is not the suite');
}

export const conformanceRecipe: Recipe = {
  coldEstimate: '~4 min cold (compiles client-go and controller-runtime)',
  build,
  verify,
};
