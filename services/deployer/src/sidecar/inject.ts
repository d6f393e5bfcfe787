// Sidecar injection as a pure function (the webhook adapter around it is issue 13's next step,
// ADR 0013): which Pods get the Engine and the Network Manager, and the JSON Patch that adds them.
// A Pod that asked for protection and cannot get it is refused, never admitted unprotected.
import type { InstanceName, SidecarTemplates } from '@microgateway/contracts';
import {
  BOOTSTRAP_MOUNT_PATH,
  ENGINE_ADMIN_PORT,
  ENGINE_INBOUND_PORT,
  ENGINE_METRICS_PORT,
  ENGINE_READY_PATH,
  ENGINE_READY_PORT,
  ENGINE_UID,
  NETWORK_MANAGER_CONTAINER,
  SIDECAR_ENGINE_CONTAINER,
  SIDECAR_INJECT_LABEL,
  SIDECAR_INSTANCE_LABEL,
  SIDECAR_TEMPLATE_DIGEST_ANNOTATION,
  sidecarBootstrapSecretName,
  sidecarEngineConfigName,
} from '@microgateway/contracts';
import { ENGINE_CONFIG_DIR, ENGINE_CONFIG_KEY, containerSecurityContext } from '../render/container.js';
import type { Json } from '../render/objects.js';

export interface PodContainer {
  name: string;
  ports?: { containerPort: number; protocol?: string }[];
}

/** The parts of a Pod under admission the injection reads. */
export interface AdmittedPod {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { containers: PodContainer[]; initContainers?: PodContainer[]; volumes?: { name: string }[] };
}

/** A SidecarGateway of the Pod's namespace, as far as choosing one goes. */
export interface SidecarGatewaySelector {
  name: string;
  matchLabels: Readonly<Record<string, string>>;
  /** RFC 3339; the oldest of several matching SidecarGateways wins, as in policy attachment. */
  creationTimestamp: string;
}

export interface InjectionInput {
  instance: InstanceName;
  pod: AdmittedPod;
  namespaceLabels: Readonly<Record<string, string>>;
  sidecarGateways: readonly SidecarGatewaySelector[];
  templates: SidecarTemplates;
}

export interface JsonPatchOperation {
  op: 'add';
  path: string;
  value: Json | Json[] | string;
}

export type InjectionDecision =
  | { kind: 'skip'; reason: string }
  | { kind: 'deny'; message: string }
  | { kind: 'inject'; sidecarGateway: string; protectedPorts: number[]; patch: JsonPatchOperation[] };

const ENGINE_OWN_PORTS = [ENGINE_INBOUND_PORT, ENGINE_ADMIN_PORT, ENGINE_READY_PORT, ENGINE_METRICS_PORT];
const CONFIG_VOLUME = 'microgateway-engine-config';
const BOOTSTRAP_VOLUME = 'microgateway-engine-bootstrap';

export function decideInjection(input: InjectionInput): InjectionDecision {
  const labels = input.pod.metadata.labels ?? {};
  const podChoice = labels[SIDECAR_INJECT_LABEL];
  if (podChoice === 'false') return { kind: 'skip', reason: `the Pod refuses injection (${SIDECAR_INJECT_LABEL}=false)` };
  if (podChoice !== 'true' && input.namespaceLabels[SIDECAR_INJECT_LABEL] !== 'true') return { kind: 'skip', reason: 'neither the Pod nor its namespace asks for injection' };
  const instance = labels[SIDECAR_INSTANCE_LABEL] ?? 'default';
  if (instance !== input.instance) return { kind: 'skip', reason: `the Pod belongs to instance ${instance}` };
  if (input.pod.metadata.annotations?.[SIDECAR_TEMPLATE_DIGEST_ANNOTATION] !== undefined) return { kind: 'skip', reason: 'already injected' };

  const chosen = chooseSidecarGateway(labels, input.sidecarGateways);
  if (!chosen) return { kind: 'deny', message: 'the Pod asks for the Microgateway sidecar but no SidecarGateway in its namespace selects it: create one whose selector matches the Pod, or remove the label' };
  const ports = protectedPorts(input.pod);
  const clash = ports.filter((port) => ENGINE_OWN_PORTS.includes(port));
  if (clash.length > 0) return { kind: 'deny', message: `container port(s) ${clash.join(', ')} are the Engine's own (${ENGINE_OWN_PORTS.join(', ')}): the sidecar cannot protect this Pod` };
  if (ports.length === 0) return { kind: 'deny', message: 'the Pod declares no TCP containerPort to protect: list the application ports in its containers' };
  return { kind: 'inject', sidecarGateway: chosen, protectedPorts: ports, patch: patchFor(input, chosen, ports) };
}

/** The oldest SidecarGateway whose selector matches (name breaks a tie); an empty selector selects nothing. */
function chooseSidecarGateway(labels: Readonly<Record<string, string>>, candidates: readonly SidecarGatewaySelector[]): string | undefined {
  return [...candidates]
    .filter((c) => Object.keys(c.matchLabels).length > 0 && Object.entries(c.matchLabels).every(([key, value]) => labels[key] === value))
    .sort((a, b) => a.creationTimestamp.localeCompare(b.creationTimestamp) || a.name.localeCompare(b.name))[0]?.name;
}

/** Every TCP port the application's containers declare, sorted and unique. */
function protectedPorts(pod: AdmittedPod): number[] {
  const ports = pod.spec.containers.flatMap((c) => c.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === 'TCP').map((p) => p.containerPort);
  return [...new Set(ports)].sort((a, b) => a - b);
}

function patchFor(input: InjectionInput, sidecarGateway: string, ports: readonly number[]): JsonPatchOperation[] {
  const spec = input.pod.spec;
  const patch: JsonPatchOperation[] = [];
  // The Network Manager runs after the application's own init containers, which thus keep direct
  // network access (the Engine does not run yet); the Engine joins the application containers.
  const append = (field: 'initContainers' | 'volumes', present: boolean, value: Json): void => {
    patch.push(present ? { op: 'add', path: `/spec/${field}/-`, value } : { op: 'add', path: `/spec/${field}`, value: [value] });
  };
  append('initContainers', (spec.initContainers?.length ?? 0) > 0, networkManagerContainer(input.templates, ports));
  patch.push({ op: 'add', path: '/spec/containers/-', value: engineContainer(input.templates, sidecarGateway) });
  append('volumes', (spec.volumes?.length ?? 0) > 0, { name: CONFIG_VOLUME, configMap: { name: sidecarEngineConfigName(sidecarGateway) } });
  patch.push({ op: 'add', path: '/spec/volumes/-', value: { name: BOOTSTRAP_VOLUME, secret: { secretName: sidecarBootstrapSecretName(sidecarGateway) } } });
  const annotations = input.pod.metadata.annotations;
  const key = SIDECAR_TEMPLATE_DIGEST_ANNOTATION.replaceAll('~', '~0').replaceAll('/', '~1');
  patch.push(annotations ? { op: 'add', path: `/metadata/annotations/${key}`, value: input.templates.digest } : { op: 'add', path: '/metadata/annotations', value: { [SIDECAR_TEMPLATE_DIGEST_ANNOTATION]: input.templates.digest } });
  return patch;
}

/** The operator's template plus what the Network Manager needs from us; NET_ADMIN and nothing else. */
function networkManagerContainer(templates: SidecarTemplates, ports: readonly number[]): Json {
  const template = templates.networkManager;
  const ours = [
    { name: 'PROTECTED_PORTS', value: ports.join(',') },
    { name: 'ENGINE_INBOUND_PORT', value: String(ENGINE_INBOUND_PORT) },
    { name: 'ENGINE_UID', value: String(ENGINE_UID) },
  ];
  const operatorEnv = template.env.filter((variable) => !ours.some((o) => o.name === variable.name));
  return {
    name: NETWORK_MANAGER_CONTAINER,
    image: template.image,
    imagePullPolicy: template.imagePullPolicy,
    env: [...operatorEnv, ...ours],
    ...(template.resources ? { resources: template.resources } : {}),
    // iptables needs root's file access in the Pod's network namespace, but only NET_ADMIN.
    securityContext: { runAsUser: 0, runAsNonRoot: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'], add: ['NET_ADMIN'] } },
  };
}

function engineContainer(templates: SidecarTemplates, sidecarGateway: string): Json {
  const engine = templates.config.sidecar.engine;
  return {
    name: SIDECAR_ENGINE_CONTAINER,
    image: engine.image,
    imagePullPolicy: engine.imagePullPolicy,
    command: ['envoy'],
    args: ['--config-path', `${ENGINE_CONFIG_DIR}/${ENGINE_CONFIG_KEY}`, '--service-node', '$(POD_NAMESPACE)/sidecar/$(POD_NAME)', '--service-cluster', sidecarGateway, '--disable-hot-restart'],
    env: [
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    ],
    ports: [
      { name: 'mgw-inbound', containerPort: ENGINE_INBOUND_PORT, protocol: 'TCP' },
      { name: 'mgw-metrics', containerPort: ENGINE_METRICS_PORT, protocol: 'TCP' },
      { name: 'mgw-ready', containerPort: ENGINE_READY_PORT, protocol: 'TCP' },
    ],
    readinessProbe: { httpGet: { path: ENGINE_READY_PATH, port: ENGINE_READY_PORT }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 },
    ...(engine.resources ? { resources: engine.resources } : {}),
    securityContext: containerSecurityContext(),
    volumeMounts: [
      { name: CONFIG_VOLUME, mountPath: ENGINE_CONFIG_DIR, readOnly: true },
      { name: BOOTSTRAP_VOLUME, mountPath: BOOTSTRAP_MOUNT_PATH, readOnly: true },
    ],
  };
}
