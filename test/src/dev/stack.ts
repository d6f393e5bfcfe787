import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { InstanceName } from '@microgateway/contracts';
import { NATS_SERVICE_ROLES } from '@microgateway/contracts';
import type { LocalCluster } from '../cluster/index.js';
import { startLocalCluster, stopLocalCluster } from '../cluster/index.js';
import type { NatsHandle } from '../harness/index.js';
import { killRecordedProcesses, startNats } from '../harness/index.js';
import { natsRoleUser } from '../harness/nats-users.js';
import type { ControlPlane } from '../system/control-plane.js';
import { startControlPlane } from '../system/control-plane.js';
import type { RunningExample } from './example.js';
import { EXAMPLE_GATEWAY, EXAMPLE_MANIFEST, applyExample } from './example.js';
import type { DevState } from './state.js';
import { readDevState, removeDevState, writeDevState } from './state.js';

export interface DevStackOptions {
  name: string;
  stateDir: string;
  /** Leave the processes running after this process exits (`mgw dev up --detach`). */
  detached: boolean;
  log: (line: string) => void;
}

export interface DevStack {
  state: DevState;
  stop(): Promise<void>;
}

/** The example's GatewayClass names this controller (`microgateway.dev/default`). */
const INSTANCE: InstanceName = 'default';

/** Where the pieces keep their files under the state directory. */
const servicesDir = (stateDir: string): string => join(stateDir, 'services');
const natsDir = (stateDir: string): string => join(stateDir, 'nats');

/**
 * Starts the whole local installation: the local cluster (etcd, kube-apiserver with the Gateway API
 * CRDs, kube-controller-manager, kube-proxy and the node agent that runs Pods as processes), NATS
 * with JetStream, the four services (ca, renderer, watcher, deployer) as host processes, and the
 * quickstart example, and returns once its Gateway serves. Whatever a crashed earlier run left
 * behind is cleaned first.
 */
export async function startDevStack(opts: DevStackOptions): Promise<DevStack> {
  await cleanLeftovers(opts);
  mkdirSync(opts.stateDir, { recursive: true });
  const step = timer(opts.log);
  const started: { stop(): Promise<void> }[] = [];
  try {
    step.begin('the local cluster (etcd, kube-apiserver, controller-manager, kube-proxy, node agent)');
    // A short container restart backoff: an Engine that starts before its bootstrap Secret is
    // written retries within a second or two, not after the kubelet's 10 s.
    const kube = await startLocalCluster({
      workDir: opts.stateDir, name: opts.name, detached: opts.detached, log: opts.log, backoff: { initialMs: 1_000, maxMs: 8_000 },
    });
    started.push(kube);
    step.end();

    step.begin('NATS with JetStream');
    // Each service logs in as its own least-privilege user, as deploy/ runs them; the admin is for you.
    const serviceUsers = NATS_SERVICE_ROLES.map((role) => natsRoleUser(INSTANCE, role));
    const nats = await startNats({ workDir: natsDir(opts.stateDir), detached: opts.detached, name: `mgw-${opts.name}`, users: serviceUsers });
    started.push(nats);
    step.end();

    step.begin('the control plane (ca, renderer, watcher, deployer)');
    const control = await startControlPlane({
      instance: INSTANCE, workDir: servicesDir(opts.stateDir), nats, kubeconfigPath: kube.kubeconfigPath, kubeConfig: kube.kubeConfig(),
      hostAddress: kube.network.hostAddress, detached: opts.detached, log: (service) => opts.log(`  starting ${service}`),
      natsUsers: Object.fromEntries(serviceUsers.map(({ role, user, password }) => [role, { user, password }])),
    });
    started.push(control);
    step.end();

    step.begin(`the example ${EXAMPLE_MANIFEST} (Gateway ${EXAMPLE_GATEWAY.namespace}/${EXAMPLE_GATEWAY.name} → echo app)`);
    const example = await applyExample(kube, (line) => opts.log(`  ${line}`));
    step.end();
    return ready(opts, kube, nats, control, example);
  } catch (err) {
    // A half-started installation is worse than none: stop what did start, then report.
    for (const part of started.reverse()) await part.stop().catch(() => undefined);
    await killRecordedProcesses(opts.stateDir);
    throw err;
  }
}

function ready(opts: DevStackOptions, kube: LocalCluster, nats: NatsHandle, control: ControlPlane, example: RunningExample): DevStack {
  const state: DevState = {
    name: opts.name,
    stateDir: opts.stateDir,
    startedAt: new Date().toISOString(),
    detached: opts.detached,
    supervisorPid: process.pid,
    kubeconfig: kube.kubeconfigPath,
    kubeServer: kube.server,
    kubeCaPath: kube.caPath,
    podsDir: kube.podsDir,
    nats: { url: nats.url, user: nats.admin.user, password: nats.admin.password },
    instance: INSTANCE,
    services: [...control.services.values()].map((s) => ({ name: s.name, pid: s.proc.pid, url: s.url, log: s.proc.logFile })),
    example,
  };
  writeDevState(state);
  return {
    state,
    stop: async () => {
      // The services first, while NATS and the apiserver they talk to are still there.
      await control.stop();
      await nats.stop();
      await kube.stop();
      await stopLocalCluster({ workDir: opts.stateDir, name: opts.name });
      await killRecordedProcesses(opts.stateDir);
      removeDevState(opts.stateDir);
    },
  };
}

/** Stops a stack started earlier, detached or crashed, from its state directory and name. */
export async function stopDevStack(stateDir: string, name: string): Promise<boolean> {
  const state = readDevState(stateDir);
  await stopRecorded(stateDir, state?.name ?? name);
  removeDevState(stateDir);
  return state !== undefined;
}

/** Services, then NATS, then the cluster: each stops while what it talks to is still up. */
async function stopRecorded(stateDir: string, name: string): Promise<void> {
  await killRecordedProcesses(servicesDir(stateDir));
  await killRecordedProcesses(natsDir(stateDir));
  await stopLocalCluster({ workDir: stateDir, name });
  await killRecordedProcesses(stateDir);
}

async function cleanLeftovers(opts: DevStackOptions): Promise<void> {
  const previous = readDevState(opts.stateDir);
  if (previous) opts.log(`cleaning up a previous run of "${previous.name}" (started ${previous.startedAt})`);
  await stopRecorded(opts.stateDir, previous?.name ?? opts.name);
  removeDevState(opts.stateDir);
  // Every start creates a fresh cluster (etcd begins empty), so JetStream's buckets and streams,
  // which describe the previous cluster's objects, go too.
  rmSync(natsDir(opts.stateDir), { recursive: true, force: true });
}

function timer(log: (line: string) => void): { begin(what: string): void; end(): void } {
  let started = 0;
  let label = '';
  return {
    begin(what) {
      label = what;
      started = Date.now();
      log(`starting ${what} ...`);
    },
    end() {
      log(`${label}: ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    },
  };
}
