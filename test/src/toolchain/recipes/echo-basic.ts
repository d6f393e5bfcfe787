// echo-basic, the Gateway API conformance suite's HTTP echo backend, as a static binary.
//
// Its pin is separate from `gatewayApi`: from v1.7.0 on the code moved to the module
// sigs.k8s.io/gateway-api-conformance-images, which the Go module proxy does not serve, and the
// v1.7.0 conformance module keeps only a README there. The v1.6.x conformance module still carries
// the (stdlib + x/net) server. Its go.mod has `replace sigs.k8s.io/gateway-api => ../`, which a
// dependency's go.mod cannot apply, so the wrapper module replaces it with the same tagged version.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../harness/process.js';
import type { BuildContext } from '../context.js';
import { GO_BUILD_ENV, writeWrapperModule } from './go.js';
import type { Recipe } from './recipe.js';
import { VerificationError } from './recipe.js';

const PACKAGE = 'sigs.k8s.io/gateway-api/conformance/echo-basic';
const VERIFY_TIMEOUT_MS = 10_000;

async function build(ctx: BuildContext): Promise<void> {
  await writeWrapperModule(ctx.workDir, 'echobasic');
  await ctx.run('go', ['mod', 'edit', `-replace=sigs.k8s.io/gateway-api=sigs.k8s.io/gateway-api@v${ctx.version}`], { env: GO_BUILD_ENV });
  await ctx.step(`resolving ${PACKAGE}@v${ctx.version}`, () => ctx.run('go', ['get', `${PACKAGE}@v${ctx.version}`], { env: GO_BUILD_ENV }));
  await ctx.step('building echo-basic', () =>
    ctx.run('go', ['build', '-trimpath', '-o', join(ctx.outDir, 'bin', 'echo-basic'), PACKAGE], { env: GO_BUILD_ENV }),
  );
}

/** echo-basic has no --version: start it on a free port and check that it echoes a request. */
async function verify(ctx: BuildContext): Promise<void> {
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
