import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateEnvoyConfig } from '../harness/index.js';
import type { DynamicResources } from './static-bootstrap.js';
import { staticBootstrap } from './static-bootstrap.js';

/**
 * Every golden output of the renderer's translation (services/renderer/src/translate/testdata)
 * must be configuration the real Envoy accepts: each Gateway's resources, made into a static
 * bootstrap, go through `envoy --mode validate`.
 */

const dir = fileURLToPath(new URL('../../../services/renderer/src/translate/testdata/', import.meta.url));
const outputs = readdirSync(dir)
  .filter((f) => f.endsWith('.out.yaml'))
  .sort();

interface GoldenOutput {
  gateways: { gateway: { namespace: string; name: string }; xds?: DynamicResources }[];
}

const gateways = outputs.flatMap((file) => {
  const golden = parse(readFileSync(`${dir}${file}`, 'utf8')) as GoldenOutput;
  return golden.gateways.flatMap((g) => (g.xds === undefined ? [] : [{ label: `${file} ${g.gateway.namespace}/${g.gateway.name}`, xds: g.xds }]));
});

describe('golden translations are valid Envoy configuration', () => {
  it('finds golden outputs with Envoy resources', () => {
    expect(gateways.length).toBeGreaterThan(0);
  });

  it('rejects a translation whose route names a cluster it does not define (the check can fail)', async () => {
    const first = gateways[0];
    if (first === undefined) throw new Error('no golden output');
    const broken = structuredClone(first.xds);
    const vhost = (broken.routes[0] as { virtual_hosts: { routes: { route?: unknown }[] }[] }).virtual_hosts[0];
    const route = vhost?.routes[0];
    if (route === undefined) throw new Error(`${first.label} has no route to break`);
    route.route = { cluster: 'no/such/cluster' };
    const result = await validateEnvoyConfig(staticBootstrap(broken));
    expect(result.ok).toBe(false);
    expect(result.output).toContain('no/such/cluster');
  });

  it.each(gateways)('$label', async ({ xds }) => {
    const result = await validateEnvoyConfig(staticBootstrap(xds));
    expect(result.ok, result.output).toBe(true);
  });
});
