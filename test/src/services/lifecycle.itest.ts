// Every service, started the way a Pod starts it (`node services/<name>/dist/main.js`), against a
// real NATS (and a real apiserver for those that use Kubernetes): it serves its probes and metrics, follows NATS's availability in /readyz, and drains
// and exits 0 on SIGTERM. Needs the services built (`npx tsc -b` at the repository root).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { SYSTEM_NAMESPACE } from '@microgateway/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts, startKubeControlPlane, startNats, startProcess, tail, waitFor, type KubeControlPlane, type NatsHandle, type ProcessHandle } from '../harness/index.js';
import { repoRoot } from '../toolchain/paths.js';

const SERVICES = ['watcher', 'renderer', 'ca', 'deployer'] as const;
type ServiceName = (typeof SERVICES)[number];

/** Kept below the harness's SIGKILL timeout so a hanging drain shows as a failure, not a kill. */
const SHUTDOWN_TIMEOUT_MS = 5_000;
const READY_TIMEOUT_MS = 30_000;

interface RunningService {
  name: ServiceName;
  url: string;
  proc: ProcessHandle;
}

describe('service lifecycle', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'mgw-lifecycle-'));
  let nats: NatsHandle | undefined;
  let kube: KubeControlPlane | undefined;
  const running: RunningService[] = [];

  beforeAll(async () => {
    for (const name of SERVICES) {
      const main = mainOf(name);
      if (!existsSync(main)) throw new Error(`${main} is missing: build first (npx tsc -b at the repository root)`);
    }
    // An explicit workDir: NatsHandle.stop() keeps it, so restart() can bring the same server back.
    nats = await startNats({ name: 'lifecycle', workDir: join(workDir, 'nats') });
    kube = await startKubeControlPlane({ crds: 'standard' });
    // What the install manifests create before the services start.
    await kube.kubeConfig().makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: SYSTEM_NAMESPACE } } });
    // The file carries what has no MGW_* override; the variables carry the rest, as in a Pod.
    const configFile = join(workDir, 'config.yaml');
    writeFileSync(configFile, `shutdownTimeoutMs: ${SHUTDOWN_TIMEOUT_MS}\nlogLevel: debug\n`);
    const ports = await freePorts(SERVICES.length);
    SERVICES.forEach((name, i) => running.push(startService(name, { port: ports[i] ?? 0, nats: nats as NatsHandle, kubeconfig: (kube as KubeControlPlane).kubeconfigPath, workDir, configFile })));
    await Promise.all(running.map((service) => waitForReadiness(service, 200)));
  });

  afterAll(async () => {
    await Promise.all(running.map((service) => service.proc.stop(2_000)));
    await nats?.stop();
    await kube?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  it.each(SERVICES)('%s answers /healthz and /readyz with 200 while NATS is up', async (name) => {
    const service = byName(running, name);
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${service.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, checks: { nats: { ready: true } } });
  });

  it.each(SERVICES)('%s exposes mgw_service_info and its NATS state on /metrics', async (name) => {
    const text = await (await fetch(`${byName(running, name).url}/metrics`)).text();
    expect(text).toMatch(new RegExp(`^mgw_service_info\\{service="${name}",instance="default",version="[^"]+"\\} 1$`, 'm'));
    expect(text).toMatch(/^mgw_nats_connected 1$/m);
    expect(text).toMatch(/^mgw_process_resident_memory_bytes \d+/m);
  });

  it('every service reports not ready while NATS is down, stays alive, and is ready again after it returns', async () => {
    const handle = nats as NatsHandle;
    await handle.stop();
    await Promise.all(running.map((service) => waitForReadiness(service, 503)));
    for (const service of running) {
      const body = (await (await fetch(`${service.url}/readyz`)).json()) as { checks: { nats: { ready: boolean; reason?: string } } };
      expect(body.checks.nats).toMatchObject({ ready: false, reason: expect.stringContaining('disconnected from NATS') });
      expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    }
    await handle.restart();
    await Promise.all(running.map((service) => waitForReadiness(service, 200)));
    for (const service of running) {
      expect(await (await fetch(`${service.url}/metrics`)).text()).toMatch(/^mgw_nats_reconnects_total 1$/m);
    }
  });

  it.each(SERVICES)('%s drains and exits 0 on SIGTERM', async (name) => {
    const service = byName(running, name);
    const started = Date.now();
    const exit = await service.proc.stop(SHUTDOWN_TIMEOUT_MS + 5_000);
    expect(exit, tail(service.proc.logs())).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    const messages = logLines(service.proc.logs()).map((line) => line.msg);
    expect(messages).toContain('draining: reporting not ready, stopping the service, draining NATS');
    expect(messages).toContain('drained; exiting');
    // The file was read: the drain announced its bound from it.
    expect(service.proc.logs()).toContain(`"timeoutMs":${SHUTDOWN_TIMEOUT_MS}`);
  });
});

function mainOf(name: ServiceName): string {
  return join(repoRoot(), 'services', name, 'dist', 'main.js');
}

interface ServiceSetup {
  port: number;
  nats: NatsHandle;
  /** Services without a Kubernetes section in their config ignore it. */
  kubeconfig: string;
  workDir: string;
  configFile: string;
}

function startService(name: ServiceName, { port, nats, kubeconfig, workDir, configFile }: ServiceSetup): RunningService {
  const proc = startProcess({
    name,
    command: process.execPath,
    args: [mainOf(name), '--config', configFile],
    logFile: join(workDir, `${name}.log`),
    // Set every variable the services read, so nothing from the developer's shell leaks in
    // (an empty variable counts as unset).
    env: {
      MGW_CONFIG: '',
      MGW_INSTANCE: 'default',
      MGW_HTTP_PORT: String(port),
      MGW_NATS_URL: nats.url,
      MGW_NATS_USER: nats.admin.user,
      MGW_NATS_PASSWORD: nats.admin.password,
      MGW_NATS_CREDS: '',
      MGW_KUBECONFIG: kubeconfig,
    },
  });
  return { name, url: `http://127.0.0.1:${port}`, proc };
}

async function waitForReadiness(service: RunningService, status: 200 | 503): Promise<void> {
  await waitFor(async () => (await fetch(`${service.url}/readyz`)).status === status, {
    timeoutMs: READY_TIMEOUT_MS,
    what: `${service.name} /readyz ${status}`,
    process: service.proc,
  });
}

function byName(running: readonly RunningService[], name: ServiceName): RunningService {
  const service = running.find((s) => s.name === name);
  if (!service) throw new Error(`${name} was not started`);
  return service;
}

function logLines(text: string): { msg?: string }[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg?: string });
}
