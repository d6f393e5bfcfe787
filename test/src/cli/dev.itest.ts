// `mgw dev up --detach` / `env --json` / `events` / `down` as a user runs them: the real CLI in a
// child process, the whole installation behind it (local cluster, NATS, the four services, the
// quickstart example served by a real Engine), and proof that `down` leaves no process behind.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { connect } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterNamespaces } from '../cluster/index.js';
import { repoRoot } from '../toolchain/paths.js';

const run = promisify(execFile);
const mgw = join(repoRoot(), 'test', 'bin', 'mgw.mjs');
const stateDir = mkdtempSync(join(tmpdir(), 'mgw-dev-itest-'));
const target = ['--name', 'itest', '--state-dir', stateDir];
const cli = (...args: string[]) => run(process.execPath, [mgw, 'dev', ...args, ...target], { timeout: 300_000 });

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

/** The first line `mgw dev events` prints; the command is stopped with Ctrl-C (SIGINT) after it. */
async function firstEventLine(): Promise<{ line: string; exitCode: number | null }> {
  const child = spawn(process.execPath, [mgw, 'dev', 'events', ...target], { stdio: ['ignore', 'pipe', 'pipe'] });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  try {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let line = '';
    for await (const l of createInterface({ input: child.stdout })) {
      line = l;
      break;
    }
    child.kill('SIGINT');
    return { line, exitCode: await exited };
  } finally {
    clearTimeout(timer);
  }
}

function expectNothingLeft(): void {
  expect(processesUsing(stateDir)).toEqual([]);
  // The cluster's network lives in its namespaces: with them go its links, routes and rules.
  expect(clusterNamespaces('itest')).toEqual([]);
}

describe('mgw dev', () => {
  let curlUrl = '';

  afterAll(async () => {
    await cli('down').catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
  }, 120_000);

  it('up --detach returns once the example serves and prints how to use it', async () => {
    const { stdout } = await cli('up', '--detach');
    curlUrl = /^ {4}curl (http:\/\/\S+)$/m.exec(stdout)?.[1] ?? '';
    expect(curlUrl, stdout).not.toBe('');
    expect(stdout).toContain(`export KUBECONFIG=${join(stateDir, 'kube', 'admin.kubeconfig')}`);
    expect(stdout).toMatch(/get gatewayclasses,gateways,httproutes -A|curl --cacert/);
    expect(stdout).toContain('npx mgw dev events --name itest');
    expect(stdout).toContain('mgw dev down');
    // etcd, kube-apiserver, controller-manager, kube-proxy, the node agent, nats-server, the four services
    expect(processesUsing(stateDir).length).toBeGreaterThanOrEqual(10);
    expect(clusterNamespaces('itest').length).toBeGreaterThan(0);
  }, 300_000);

  it('the printed curl reaches the echo app through the Engine', async () => {
    const res = await fetch(curlUrl, { signal: AbortSignal.timeout(5_000) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ path: '/', namespace: 'demo' });
  });

  it('events prints the CloudEvents of the instance, one JSON per line, until Ctrl-C', async () => {
    const { line, exitCode } = await firstEventLine();
    expect(JSON.parse(line)).toMatchObject({ specversion: '1.0', type: expect.stringMatching(/^dev\.microgateway\./) as unknown });
    expect(exitCode).toBe(0);
  });

  it('env --json gives a kubeconfig and a NATS URL that work', async () => {
    const { stdout } = await cli('env', '--json');
    const env = JSON.parse(stdout) as { kubeconfig: string; natsUrl: string };

    const kc = new KubeConfig();
    kc.loadFromFile(env.kubeconfig);
    const namespaces = await kc.makeApiClient(CoreV1Api).listNamespace();
    expect(namespaces.items.map((n) => n.metadata?.name)).toEqual(expect.arrayContaining(['kube-system', 'microgateway-system', 'demo']));
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
    expectNothingLeft();
    await expect(cli('env')).rejects.toThrow(/no local installation/);
  });

  it('a second up, with the toolchain cached, takes seconds and serves again', async () => {
    const started = Date.now();
    const { stdout } = await cli('up', '--detach');
    const seconds = (Date.now() - started) / 1000;
    console.log(`second \`mgw dev up --detach\`: ${seconds.toFixed(1)}s to a Gateway that serves`);
    const url = /^ {4}curl (http:\/\/\S+)$/m.exec(stdout)?.[1] ?? '';
    expect((await fetch(url, { signal: AbortSignal.timeout(5_000) })).status).toBe(200);
    expect(seconds).toBeLessThan(120);
    await cli('down');
    expectNothingLeft();
  }, 300_000);
});
