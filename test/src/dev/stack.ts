import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalCluster } from '../cluster/index.js';
import { startLocalCluster, stopLocalCluster } from '../cluster/index.js';
import type { NatsHandle } from '../harness/index.js';
import { killRecordedProcesses, startNats } from '../harness/index.js';
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

/**
 * Starts what the local installation consists of so far: the local cluster (etcd, kube-apiserver
 * with the Gateway API CRDs, kube-controller-manager, kube-proxy and the node agent that runs Pods
 * as processes) and NATS with JetStream. The four services and an example arrive with the
 * end-to-end work. Whatever a crashed earlier run left behind is cleaned first.
 */
export async function startDevStack(opts: DevStackOptions): Promise<DevStack> {
  await cleanLeftovers(opts);
  mkdirSync(opts.stateDir, { recursive: true });
  const step = timer(opts.log);
  const started: { stop(): Promise<void> }[] = [];
  try {
    step.begin('the local cluster (etcd, kube-apiserver, controller-manager, kube-proxy, node agent)');
    const kube = await startLocalCluster({ workDir: opts.stateDir, name: opts.name, detached: opts.detached, log: opts.log });
    started.push(kube);
    step.end();

    step.begin('NATS with JetStream');
    const nats = await startNats({ workDir: join(opts.stateDir, 'nats'), detached: opts.detached, name: `mgw-${opts.name}` });
    started.push(nats);
    step.end();
    return ready(opts, kube, nats);
  } catch (err) {
    // A half-started installation is worse than none: stop what did start, then report.
    for (const part of started.reverse()) await part.stop().catch(() => undefined);
    await killRecordedProcesses(opts.stateDir);
    throw err;
  }
}

function ready(opts: DevStackOptions, kube: LocalCluster, nats: NatsHandle): DevStack {
  const state: DevState = {
    name: opts.name,
    stateDir: opts.stateDir,
    startedAt: new Date().toISOString(),
    detached: opts.detached,
    supervisorPid: process.pid,
    kubeconfig: kube.kubeconfigPath,
    kubeServer: kube.server,
    podsDir: kube.podsDir,
    nats: { url: nats.url, user: nats.admin.user, password: nats.admin.password },
  };
  writeDevState(state);
  return {
    state,
    stop: async () => {
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
  await stopLocalCluster({ workDir: stateDir, name: state?.name ?? name });
  await killRecordedProcesses(stateDir);
  removeDevState(stateDir);
  return state !== undefined;
}

async function cleanLeftovers(opts: DevStackOptions): Promise<void> {
  const previous = readDevState(opts.stateDir);
  if (previous) opts.log(`cleaning up a previous run of "${previous.name}" (started ${previous.startedAt})`);
  await stopLocalCluster({ workDir: opts.stateDir, name: previous?.name ?? opts.name });
  await killRecordedProcesses(opts.stateDir);
  removeDevState(opts.stateDir);
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
