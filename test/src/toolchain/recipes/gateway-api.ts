// Gateway API CRDs from the Go module sigs.k8s.io/gateway-api (its release YAML is the same files).
// Only CustomResourceDefinition documents are kept: config/crd also holds a kustomization.yaml and
// a ValidatingAdmissionPolicy (+ binding), which the test clusters do not want.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { BuildContext } from '../context.js';
import { GO_BUILD_ENV, parseModDownload, writeWrapperModule } from './go.js';
import type { Recipe } from './recipe.js';
import { VerificationError } from './recipe.js';

export const CRD_CHANNELS = ['standard', 'experimental'] as const;
export const REQUIRED_CRD = 'gateways.gateway.networking.k8s.io';

export interface CrdDocument {
  name: string;
  yaml: string;
}

/** The CustomResourceDefinition documents of a (multi-document) YAML file. */
export function selectCrds(text: string, source = 'input'): CrdDocument[] {
  const crds: CrdDocument[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors[0]?.message ?? 'invalid YAML'}`);
    if (doc.get('kind') !== 'CustomResourceDefinition') continue;
    const name = doc.getIn(['metadata', 'name']);
    if (typeof name !== 'string') throw new Error(`${source}: a CustomResourceDefinition without metadata.name`);
    // lineWidth 0: keep long descriptions on one line instead of refolding them.
    crds.push({ name, yaml: doc.toString({ lineWidth: 0 }) });
  }
  return crds;
}

/** One file per source file that had CRDs; `---` separates documents. */
export function joinDocuments(docs: readonly CrdDocument[]): string {
  return docs.map((doc) => (doc.yaml.startsWith('---') ? doc.yaml : `---\n${doc.yaml}`)).join('');
}

async function copyChannel(sourceDir: string, targetDir: string): Promise<number> {
  await mkdir(targetDir, { recursive: true });
  let count = 0;
  for (const file of (await readdir(sourceDir)).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    const crds = selectCrds(await readFile(join(sourceDir, file), 'utf8'), join(sourceDir, file));
    if (crds.length === 0) continue;
    await writeFile(join(targetDir, file), joinDocuments(crds));
    count += crds.length;
  }
  return count;
}

async function build(ctx: BuildContext): Promise<void> {
  await writeWrapperModule(ctx.workDir, 'gatewayapi');
  // This version's go.mod may need a newer Go than the machine's: GOTOOLCHAIN fetches that one.
  const env = { ...GO_BUILD_ENV, GOTOOLCHAIN: ctx.pins.gatewayApiGoToolchain };
  const sourceDir = await ctx.step(`downloading sigs.k8s.io/gateway-api@v${ctx.version}`, async () =>
    parseModDownload(await ctx.run('go', ['mod', 'download', '-json', `sigs.k8s.io/gateway-api@v${ctx.version}`], { env, capture: 'stdout' })),
  );
  for (const channel of CRD_CHANNELS) {
    const count = await copyChannel(join(sourceDir, 'config', 'crd', channel), join(ctx.outDir, 'crds', channel));
    ctx.log(`${count} ${channel} CRDs`);
  }
}

async function verify(ctx: BuildContext): Promise<void> {
  for (const channel of CRD_CHANNELS) {
    const dir = join(ctx.outDir, 'crds', channel);
    const names: string[] = [];
    for (const file of await readdir(dir)) names.push(...selectCrds(await readFile(join(dir, file), 'utf8'), join(dir, file)).map((c) => c.name));
    if (!names.includes(REQUIRED_CRD)) throw new VerificationError(`${dir}: ${names.length} CRDs but not ${REQUIRED_CRD}`);
  }
}

export const gatewayApiRecipe: Recipe = {
  coldEstimate: 'a Go toolchain download the first time',
  build,
  verify,
};
