// kube-apiserver, kube-controller-manager and kube-proxy from the Go module k8s.io/kubernetes.
// That module cannot be `go install`ed: its go.mod points its k8s.io/* staging modules at
// `./staging/src/...`. A wrapper module replaces each with its published version (v0.X.Y for
// Kubernetes v1.X.Y), then builds the three commands in one `go build` (they share most packages).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildContext } from '../context.js';
import { TOOL_BINARIES } from '../paths.js';
import { GO_BUILD_ENV, parseModDownload, writeWrapperModule } from './go.js';
import type { Recipe } from './recipe.js';
import { verifyVersions } from './recipe.js';

export interface KubeVersion {
  major: number;
  minor: number;
  patch: number;
}

export function parseKubeVersion(version: string): KubeVersion {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!match) throw new Error(`not a Kubernetes release version: "${version}" (want X.Y.Z)`);
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

/** The staging modules (k8s.io/api, ...) are published as v0.X.Y alongside Kubernetes v1.X.Y. */
export function stagingVersion(version: string): string {
  const { minor, patch } = parseKubeVersion(version);
  return `0.${minor}.${patch}`;
}

/** The modules k8s.io/kubernetes's go.mod replaces with `./staging/src/<module>`, in file order. */
export function stagingModules(goMod: string): string[] {
  const modules: string[] = [];
  // Inside a `replace ( ... )` block or as a one-line `replace` directive.
  const line = /^\s*(?:replace\s+)?(k8s\.io\/[A-Za-z0-9._-]+)(?:\s+v\S+)?\s*=>\s*\.\/staging\/src\/(\S+)\s*$/;
  for (const text of goMod.split(/\r?\n/)) {
    const match = line.exec(text);
    if (match?.[1] && match[1] === match[2]) modules.push(match[1]);
  }
  return modules;
}

export function stagingReplaceArgs(modules: readonly string[], version: string): string[] {
  const staged = stagingVersion(version);
  return modules.map((module) => `-replace=${module}=${module}@v${staged}`);
}

/** Without these, `--version` says v0.0.0-master and clients' version skew checks misfire. */
export function kubeVersionLdflags(version: string): string {
  const { major, minor } = parseKubeVersion(version);
  const vars = [`gitVersion=v${version}`, `gitMajor=${major}`, `gitMinor=${minor}`, 'gitTreeState=clean'];
  return vars.map((assignment) => `-X k8s.io/component-base/version.${assignment}`).join(' ');
}

const BINARIES = TOOL_BINARIES.kubernetes;
const commandPackage = (binary: string): string => `k8s.io/kubernetes/cmd/${binary}`;

async function build(ctx: BuildContext): Promise<void> {
  const env = GO_BUILD_ENV;
  await writeWrapperModule(ctx.workDir, 'k8sbuild');
  await ctx.step('resolving k8s.io/kubernetes and its modules', async () => {
    const json = await ctx.run('go', ['mod', 'download', '-json', `k8s.io/kubernetes@v${ctx.version}`], { env, capture: 'stdout' });
    const modules = stagingModules(await readFile(join(parseModDownload(json), 'go.mod'), 'utf8'));
    if (modules.length === 0) throw new Error(`k8s.io/kubernetes@v${ctx.version}: no ./staging replace lines in its go.mod`);
    await ctx.run('go', ['mod', 'edit', ...stagingReplaceArgs(modules, ctx.version)], { env });
    await ctx.run('go', ['get', '-tool', ...BINARIES.map((b) => `${commandPackage(b)}@v${ctx.version}`)], { env });
  });
  await ctx.step(`building ${BINARIES.join(', ')}`, async () => {
    const args = ['build', '-trimpath', '-tags=selinux,notest', '-ldflags', kubeVersionLdflags(ctx.version)];
    // A trailing slash makes -o a directory for several commands.
    await ctx.run('go', [...args, '-o', `${join(ctx.outDir, 'bin')}/`, ...BINARIES.map(commandPackage)], { env });
  });
}

export const kubernetesRecipe: Recipe = {
  coldEstimate: '~15 min cold on 2 cores, ~1 min with a warm Go build cache',
  build,
  verify: (ctx) => verifyVersions(ctx, BINARIES),
};
