// `mgw dev up --detach` / `env --json` / `down` as a user runs them: the real CLI in a child
// process, a real apiserver and NATS behind it, and proof that `down` leaves no process behind.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { connect } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterNamespaces } from '../cluster/index.js';
import { repoRoot } from '../toolchain/paths.js';

const run = promisify(execFile);
const mgw = join(repoRoot(), 'test', 'bin', 'mgw.mjs');
const stateDir = mkdtempSync(join(tmpdir(), 'mgw-dev-itest-'));
const cli = (...args: string[]) => run(process.execPath, [mgw, 'dev', ...args, '--name', 'itest', '--state-dir', stateDir], { timeout: 300_000 });

/** Pids of live processes whose command line mentions the state directory. */
function processesUsing(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(dir)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

describe('mgw dev', () => {
  afterAll(async () => {
    await cli('down').catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('up --detach returns once ready and prints how to use it', async () => {
    const { stdout } = await cli('up', '--detach');
    expect(stdout).toContain('mgw dev env');
    expect(stdout).toContain('mgw dev down');
    // etcd, kube-apiserver, controller-manager, kube-proxy, the node agent, nats-server
    expect(processesUsing(stateDir).length).toBeGreaterThanOrEqual(6);
    expect(clusterNamespaces('itest').length).toBeGreaterThan(0);
  });

  it('env --json gives a kubeconfig and a NATS URL that work', async () => {
    const { stdout } = await cli('env', '--json');
    const env = JSON.parse(stdout) as { kubeconfig: string; natsUrl: string };

    const kc = new KubeConfig();
    kc.loadFromFile(env.kubeconfig);
    const namespaces = await kc.makeApiClient(CoreV1Api).listNamespace();
    expect(namespaces.items.map((n) => n.metadata?.name)).toContain('kube-system');
    const nodes = await kc.makeApiClient(CoreV1Api).listNode();
    expect(nodes.items.length).toBe(1);

    const url = new URL(env.natsUrl);
    const nc = await connect({ servers: `${url.hostname}:${url.port}`, user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) });
    await nc.flush();
    await nc.close();
  });

  it('env prints shell exports', async () => {
    const { stdout } = await cli('env');
    expect(stdout).toMatch(/^export KUBECONFIG=.+\nexport NATS_URL=nats:\/\/.+\n$/);
  });

  it('down stops everything it started', async () => {
    await cli('down');
    expect(processesUsing(stateDir)).toEqual([]);
    // The cluster's network lives in its namespaces: with them go its links, routes and rules.
    expect(clusterNamespaces('itest')).toEqual([]);
    await expect(cli('env')).rejects.toThrow(/no local installation/);
  });
});
