// echo-basic, the Gateway API conformance suite's HTTP echo backend, as a static binary.
//
// Its pin is separate from `gatewayApi`: from v1.7.0 on the code moved to the module
// sigs.k8s.io/gateway-api-conformance-images, which the Go module proxy does not serve, and the
// v1.7.0 conformance module keeps only a README there. The v1.6.x conformance module still carries
// the (stdlib + x/net) server. Its go.mod has `replace sigs.k8s.io/gateway-api => ../`, which a
// dependency's go.mod cannot apply, so the wrapper module replaces it with the same tagged version.
//
// The suite's base manifests (the backends echo-basic plays) come along as
// `conformance/base/manifests.yaml`, so tests apply them without a Go module cache.
import { spawn } from 'node:child_process';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../harness/process.js';
import type { BuildContext } from '../context.js';
import { GO_BUILD_ENV, parseModDownload, writeWrapperModule } from './go.js';
import type { Recipe } from './recipe.js';
import { VerificationError } from './recipe.js';

const CONFORMANCE_MODULE = 'sigs.k8s.io/gateway-api/conformance';
const PACKAGE = `${CONFORMANCE_MODULE}/echo-basic`;
/** Where the base manifests sit, both in the module and under the tool's directory. */
export const BASE_MANIFESTS = join('conformance', 'base', 'manifests.yaml');
const VERIFY_TIMEOUT_MS = 10_000;

async function build(ctx: BuildContext): Promise<void> {
  await writeWrapperModule(ctx.workDir, 'echobasic');
  await ctx.run('go', ['mod', 'edit', `-replace=sigs.k8s.io/gateway-api=sigs.k8s.io/gateway-api@v${ctx.version}`], { env: GO_BUILD_ENV });
  await ctx.step(`resolving ${PACKAGE}@v${ctx.version}`, () => ctx.run('go', ['get', `${PACKAGE}@v${ctx.version}`], { env: GO_BUILD_ENV }));
  await ctx.step('building echo-basic', () =>
    ctx.run('go', ['build', '-trimpath', '-o', join(ctx.outDir, 'bin', 'echo-basic'), PACKAGE], { env: GO_BUILD_ENV }),
  );
  await copyBaseManifests(ctx);
}

async function copyBaseManifests(ctx: BuildContext): Promise<void> {
  const json = await ctx.run('go', ['mod', 'download', '-json', `${CONFORMANCE_MODULE}@v${ctx.version}`], { env: GO_BUILD_ENV, capture: 'stdout' });
  const target = join(ctx.outDir, BASE_MANIFESTS);
  await mkdir(dirname(target), { recursive: true });
  // The module's own layout is `base/manifests.yaml` (the module root is conformance/).
  await copyFile(join(parseModDownload(json), 'base', 'manifests.yaml'), target);
}

/** The manifests are the suite's; echo-basic has no --version: start it on a free port and check that it echoes a request. */
async function verify(ctx: BuildContext): Promise<void> {
  const manifests = await readFile(join(ctx.outDir, BASE_MANIFESTS), 'utf8');
  if (!manifests.includes('gateway-conformance-infra')) throw new VerificationError(`${BASE_MANIFESTS} is not the conformance suite's base manifests`);
  const port = await freePort();
  const child = spawn(join(ctx.outDir, 'bin', 'echo-basic'), [], {
    env: { ...process.env, HTTP_PORT: String(port), H2C_PORT: String(await freePort()), POD_NAME: 'verify' },
    stdio: 'ignore',
  });
  try {
    const deadline = Date.now() + VERIFY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      const body = await fetch(`http://127.0.0.1:${port}/verify`, { signal: AbortSignal.timeout(1_000) })
        .then((r) => r.json() as Promise<{ path?: string; pod?: string }>)
        .catch(() => undefined);
      if (body?.path === '/verify' && body.pod === 'verify') return;
      await sleep(100);
    }
    throw new VerificationError(`echo-basic did not echo a request on port ${port} within ${VERIFY_TIMEOUT_MS / 1000}s`);
  } finally {
    child.kill('SIGKILL');
  }
}

export const echoBasicRecipe: Recipe = {
  coldEstimate: '~1 min cold',
  build,
  verify,
};
