// A Kubernetes control plane from local binaries: etcd + kube-apiserver (as envtest runs them,
// plus what 1.37 needs, see DESIGN.md §7), with the Gateway API CRDs and ours (deploy/crds)
// installed. Identities are bearer tokens: an admin from a token file (group system:masters) and
// service accounts whose tokens come from the TokenRequest API, so RBAC is enforced for everyone
// but the admin.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiextensionsV1Api, CoreV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy, loadYaml } from '@kubernetes/client-node';
import type { KubernetesObject, V1CustomResourceDefinition } from '@kubernetes/client-node';
import { parseAllDocuments, stringify } from 'yaml';
import { repoRoot, toolPaths } from '../toolchain/paths.js';
import { freePorts, startProcess, waitFor } from './process.js';
import type { ProcessHandle } from './process.js';

export type CrdChannel = 'standard' | 'experimental' | 'none';

export interface StartKubeOptions {
  /** Data, certificates, kubeconfigs and logs; a temporary directory (removed on stop) when absent. */
  workDir?: string;
  /** Keep etcd and kube-apiserver running after this process exits (`mgw dev up --detach`). */
  detached?: boolean;
  /** Which Gateway API CRDs to install, each time with ours from deploy/crds ('none': no CRDs at all); default 'standard'. */
  crds?: CrdChannel;
  /** The Service ClusterIP range; default 10.96.0.0/16. Two clusters on one machine that route ClusterIPs need distinct ones. */
  serviceClusterIpRange?: string;
}

export interface KubeIdentity {
  token: string;
  kubeconfigPath: string;
}

export interface KubeControlPlane {
  readonly kubeconfigPath: string;
  /** https://127.0.0.1:<port> */
  readonly server: string;
  readonly adminToken: string;
  /** A client configuration for the admin. */
  kubeConfig(): KubeConfig;
  /** A service account's token and a kubeconfig for it (namespace and account created when missing). */
  mintIdentity(namespace: string, serviceAccount: string): Promise<KubeIdentity>;
  /** What a kube-controller-manager or node agent needs next to the admin kubeconfig. */
  readonly serviceClusterIpRange: string;
  /** The key that signs service-account tokens (kube-controller-manager --service-account-private-key-file). */
  readonly serviceAccountPrivateKeyPath: string;
  /** The apiserver's self-signed serving certificate: the CA clients trust (--root-ca-file). */
  readonly caPath: string;
  stop(): Promise<void>;
}

const ETCD_READY_TIMEOUT_MS = 60_000;
const APISERVER_READY_TIMEOUT_MS = 180_000;
const CRD_TIMEOUT_MS = 120_000;
const SERVICE_CLUSTER_IP_RANGE = '10.96.0.0/16';
const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
const FIELD_MANAGER = 'microgateway-harness';
const ADMIN_USER = 'mgw-admin';

export async function startKubeControlPlane(opts: StartKubeOptions = {}): Promise<KubeControlPlane> {
  const temporary = opts.workDir === undefined;
  const workDir = opts.workDir ?? mkdtempSync(join(tmpdir(), 'mgw-kube-'));
  mkdirSync(workDir, { recursive: true });
  const [etcdClientPort, etcdPeerPort, apiPort] = (await freePorts(3)) as [number, number, number];

  const started: ProcessHandle[] = [];
  const stopAll = async (): Promise<void> => {
    // apiserver first, etcd last: the apiserver must not outlive its storage.
    for (const proc of [...started].reverse()) await proc.stop();
  };
  try {
    started.push(await startEtcd(workDir, etcdClientPort, etcdPeerPort, opts.detached));
    const adminToken = randomBytes(24).toString('base64url');
    const serviceClusterIpRange = opts.serviceClusterIpRange ?? SERVICE_CLUSTER_IP_RANGE;
    const apiserver = await startApiserver({ workDir, apiPort, etcdClientPort, adminToken, detached: opts.detached, serviceClusterIpRange });
    started.push(apiserver);
    const server = `https://127.0.0.1:${apiPort}`;
    const ca = readFileSync(join(workDir, 'certs', 'apiserver.crt'));
    await waitForReadyz(server, ca, adminToken, apiserver);

    const kubeconfigPath = join(workDir, 'admin.kubeconfig');
    writeKubeconfig(kubeconfigPath, { server, ca, user: ADMIN_USER, token: adminToken });
    const kubeConfig = (): KubeConfig => loadKubeConfig(kubeconfigPath);
    await installCrds(kubeConfig(), opts.crds ?? 'standard');

    return {
      kubeconfigPath,
      server,
      adminToken,
      kubeConfig,
      mintIdentity: (namespace, serviceAccount) => mintIdentity(kubeConfig(), { workDir, server, ca }, namespace, serviceAccount),
      serviceClusterIpRange,
      serviceAccountPrivateKeyPath: serviceAccountKeys(workDir).privateKey,
      caPath: join(workDir, 'certs', 'apiserver.crt'),
      async stop() {
        await stopAll();
        if (temporary) rmSync(workDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stopAll();
    if (temporary) rmSync(workDir, { recursive: true, force: true });
    throw error;
  }
}

async function startEtcd(workDir: string, clientPort: number, peerPort: number, detached?: boolean): Promise<ProcessHandle> {
  const dataDir = join(workDir, 'etcd');
  // Each start is a fresh cluster: the ports (part of etcd's membership) change from run to run.
  rmSync(dataDir, { recursive: true, force: true });
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const proc = startProcess({
    name: 'etcd',
    command: toolPaths().etcd,
    args: [
      '--name=mgw',
      `--data-dir=${dataDir}`,
      `--listen-client-urls=${clientUrl}`,
      `--advertise-client-urls=${clientUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=mgw=${peerUrl}`,
      // A throwaway cluster: durability against power loss is not worth the fsync latency.
      '--unsafe-no-fsync',
      '--log-level=warn',
    ],
    logFile: join(workDir, 'etcd.log'),
    detached,
    registryDir: workDir,
  });
  await waitFor(
    async () => {
      const response = await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(2_000) });
      const body = (await response.json()) as { health?: string };
      return body.health === 'true';
    },
    { timeoutMs: ETCD_READY_TIMEOUT_MS, what: `etcd ${clientUrl}/health`, process: proc },
  );
  return proc;
}

interface ApiserverOptions {
  workDir: string;
  apiPort: number;
  etcdClientPort: number;
  adminToken: string;
  detached?: boolean;
  serviceClusterIpRange: string;
}

async function startApiserver(o: ApiserverOptions): Promise<ProcessHandle> {
  const keys = serviceAccountKeys(o.workDir);
  const tokenFile = join(o.workDir, 'tokens.csv');
  // token,user,uid,"group1,group2"
  writeFileSync(tokenFile, `${o.adminToken},${ADMIN_USER},${ADMIN_USER},"system:masters"\n`, { mode: 0o600 });
  const certDir = join(o.workDir, 'certs');
  // The self-signed serving certificate is regenerated for each start: the port may differ.
  rmSync(certDir, { recursive: true, force: true });
  mkdirSync(certDir, { recursive: true });
  const proc = startProcess({
    name: 'kube-apiserver',
    command: toolPaths().kubeApiserver,
    args: [
      `--etcd-servers=http://127.0.0.1:${o.etcdClientPort}`,
      `--cert-dir=${certDir}`,
      `--secure-port=${o.apiPort}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      // 1.37 refuses a loopback advertise address with the default (lease) reconciler.
      '--endpoint-reconciler-type=none',
      `--service-cluster-ip-range=${o.serviceClusterIpRange}`,
      '--authorization-mode=RBAC',
      `--token-auth-file=${tokenFile}`,
      `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
      `--service-account-key-file=${keys.publicKey}`,
      `--service-account-signing-key-file=${keys.privateKey}`,
      '--allow-privileged=true',
    ],
    logFile: join(o.workDir, 'kube-apiserver.log'),
    detached: o.detached,
    registryDir: o.workDir,
  });
  // The serving certificate appears in --cert-dir shortly after start.
  await waitFor(() => existsSync(join(certDir, 'apiserver.crt')), {
    timeoutMs: APISERVER_READY_TIMEOUT_MS,
    what: 'kube-apiserver serving certificate',
    process: proc,
  });
  return proc;
}

/**
 * The key pair that signs service-account tokens. Kept across restarts of a persistent work
 * directory; the kube-controller-manager reads the private key too.
 */
export function serviceAccountKeys(workDir: string): { privateKey: string; publicKey: string } {
  const privateKey = join(workDir, 'sa.key');
  const publicKey = join(workDir, 'sa.pub');
  if (!existsSync(privateKey) || !existsSync(publicKey)) {
    const pair = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    });
    writeFileSync(privateKey, pair.privateKey, { mode: 0o600 });
    writeFileSync(publicKey, pair.publicKey);
  }
  return { privateKey, publicKey };
}

async function waitForReadyz(server: string, ca: Buffer, token: string, proc: ProcessHandle): Promise<void> {
  // Anonymous /readyz is refused (403); ask as the admin.
  await waitFor(
    async () => {
      const { status, body } = await httpsGet(`${server}/readyz`, ca, token);
      if (status !== 200) throw new Error(`/readyz answered ${status}: ${body.slice(0, 500)}`);
      return true;
    },
    { timeoutMs: APISERVER_READY_TIMEOUT_MS, what: `kube-apiserver ${server}/readyz`, process: proc, intervalMs: 250 },
  );
}

function httpsGet(url: string, ca: Buffer, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers: { authorization: `Bearer ${token}` }, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

interface KubeconfigFields {
  server: string;
  ca: Buffer;
  user: string;
  token: string;
}

function writeKubeconfig(path: string, f: KubeconfigFields): void {
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'microgateway', cluster: { server: f.server, 'certificate-authority-data': f.ca.toString('base64') } }],
    users: [{ name: f.user, user: { token: f.token } }],
    contexts: [{ name: f.user, context: { cluster: 'microgateway', user: f.user } }],
    'current-context': f.user,
  };
  writeFileSync(path, stringify(doc), { mode: 0o600 });
}

function loadKubeConfig(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

// ---------------------------------------------------------------------------------------------
// Gateway API CRDs and ours

/**
 * The CustomResourceDefinitions among the YAML files of a directory (other kinds are skipped), as
 * the client's typed models. Plain JSON is not one: the client's serializer reads `_enum`,
 * `_default` and `x_kubernetes_*` from it and silently drops `enum`, `default` and every
 * `x-kubernetes-*` (CEL rules included) from the schemas it sends.
 */
export function readCrds(dir: string): V1CustomResourceDefinition[] {
  const crds: V1CustomResourceDefinition[] = [];
  for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`${join(dir, file)}: ${doc.errors[0]?.message}`);
      const value = doc.toJS() as { kind?: string } | null;
      if (value?.kind === 'CustomResourceDefinition') crds.push(loadYaml<V1CustomResourceDefinition>(JSON.stringify(value)));
    }
  }
  return crds;
}

async function installCrds(kc: KubeConfig, channel: CrdChannel): Promise<void> {
  if (channel === 'none') return;
  const dir = toolPaths().gatewayApiCrds[channel];
  if (!existsSync(dir)) throw new Error(`${dir} is missing: run \`mgw toolchain provision\` (scripts/run.sh does it before the tests)`);
  const gatewayApi = readCrds(dir);
  if (gatewayApi.length === 0) throw new Error(`no CustomResourceDefinition found in ${dir}`);
  // Ours extend the Gateway API (GatewayParameters are a parametersRef target), so they come along.
  const crds = [...gatewayApi, ...readCrds(join(repoRoot(), 'deploy', 'crds'))];
  const objects = KubernetesObjectApi.makeApiClient(kc);
  for (const crd of crds) {
    await objects.patch(crd as KubernetesObject, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
  }
  const api = kc.makeApiClient(ApiextensionsV1Api);
  const names = crds.map((crd) => crd.metadata?.name ?? '');
  await waitFor(
    async () => {
      const list = await api.listCustomResourceDefinition();
      const established = new Set(
        list.items.filter((crd) => crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')).map((crd) => crd.metadata?.name),
      );
      const missing = names.filter((name) => !established.has(name));
      if (missing.length > 0) throw new Error(`not Established yet: ${missing.join(', ')}`);
      return true;
    },
    { timeoutMs: CRD_TIMEOUT_MS, what: `the Gateway API CRDs (${channel}) and deploy/crds to be Established`, intervalMs: 200 },
  );
}

// ---------------------------------------------------------------------------------------------
// Service identities

interface ClusterAccess {
  workDir: string;
  server: string;
  ca: Buffer;
}

async function mintIdentity(kc: KubeConfig, cluster: ClusterAccess, namespace: string, serviceAccount: string): Promise<KubeIdentity> {
  const core = kc.makeApiClient(CoreV1Api);
  await ignoreConflict(core.createNamespace({ body: { metadata: { name: namespace } } }));
  await ignoreConflict(core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: serviceAccount, namespace } } }));
  const tokenRequest = await core.createNamespacedServiceAccountToken({
    name: serviceAccount,
    namespace,
    body: { spec: { audiences: [], expirationSeconds: 24 * 3600 } },
  });
  const token = tokenRequest.status?.token;
  if (!token) throw new Error(`TokenRequest for ${namespace}/${serviceAccount} returned no token`);
  const dir = join(cluster.workDir, 'identities');
  mkdirSync(dir, { recursive: true });
  const kubeconfigPath = join(dir, `${namespace}.${serviceAccount}.kubeconfig`);
  writeKubeconfig(kubeconfigPath, { server: cluster.server, ca: cluster.ca, user: `system:serviceaccount:${namespace}:${serviceAccount}`, token });
  return { token, kubeconfigPath };
}

async function ignoreConflict(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error;
  }
}
