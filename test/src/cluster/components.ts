// kube-controller-manager (host namespace, loopback to the apiserver) and kube-proxy (in the
// cluster's node namespace, reaching the apiserver through the relay), as DESIGN.md §7 runs them.
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort, startProcess, waitFor } from '../harness/process.js';
import type { ProcessHandle } from '../harness/process.js';
import { toolPaths } from '../toolchain/paths.js';
import { API_RELAY_PORT } from './forwarder.js';
import type { ClusterNetwork } from './network.js';

export interface ControllerManagerOptions {
  dir: string;
  kubeconfigPath: string;
  serviceAccountPrivateKeyPath: string;
  caPath: string;
  clusterName: string;
  detached?: boolean;
}

export async function startControllerManager(o: ControllerManagerOptions): Promise<ProcessHandle> {
  const port = await freePort();
  const proc = startProcess({
    name: 'kube-controller-manager',
    command: toolPaths().kubeControllerManager,
    args: [
      `--kubeconfig=${o.kubeconfigPath}`,
      `--authentication-kubeconfig=${o.kubeconfigPath}`,
      `--authorization-kubeconfig=${o.kubeconfigPath}`,
      '--leader-elect=false',
      '--controllers=*',
      `--service-account-private-key-file=${o.serviceAccountPrivateKeyPath}`,
      // Published as the kube-root-ca.crt ConfigMap in every namespace (projected SA volumes).
      `--root-ca-file=${o.caPath}`,
      `--cluster-name=${o.clusterName}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${port}`,
      `--cert-dir=${join(o.dir, 'controller-manager-certs')}`,
      '--v=1',
    ],
    logFile: join(o.dir, 'kube-controller-manager.log'),
    detached: o.detached,
    registryDir: o.dir,
  });
  await waitFor(() => canConnect(port), { timeoutMs: 60_000, what: `kube-controller-manager on 127.0.0.1:${port}`, process: proc, intervalMs: 200 });
  return proc;
}

export interface KubeProxyOptions {
  dir: string;
  net: ClusterNetwork;
  nodeName: string;
  adminToken: string;
  caPath: string;
  detached?: boolean;
}

export function startKubeProxy(o: KubeProxyOptions): ProcessHandle {
  const kubeconfig = join(o.dir, 'kube-proxy.kubeconfig');
  writeFileSync(
    kubeconfig,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{
        name: 'local',
        cluster: {
          server: `https://${o.net.hostAddress}:${API_RELAY_PORT}`,
          'certificate-authority-data': readFileSync(o.caPath).toString('base64'),
          // The relay's address is not in the serving certificate; this name is.
          'tls-server-name': 'kubernetes',
        },
      }],
      users: [{ name: 'kube-proxy', user: { token: o.adminToken } }],
      contexts: [{ name: 'kube-proxy', context: { cluster: 'local', user: 'kube-proxy' } }],
      'current-context': 'kube-proxy',
    }),
    { mode: 0o600 },
  );
  return startProcess({
    name: 'kube-proxy',
    command: 'nsenter',
    args: [
      `--net=/run/netns/${o.net.nodeNamespace}`,
      '--',
      toolPaths().kubeProxy,
      `--kubeconfig=${kubeconfig}`,
      '--proxy-mode=iptables',
      `--hostname-override=${o.nodeName}`,
      `--cluster-cidr=${o.net.podCidr}`,
      // Leave the machine-wide conntrack table size and timeouts alone.
      '--conntrack-max-per-core=0',
      '--conntrack-tcp-timeout-established=0',
      '--conntrack-tcp-timeout-close-wait=0',
      '--metrics-bind-address=127.0.0.1:10249',
      '--healthz-bind-address=127.0.0.1:10256',
      '--iptables-sync-period=1s',
      '--iptables-min-sync-period=0s',
      '--v=1',
    ],
    logFile: join(o.dir, 'kube-proxy.log'),
    detached: o.detached,
    registryDir: o.dir,
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
