// What the deployer's integration suite and its benchmark share: the built deployer started the
// way a Pod starts it (config file, MGW_* variables, a kubeconfig), the `infra` and `status`
// buckets written directly as the renderer would, realistic renderer facts (from the translation
// golden basic-http-route.out.yaml), and the Gateway API objects status is written to.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { GatewayInfra, GatewayRef, InstanceName, ResourceRef, StatusFact, XdsOutcomeFact } from '@microgateway/contracts';
import {
  XDS_STATUS_REPORTER,
  bucketName,
  containerPortOf,
  controllerName,
  infraKey,
  jobConsumerName,
  jobStreamName,
  rendererStatusReporter,
  statusKey,
} from '@microgateway/contracts';
import { jetstreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { freePort, startProcess, waitFor } from '../harness/index.js';
import type { NatsHandle, ProcessHandle } from '../harness/index.js';
import { repoRoot } from '../toolchain/paths.js';

export const GATEWAY_API = { group: 'gateway.networking.k8s.io', version: 'v1' } as const;

export interface DeployerProcess {
  proc: ProcessHandle;
  /** Sum of the samples of a metric whose labels contain every `labels` fragment (0 when absent), e.g. metric('mgw_deployer_deploys_total', 'outcome="applied"'). */
  metric(name: string, ...labels: string[]): Promise<number>;
}

export interface StartDeployerOptions {
  name: string;
  instance: InstanceName;
  nats: NatsHandle;
  kubeconfigPath: string;
  workDir: string;
  /** YAML (flow style) of the `deployer:` section. */
  deployerYaml?: string;
  logLevel?: string;
}

export async function startDeployer(o: StartDeployerOptions): Promise<DeployerProcess> {
  const port = await freePort();
  const configFile = join(o.workDir, `${o.name}.yaml`);
  writeFileSync(configFile, `shutdownTimeoutMs: 5000\nlogLevel: ${o.logLevel ?? 'info'}\ndeployer: ${o.deployerYaml ?? '{}'}\n`);
  const proc = startProcess({
    name: o.name,
    command: process.execPath,
    args: [join(repoRoot(), 'services', 'deployer', 'dist', 'main.js'), '--config', configFile],
    logFile: join(o.workDir, `${o.name}.log`),
    env: {
      MGW_CONFIG: '',
      MGW_INSTANCE: o.instance,
      MGW_HTTP_PORT: String(port),
      MGW_NATS_URL: o.nats.url,
      MGW_NATS_USER: o.nats.admin.user,
      MGW_NATS_PASSWORD: o.nats.admin.password,
      MGW_NATS_CREDS: '',
      MGW_KUBECONFIG: o.kubeconfigPath,
      POD_NAME: o.name,
    },
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.status === 200, { timeoutMs: 90_000, what: `${o.name} /readyz`, process: proc });
  return {
    proc,
    async metric(name, ...labels) {
      const text = await (await fetch(`${base}/metrics`)).text();
      return text
        .split('\n')
        .filter((line) => (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) && labels.every((l) => line.includes(l)))
        .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
    },
  };
}

/** Sum of one metric over several replicas. */
export async function metricSum(replicas: readonly DeployerProcess[], name: string, ...labels: string[]): Promise<number> {
  const values = await Promise.all(replicas.map((r) => r.metric(name, ...labels)));
  return values.reduce((a, b) => a + b, 0);
}

/** The renderer's side of NATS as the deployer sees it: the `infra` and `status` buckets. */
export class DeployerKv {
  private constructor(
    readonly nc: NatsConnection,
    readonly instance: InstanceName,
    readonly infra: KV,
    readonly status: KV,
  ) {}

  /** Connects as the admin and creates the buckets with the renderer's settings. */
  static async open(nats: NatsHandle, instance: InstanceName): Promise<DeployerKv> {
    const nc = await connect({ servers: nats.url, user: nats.admin.user, pass: nats.admin.password });
    const kvm = new Kvm(nc);
    const infra = await kvm.create(bucketName(instance, 'infra'), { history: 1 });
    const status = await kvm.create(bucketName(instance, 'status'), { history: 1 });
    return new DeployerKv(nc, instance, infra, status);
  }

  putInfra(infra: GatewayInfra): Promise<number> {
    return this.infra.put(infraKey(infra.gateway), JSON.stringify(infra));
  }

  async deleteInfra(gateway: GatewayRef): Promise<void> {
    await this.infra.delete(infraKey(gateway));
  }

  /** A renderer fact, under the reporter of the Gateway whose translation produced it. */
  putFact(fact: StatusFact, gateway: GatewayRef): Promise<number> {
    const ref: ResourceRef = { kind: fact.kind, namespace: fact.namespace, name: fact.name };
    return this.status.put(statusKey(ref, rendererStatusReporter(gateway)), JSON.stringify(fact));
  }

  /** The xDS server's verdict on a Gateway's config. */
  putEngineConfig(fact: XdsOutcomeFact): Promise<number> {
    return this.status.put(statusKey({ kind: 'Gateway', namespace: fact.namespace, name: fact.name }, XDS_STATUS_REPORTER), JSON.stringify(fact));
  }

  /** Jobs of the shared deploy consumer not yet acked (waiting or in flight). */
  async deployBacklog(): Promise<number> {
    const info = await (await jetstreamManager(this.nc)).consumers.info(jobStreamName(this.instance, 'deploy'), jobConsumerName('deploy'));
    return info.num_pending + info.num_ack_pending;
  }

  async close(): Promise<void> {
    await this.nc.close();
  }
}

/** An infra entry as the renderer writes it for a Gateway with one HTTP listener on port 80. */
export function gatewayInfra(gateway: GatewayRef & { uid?: string }, overrides: Partial<GatewayInfra> = {}): GatewayInfra {
  return {
    gateway,
    observedGeneration: 1,
    replicas: 1,
    ports: [{ name: 'port-80', port: 80, containerPort: containerPortOf(80), protocol: 'TCP' }],
    service: { type: 'ClusterIP', annotations: {}, labels: {} },
    labels: {},
    annotations: {},
    resources: {},
    logLevel: 'info',
    ...overrides,
  };
}

const condition = (type: string, status: 'True' | 'False', reason: string, message: string, observedGeneration: number) => ({ type, status, reason, message, observedGeneration });

/** The renderer's facts of basic-http-route.out.yaml (translation golden), for any names and generations. */
export function gatewayClassFact(name: string): StatusFact {
  return { kind: 'GatewayClass', name, conditions: [condition('Accepted', 'True', 'Accepted', 'GatewayClass is accepted', 1)] };
}

export function gatewayFact(gateway: GatewayRef, generation: number, attachedRoutes = 1): StatusFact {
  return {
    kind: 'Gateway',
    ...gateway,
    conditions: [condition('Accepted', 'True', 'Accepted', 'Gateway is accepted', generation), condition('Programmed', 'True', 'Programmed', 'Gateway configuration is rendered', generation)],
    listeners: [
      {
        name: 'http',
        supportedKinds: [{ group: GATEWAY_API.group, kind: 'HTTPRoute' }],
        attachedRoutes,
        conditions: [
          condition('Accepted', 'True', 'Accepted', 'Listener is accepted', generation),
          condition('Conflicted', 'False', 'NoConflicts', 'Listener does not conflict with another', generation),
          condition('ResolvedRefs', 'True', 'ResolvedRefs', 'All references are resolved', generation),
          condition('Programmed', 'True', 'Programmed', 'Listener configuration is rendered', generation),
        ],
      },
    ],
  };
}

export function httpRouteFact(route: GatewayRef, gateway: GatewayRef, instance: InstanceName, generation: number): StatusFact {
  return {
    kind: 'HTTPRoute',
    ...route,
    parents: [
      {
        parentRef: { name: gateway.name },
        controllerName: controllerName(instance),
        conditions: [condition('Accepted', 'True', 'Accepted', 'Route is accepted', generation), condition('ResolvedRefs', 'True', 'ResolvedRefs', 'All references are resolved', generation)],
      },
    ],
  };
}

/** A live Gateway API object as the apiserver returns it (the parts the tests read). */
export interface LiveGatewayApiObject {
  metadata: { name: string; namespace?: string; uid: string; generation: number; resourceVersion: string };
  status?: {
    conditions?: { type: string; status: string; reason: string; message: string; observedGeneration?: number; lastTransitionTime?: string }[];
    addresses?: { type: string; value: string }[];
    listeners?: { name: string; attachedRoutes: number; conditions: { type: string; status: string; reason: string }[] }[];
    parents?: { parentRef: { name: string }; controllerName: string; conditions: { type: string; status: string }[] }[];
  };
}

/** GatewayClasses, Gateways and HTTPRoutes in a real apiserver, as a user would create them. */
export class GatewayApi {
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;

  constructor(kubeConfig: KubeConfig) {
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
  }

  async namespace(name: string): Promise<void> {
    await this.core.createNamespace({ body: { metadata: { name } } });
  }

  async gatewayClass(name: string, instance: InstanceName): Promise<LiveGatewayApiObject> {
    const body = { apiVersion: `${GATEWAY_API.group}/${GATEWAY_API.version}`, kind: 'GatewayClass', metadata: { name }, spec: { controllerName: controllerName(instance) } };
    return (await this.custom.createClusterCustomObject({ ...GATEWAY_API, plural: 'gatewayclasses', body })) as LiveGatewayApiObject;
  }

  async gateway(ref: GatewayRef, className: string): Promise<LiveGatewayApiObject> {
    const body = {
      apiVersion: `${GATEWAY_API.group}/${GATEWAY_API.version}`,
      kind: 'Gateway',
      metadata: { name: ref.name, namespace: ref.namespace },
      spec: { gatewayClassName: className, listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
    };
    return (await this.custom.createNamespacedCustomObject({ ...GATEWAY_API, namespace: ref.namespace, plural: 'gateways', body })) as LiveGatewayApiObject;
  }

  async httpRoute(ref: GatewayRef, gateway: string): Promise<LiveGatewayApiObject> {
    const body = {
      apiVersion: `${GATEWAY_API.group}/${GATEWAY_API.version}`,
      kind: 'HTTPRoute',
      metadata: { name: ref.name, namespace: ref.namespace },
      spec: { parentRefs: [{ name: gateway }], rules: [{ backendRefs: [{ name: 'echo', port: 8080 }] }] },
    };
    return (await this.custom.createNamespacedCustomObject({ ...GATEWAY_API, namespace: ref.namespace, plural: 'httproutes', body })) as LiveGatewayApiObject;
  }

  async get(kind: 'Gateway' | 'HTTPRoute' | 'GatewayClass', ref: { namespace?: string; name: string }): Promise<LiveGatewayApiObject> {
    const plural = { Gateway: 'gateways', HTTPRoute: 'httproutes', GatewayClass: 'gatewayclasses' }[kind];
    const object: unknown =
      ref.namespace === undefined
        ? await this.custom.getClusterCustomObject({ ...GATEWAY_API, plural, name: ref.name })
        : await this.custom.getNamespacedCustomObject({ ...GATEWAY_API, namespace: ref.namespace, plural, name: ref.name });
    return object as LiveGatewayApiObject;
  }

  /** Replaces an HTTPRoute's status as another controller would. */
  async replaceRouteStatus(ref: GatewayRef, status: unknown): Promise<void> {
    const live = await this.get('HTTPRoute', ref);
    await this.custom.replaceNamespacedCustomObjectStatus({ ...GATEWAY_API, namespace: ref.namespace, plural: 'httproutes', name: ref.name, body: { ...live, status } });
  }

  /** Warning Events about an object with one reason. */
  async events(namespace: string, involvedName: string, reason: string): Promise<{ message?: string; type?: string }[]> {
    const list = await this.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${involvedName},reason=${reason}` });
    return list.items;
  }
}
