// The quickstart's example on a fresh installation: an echo app behind the Gateway demo/edge.
import { readFileSync } from 'node:fs';
import type { LocalCluster } from '../cluster/index.js';
import { serverSideApply } from '../cluster/apply.js';
import { KubeRest } from '../cluster/rest.js';
import { waitFor } from '../harness/index.js';
import { httpGet, manifest, waitProgrammed } from '../system/system-fixture.js';

export const EXAMPLE_MANIFEST = 'deploy/examples/quickstart.yaml';
export const EXAMPLE_GATEWAY = { namespace: 'demo', name: 'edge' } as const;

export interface RunningExample {
  gateway: string;
  address: string;
  manifest: string;
}

/**
 * Applies the example and waits until its Gateway is Programmed with an address and the echo app
 * answers through the Engine there, so the `curl` printed next works at once.
 */
export async function applyExample(cluster: LocalCluster, log: (line: string) => void): Promise<RunningExample> {
  const rest = new KubeRest({ server: cluster.server, token: cluster.adminToken, ca: readFileSync(cluster.caPath) });
  try {
    await serverSideApply(rest, manifest(EXAMPLE_MANIFEST), 'mgw-quickstart');
    const { namespace, name } = EXAMPLE_GATEWAY;
    const { address } = await waitProgrammed(rest, namespace, name, 180_000);
    log(`Gateway ${namespace}/${name} is Programmed, address ${address}; waiting for the echo app to answer through the Engine`);
    await waitFor(async () => (await httpGet(`http://${address}/`)).status === 200, {
      timeoutMs: 60_000,
      what: `a 200 from http://${address}/ (the echo app through the Engine)`,
    });
    return { gateway: `${namespace}/${name}`, address, manifest: EXAMPLE_MANIFEST };
  } finally {
    rest.close();
  }
}
