// A detached cluster (`mgw dev up --detach`): its node runs as a process of its own, a kill -9 of
// that process is recovered by the next start, and stopLocalCluster (what `mgw dev down` calls,
// from another process) leaves no process, namespace, link or route behind.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { readStartTime, waitFor } from '../harness/process.js';
import type { ProcessRecord } from '../harness/process.js';
import { startLocalCluster, stopLocalCluster } from './cluster.js';
import { clusterNamespaces } from './network.js';
import { KubeRest } from './rest.js';
import type { Pod } from './types.js';

const run = promisify(execFile);
const workDir = mkdtempSync(join(tmpdir(), 'mgw-detached-'));
const name = `detached-${process.pid}`;

function records(): ProcessRecord[] {
  return readdirSync(workDir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.proc.json'))
    .map((e) => JSON.parse(readFileSync(join(e.parentPath, e.name), 'utf8')) as ProcessRecord);
}

function rssMiB(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Math.round(Number(kb) / 1024);
}

afterAll(async () => {
  await stopLocalCluster({ workDir, name });
  rmSync(workDir, { recursive: true, force: true });
});

async function echoReady(cluster: { server: string; adminToken: string; caPath: string }): Promise<void> {
  const rest = new KubeRest({ server: cluster.server, token: cluster.adminToken, ca: readFileSync(cluster.caPath) });
  try {
    await rest.request('POST', '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'echo' },
      spec: { containers: [{ name: 'echo', image: 'registry.k8s.io/gateway-api/echo-basic:v1', readinessProbe: { tcpSocket: { port: 3000 }, periodSeconds: 1 } }] },
    });
    await waitFor(async () => {
      const pod = await rest.request<Pod>('GET', '/api/v1/namespaces/default/pods/echo');
      return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    }, { timeoutMs: 60_000, what: 'the echo Pod to be Ready' });
  } finally {
    rest.close();
  }
}

describe('a detached local cluster', () => {
  it('survives a kill -9 of its node process by restarting clean, and stops without leftovers', async () => {
    const first = await startLocalCluster({ workDir, name, detached: true });
    await echoReady(first);
    const figures = records().map((r) => `${r.name} ${rssMiB(r.pid)} MiB`);
    console.log(`RSS with one Pod: ${figures.join(', ')}`);
    const agent = records().find((r) => r.name === 'node-agent');
    expect(agent).toBeDefined();
    process.kill(agent?.pid ?? 0, 'SIGKILL');
    await waitFor(() => readStartTime(agent?.pid ?? 0) === undefined, { timeoutMs: 10_000, what: 'the node agent to die' });

    // `mgw dev up` again: whatever the crash left (processes, namespaces) is cleaned first.
    const second = await startLocalCluster({ workDir, name, detached: true });
    expect(clusterNamespaces(name)).toEqual([second.network.nodeNamespace]);
    await echoReady(second);

    // `mgw dev down` from another process knows only the work directory and the name.
    const pids = records().map((r) => r.pid);
    await stopLocalCluster({ workDir, name });
    expect(pids.filter((pid) => readStartTime(pid) !== undefined)).toEqual([]);
    expect(clusterNamespaces(name)).toEqual([]);
    expect((await run('ip', ['-o', 'link', 'show'])).stdout).not.toContain(` ${second.network.hostLink}@`);
    expect((await run('ip', ['route', 'show'])).stdout).not.toContain(`10.201.${second.network.index}.`);
  }, 300_000);
});
