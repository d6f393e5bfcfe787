// Node.js: the npm package node-<platform>-<arch> carries the official binary at package/bin/node.
// scripts/run.sh does the same in bash (it must run before any TypeScript can); this recipe is
// used only by `mgw toolchain provision --only node` or when running on a Node older than 24.
import { readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildContext } from '../context.js';
import type { Recipe } from './recipe.js';
import { verifyVersions } from './recipe.js';

export const MIN_NODE_MAJOR = 24;

/** The npm package with the Node binary for this machine. */
export function nodePackageName(platform: string, arch: string): string {
  return `node-${platform}-${arch}`;
}

/** True when the Node running us is too old, so the pinned one must be provisioned. */
export function needsPinnedNode(runningVersion: string): boolean {
  const major = Number(/^v?(\d+)\./.exec(runningVersion)?.[1] ?? 0);
  return major < MIN_NODE_MAJOR;
}

async function build(ctx: BuildContext): Promise<void> {
  const pkg = `${nodePackageName(process.platform, process.arch)}@${ctx.version}`;
  await ctx.step(`downloading ${pkg}`, () => ctx.run('npm', ['pack', '--silent', pkg]));
  const tarball = (await readdir(ctx.workDir)).find((file) => file.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack ${pkg} left no .tgz in ${ctx.workDir}`);
  await ctx.run('tar', ['-xzf', tarball]);
  await rename(join(ctx.workDir, 'package', 'bin', 'node'), join(ctx.outDir, 'bin', 'node'));
}

export const nodeRecipe: Recipe = {
  coldEstimate: '~50 MB download',
  build,
  verify: (ctx) => verifyVersions(ctx, ['node']),
};
