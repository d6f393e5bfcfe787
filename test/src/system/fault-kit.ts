// What the fault tests need beyond the system fixture: traffic loops that count every failed
// request, extra renderer replicas, a restart of the kube-apiserver on its own etcd, and a second
// (Python) JSON Schema validator for the events. The auditor's NATS user comes from startInstallation.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InstanceName } from '@microgateway/contracts';
import { SYSTEM_NAMESPACE, natsIdentity, rendererServingSecretName } from '@microgateway/contracts';
import type { LocalCluster } from '../cluster/index.js';
import type { KubeObject } from '../cluster/rest.js';
import type { KubeRest } from '../cluster/rest.js';
import type { ProcessHandle } from '../harness/index.js';
import { freePort, startProcess, waitFor } from '../harness/index.js';
import { readStartTime } from '../harness/process.js';
import { repoRoot } from '../toolchain/paths.js';
import type { RunningService } from './control-plane.js';
import type { Installation } from './system-fixture.js';
import { httpGet } from './system-fixture.js';

// ---------------------------------------------------------------------------------------------
// Traffic

export interface TrafficLoop {
  ok(): number;
  failures(): string[];
  /** Ends the loop; resolves after the request in flight. */
  stop(): Promise<{ ok: number; failures: string[] }>;
}

/** GETs `url` back to back; a request fails unless `accept` says so (default: status 200). */
export function startTraffic(url: string, accept: (r: { status: number; body: string }) => boolean = (r) => r.status === 200): TrafficLoop {
  let running = true;
  let ok = 0;
  const failures: string[] = [];
  const loop = (async () => {
    while (running) {
      const r = await httpGet(url);
      if (accept(r)) ok += 1;
      else failures.push(`${new Date().toISOString()} ${r.status} ${r.body.slice(0, 120)}`);
    }
  })();
  return {
    ok: () => ok,
    failures: () => [...failures],
    stop: async () => {
      running = false;
      await loop;
      return { ok, failures };
    },
  };
}

/** The value of the `X-Route` header echo-basic saw, or undefined (no such header, not 200, not echo). */
export function routeHeader(r: { status: number; body: string }): string | undefined {
  if (r.status !== 200) return undefined;
  try {
    return (JSON.parse(r.body) as { headers?: Record<string, string[]> }).headers?.['X-Route']?.[0];
  } catch {
    return undefined;
  }
}

/** An HTTPRoute on `edge` for one path prefix that tags requests with `x-route: <tag>`. */
export function taggedRoute(namespace: string, name: string, path: string, tag: string, gateway = 'edge'): KubeObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name, namespace },
    spec: {
      parentRefs: [{ name: gateway }],
      rules: [{
        matches: [{ path: { type: 'PathPrefix', value: path } }],
        filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-route', value: tag }] } }],
        backendRefs: [{ name: 'echo', port: 8080 }],
      }],
    },
  } as KubeObject;
}

// ---------------------------------------------------------------------------------------------
// Extra renderer replicas

/** Reads one metric (summed over its series) from a service's /metrics, as RunningService.metric does. */
export async function readMetric(url: string, name: string, labels?: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const wanted = labels === undefined ? name : `${name}{${labels}}`;
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${wanted} `) || (labels === undefined && l.startsWith(`${name}{`)))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

interface LaunchOptions {
  service: 'ca' | 'renderer' | 'watcher' | 'deployer';
  instance: InstanceName;
  /** Distinguishes this process's files and POD_NAME from the control plane's own. */
  label: string;
  /** YAML appended to the config file. */
  config: string;
}

/**
 * A service process started the way control-plane.ts starts its own (which exports no launcher):
 * built dist/main.js, a config file, every MGW_* variable set, the service's own NATS user (which
 * startInstallation must have registered: its own instance's always, another's through `users`).
 */
export async function launchService(install: Installation, o: LaunchOptions): Promise<RunningService> {
  const wanted = natsIdentity(o.instance, o.service).user;
  const credentials = install.natsUsers.find((u) => u.user === wanted);
  if (!credentials) throw new Error(`NATS user ${wanted} is not registered: pass natsRoleUser('${o.instance}', '${o.service}') to startInstallation's users`);
  const workDir = join(install.workDir, 'services');
  mkdirSync(workDir, { recursive: true });
  const port = await freePort();
  const configFile = join(workDir, `${o.label}.yaml`);
  writeFileSync(configFile, `shutdownTimeoutMs: 10000\nlogLevel: info\n${o.config}`);
  const proc = startProcess({
    name: `mgw-${o.label}`,
    command: process.execPath,
    args: [join(repoRoot(), 'services', o.service, 'dist', 'main.js'), '--config', configFile],
    logFile: join(workDir, `${o.label}.log`),
    registryDir: workDir,
    env: {
      MGW_CONFIG: '', MGW_INSTANCE: o.instance, MGW_HTTP_PORT: String(port), MGW_NATS_URL: install.nats.url,
      MGW_NATS_USER: credentials.user, MGW_NATS_PASSWORD: credentials.password, MGW_NATS_CREDS: '',
      MGW_KUBECONFIG: install.cluster.kubeconfigPath, POD_NAME: `${o.label}-${process.pid}`,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  return { name: o.service, url, proc, metric: (name, labels) => readMetric(url, name, labels) };
}

export async function waitServiceReady(service: RunningService): Promise<void> {
  await waitFor(async () => (await fetch(`${service.url}/readyz`).catch(() => undefined))?.status === 200, {
    timeoutMs: 90_000, what: `${service.proc.name} /readyz`, process: service.proc,
  });
}

function rendererConfig(tlsDir: string, host: string, port: number): string {
  return `xds:\n  tlsDir: ${tlsDir}\n  host: ${host}\n  port: ${port}\n  shutdownGraceSeconds: 1\n`;
}

/**
 * One more renderer replica with the same serving certificate as the first and its own xDS port:
 * replicas on one host cannot share a port (grpc-js sets no SO_REUSEPORT); in a cluster each is
 * its own Pod behind the renderer Service.
 */
export async function startRendererReplica(install: Installation, replica: string, xdsPort: number): Promise<RunningService> {
  const tlsDir = join(install.workDir, 'services', 'renderer-xds-tls');
  const service = await launchService(install, {
    service: 'renderer', instance: install.instance, label: `renderer-${replica}`, config: rendererConfig(tlsDir, install.cluster.network.hostAddress, xdsPort),
  });
  await waitServiceReady(service);
  return service;
}

/**
 * A second instance's four services on the same cluster and NATS, its renderer on its own xDS
 * port (control-plane.ts always binds XDS_SERVER_PORT, which the first instance holds).
 */
export async function startSecondInstance(install: Installation, instance: InstanceName, xdsPort: number): Promise<RunningService[]> {
  const host = install.cluster.network.hostAddress;
  const tlsDir = join(install.workDir, 'services', `${instance}-renderer-xds-tls`);
  const services: RunningService[] = [];
  try {
    services.push(await launchService(install, { service: 'ca', instance, label: `${instance}-ca`, config: '' }));
    const name = rendererServingSecretName(instance);
    const secret = await waitFor(
      async () => install.rest.request<{ data?: Record<string, string> }>('GET', `/api/v1/namespaces/${SYSTEM_NAMESPACE}/secrets/${name}`).catch(() => undefined),
      { timeoutMs: 60_000, what: `the ${instance} ca's serving Secret` },
    );
    mkdirSync(tlsDir, { recursive: true });
    for (const [key, value] of Object.entries(secret.data ?? {})) writeFileSync(join(tlsDir, key), Buffer.from(value, 'base64'));
    services.push(await launchService(install, { service: 'renderer', instance, label: `${instance}-renderer`, config: rendererConfig(tlsDir, host, xdsPort) }));
    services.push(await launchService(install, { service: 'watcher', instance, label: `${instance}-watcher`, config: '' }));
    services.push(await launchService(install, {
      service: 'deployer', instance, label: `${instance}-deployer`, config: `deployer:\n  engine:\n    xdsServerAddress: ${host}\n    xdsServerPort: ${xdsPort}\n`,
    }));
    for (const service of services) await waitServiceReady(service);
    return services;
  } catch (error) {
    for (const service of services) await service.proc.stop().catch(() => undefined);
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// kube-apiserver restart (the harness has none): same binary, flags and --cert-dir, so the serving
// certificate and the port stay and every client's kubeconfig stays valid; etcd keeps running.

function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
  } catch {
    return [];
  }
}

function findApiserver(cluster: LocalCluster): { pid: number; argv: string[] } {
  const port = new URL(cluster.server).port;
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    const argv = cmdline(Number(entry));
    if (argv[0]?.endsWith('kube-apiserver') && argv.includes(`--secure-port=${port}`)) return { pid: Number(entry), argv };
  }
  throw new Error(`no kube-apiserver with --secure-port=${port}`);
}

/** Stops the apiserver (SIGTERM, SIGKILL after 10 s), starts it again on the same etcd and waits until it serves. Returns the new process and the downtime. */
export async function restartApiserver(cluster: LocalCluster, rest: KubeRest, logDir: string): Promise<{ proc: ProcessHandle; downMs: number }> {
  const { pid, argv } = findApiserver(cluster);
  const started = Date.now();
  // SIGTERM starts its graceful drain, which open watches can hold up for a minute: SIGKILL after 10 s.
  process.kill(-pid, 'SIGTERM');
  const gone = (): boolean => readStartTime(pid) === undefined;
  await waitFor(gone, { timeoutMs: 10_000, what: `kube-apiserver ${pid} gone`, intervalMs: 100 }).catch(() => process.kill(-pid, 'SIGKILL'));
  await waitFor(gone, { timeoutMs: 10_000, what: `kube-apiserver ${pid} gone after SIGKILL`, intervalMs: 100 });
  const [command, ...args] = argv as [string, ...string[]];
  const proc = startProcess({ name: 'kube-apiserver-restarted', command, args, logFile: join(logDir, 'kube-apiserver-restarted.log'), registryDir: logDir });
  // Ready for us once the CRD-backed Gateway API paths are installed again (before that: 404/503).
  await waitFor(async () => (await rest.request('GET', '/apis/gateway.networking.k8s.io/v1/httproutes?limit=1').then(() => true, () => false)) || undefined, {
    timeoutMs: 120_000, what: 'the restarted kube-apiserver', process: proc, intervalMs: 200,
  });
  return { proc, downMs: Date.now() - started };
}

// ---------------------------------------------------------------------------------------------
// The second validator

const SCHEMA_DIR = join(repoRoot(), 'libs', 'contracts', 'generated', 'events');

const PYTHON_VALIDATOR = `
import json, os, sys
from jsonschema import Draft202012Validator, FormatChecker
d = sys.argv[1]
schemas = {f[:-len('.schema.json')]: json.load(open(os.path.join(d, f))) for f in os.listdir(d) if f.endswith('.schema.json')}
union = Draft202012Validator(schemas.pop('microgateway-event'), format_checker=FormatChecker())
errors = []
events = json.load(sys.stdin)
for i, e in enumerate(events):
    s = schemas.get(e.get('type'))
    if s is None:
        errors.append(f"{i}: no schema for type {e.get('type')}")
        continue
    for v in (Draft202012Validator(s, format_checker=FormatChecker()), union):
        for err in v.iter_errors(e):
            errors.append(f"{i} {e.get('type')} {e.get('subject')}: {err.message[:200]}")
print(json.dumps({"checked": len(events), "errors": errors}))
`;

/** Validates events with Python's jsonschema against the published schemas (type-specific and the union). */
export function validateWithPython(events: unknown[]): { checked: number; errors: string[] } {
  const run = spawnSync('python3', ['-c', PYTHON_VALIDATOR, SCHEMA_DIR], { input: JSON.stringify(events), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`python3 jsonschema failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as { checked: number; errors: string[] };
}
