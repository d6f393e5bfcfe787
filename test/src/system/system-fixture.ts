// One whole installation for system tests and the quickstart: the local cluster, NATS and the four
// services, plus helpers to apply manifests and read Gateway API objects the way kubectl would.
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { GatewayStatus, InstanceName } from '@microgateway/contracts';
import { NATS_SERVICE_ROLES } from '@microgateway/contracts';
import { parseAllDocuments } from 'yaml';
import type { LocalCluster } from '../cluster/index.js';
import { startLocalCluster } from '../cluster/index.js';
import { serverSideApply } from '../cluster/apply.js';
import type { KubeObject } from '../cluster/rest.js';
import { KubeRest, isNotFound } from '../cluster/rest.js';
import type { NatsHandle, NatsUser } from '../harness/index.js';
import { startNats, waitFor } from '../harness/index.js';
import { natsRoleUser } from '../harness/nats-users.js';
import { repoRoot } from '../toolchain/paths.js';
import type { ControlPlane } from './control-plane.js';
import { startControlPlane } from './control-plane.js';

export interface Installation {
  instance: InstanceName;
  cluster: LocalCluster;
  nats: NatsHandle;
  control: ControlPlane;
  rest: KubeRest;
  workDir: string;
  /** Every NATS user the server knows besides the admin: the services' own and `users` given. */
  natsUsers: NatsUser[];
  stop(): Promise<void>;
}

/**
 * A local cluster, NATS and the four services, each connecting as its own least-privilege NATS
 * user from contracts (the admin stays for the tests' own reads; `users` adds e.g. an auditor).
 */
export async function startInstallation(o: { workDir: string; name: string; instance?: InstanceName; users?: NatsUser[] }): Promise<Installation> {
  const instance = o.instance ?? 'default';
  mkdirSync(o.workDir, { recursive: true });
  const log = (line: string): void => appendFileSync(join(o.workDir, 'installation.log'), `${new Date().toISOString()} ${line}\n`);
  const cluster = await startLocalCluster({ workDir: o.workDir, name: o.name, backoff: { initialMs: 1_000, maxMs: 8_000 }, log });
  const stops: (() => Promise<unknown>)[] = [() => cluster.stop()];
  try {
    const serviceUsers = NATS_SERVICE_ROLES.map((role) => natsRoleUser(instance, role));
    const nats = await startNats({ workDir: join(o.workDir, 'nats'), name: `nats-${o.name}`, users: [...serviceUsers, ...(o.users ?? [])] });
    stops.unshift(() => nats.stop());
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(cluster.kubeconfigPath);
    const control = await startControlPlane({
      instance, workDir: join(o.workDir, 'services'), nats, kubeconfigPath: cluster.kubeconfigPath, kubeConfig, hostAddress: cluster.network.hostAddress, log,
      natsUsers: Object.fromEntries(serviceUsers.map(({ role, user, password }) => [role, { user, password }])),
    });
    stops.unshift(() => control.stop());
    const rest = new KubeRest({ server: cluster.server, token: cluster.adminToken, ca: readFileSync(cluster.caPath) });
    return {
      instance, cluster, nats, control, rest, workDir: o.workDir, natsUsers: [...serviceUsers, ...(o.users ?? [])],
      stop: async () => {
        rest.close();
        for (const stop of stops) await stop().catch(() => undefined);
      },
    };
  } catch (error) {
    for (const stop of stops) await stop().catch(() => undefined);
    throw error;
  }
}

/** The objects of a YAML manifest file (relative to the repository root). */
export function manifest(path: string): KubeObject[] {
  return parseAllDocuments(readFileSync(join(repoRoot(), path), 'utf8'))
    .map((doc) => doc.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null);
}

export async function apply(rest: KubeRest, objects: readonly KubeObject[]): Promise<void> {
  await serverSideApply(rest, objects, 'system-test');
}

export interface GatewayObject extends KubeObject {
  metadata: KubeObject['metadata'] & { generation?: number; uid?: string };
  status?: GatewayStatus;
}

export async function readGateway(rest: KubeRest, namespace: string, name: string): Promise<GatewayObject | undefined> {
  try {
    return await rest.request<GatewayObject>('GET', `/apis/gateway.networking.k8s.io/v1/namespaces/${namespace}/gateways/${name}`);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

interface ConditionLike {
  type: string;
  status: string;
  reason: string;
  message: string;
}

export function condition(object: { status?: { conditions?: ConditionLike[] } } | undefined, type: string): ConditionLike | undefined {
  return object?.status?.conditions?.find((c) => c.type === type);
}

/** Waits until the Gateway is Programmed and has an address; returns it. */
export async function waitProgrammed(rest: KubeRest, namespace: string, name: string, timeoutMs = 120_000): Promise<{ gateway: GatewayObject; address: string }> {
  return waitFor(
    async () => {
      const gateway = await readGateway(rest, namespace, name);
      const address = gateway?.status?.addresses?.[0]?.value;
      return gateway !== undefined && condition(gateway, 'Programmed')?.status === 'True' && address !== undefined ? { gateway, address } : undefined;
    },
    { timeoutMs, what: `Gateway ${namespace}/${name} Programmed with an address`, intervalMs: 250 },
  );
}

/** GET through the Gateway; status 0 when the connection failed. */
export async function httpGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  try {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(3_000) });
    return { status: res.status, body: await res.text() };
  } catch (error) {
    return { status: 0, body: String(error) };
  }
}
