import { describe, expect, it } from 'vitest';
import {
  BOOTSTRAP_MOUNT_PATH,
  ENGINE_ADMIN_PORT,
  ENGINE_CA_SDS_SECRET,
  ENGINE_TLS_SDS_SECRET,
  XDS_CLUSTER_NAME,
  containerPortOf,
  gatewayInfraSchema,
  type GatewayInfra,
} from '@microgateway/contracts';
import { bootstrapChecksum } from './checksum.js';
import { ENGINE_CONFIG_KEY } from './container.js';
import { engineObjectList, renderEngine } from './engine.js';
import { BOOTSTRAP_CHECKSUM_ANNOTATION, engineObjectName } from './names.js';
import { renderSettings, type RenderSettings } from './settings.js';

const DNS_1035_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

function infra(overrides: Partial<GatewayInfra> = {}): GatewayInfra {
  const ports = [80, 443, 8080].map((port) => ({ name: `port-${port}`, port, containerPort: containerPortOf(port), protocol: 'TCP' as const }));
  return gatewayInfraSchema.parse({
    gateway: { namespace: 'ns', name: 'gw', uid: 'uid-1' },
    observedGeneration: 1,
    replicas: 1,
    ports,
    service: { type: 'ClusterIP', annotations: {}, labels: {} },
    labels: {},
    annotations: {},
    resources: {},
    logLevel: 'info',
    ...overrides,
  });
}

const settings: RenderSettings = renderSettings({ instance: 'default' });

function checksumOf(i: GatewayInfra, s: RenderSettings = settings): string {
  return renderEngine(i, s).deployment.spec.template.metadata.annotations[BOOTSTRAP_CHECKSUM_ANNOTATION] ?? '';
}

function bootstrapOf(i: GatewayInfra, s: RenderSettings = settings): Record<string, unknown> {
  return JSON.parse(renderEngine(i, s).configMap.data[ENGINE_CONFIG_KEY] ?? '') as Record<string, unknown>;
}

describe('renderEngine', () => {
  it('gives every Service port a container port to target, and every Gateway port a container port', () => {
    for (const type of ['ClusterIP', 'NodePort', 'LoadBalancer'] as const) {
      const objects = renderEngine(infra({ service: { type, annotations: {}, labels: {} } }), settings);
      const container = objects.deployment.spec.template.spec.containers[0];
      const containerPorts = new Map(container?.ports.map((p) => [p.containerPort, p.name]));
      for (const port of objects.service?.spec.ports ?? []) expect(containerPorts.get(port.targetPort)).toBe(port.name);
      expect(objects.service?.spec.ports.map((p) => p.port)).toEqual([80, 443, 8080]);
    }
  });

  it('selects its own Pods: the selector is part of the Pod labels, and user labels cannot override it', () => {
    const objects = renderEngine(infra({ labels: { 'microgateway.dev/instance': 'other', team: 'a' } }), settings);
    const { selector, template } = objects.deployment.spec;
    expect(template.metadata.labels).toMatchObject(selector.matchLabels);
    expect(selector.matchLabels['microgateway.dev/instance']).toBe('default');
    expect(objects.service?.spec.selector).toEqual(selector.matchLabels);
    expect(template.metadata.labels['team']).toBe('a');
  });

  it('changes the checksum when the bootstrap changes, and only then', () => {
    const base = checksumOf(infra());
    expect(base).toBe(bootstrapChecksum(renderEngine(infra(), settings).configMap.data));
    // Not in the bootstrap: the same checksum.
    expect(checksumOf(infra({ replicas: 3 }))).toBe(base);
    expect(checksumOf(infra({ labels: { a: 'b' }, annotations: { c: 'd' } }))).toBe(base);
    expect(checksumOf(infra({ resources: { limits: { memory: '1Gi' } } }))).toBe(base);
    expect(checksumOf(infra({ ports: [] }))).toBe(base);
    expect(checksumOf(infra({ logLevel: 'debug' }))).toBe(base);
    expect(checksumOf(infra(), renderSettings({ instance: 'default', image: 'example.com/envoy:x' }))).toBe(base);
    // In the bootstrap: a new checksum.
    expect(checksumOf(infra({ gateway: { namespace: 'other', name: 'gw', uid: 'uid-1' } }))).not.toBe(base);
    expect(checksumOf(infra(), renderSettings({ instance: 'other' }))).not.toBe(base);
    expect(checksumOf(infra(), renderSettings({ instance: 'default', maxDownstreamConnections: 10 }))).not.toBe(base);
    expect(checksumOf(infra(), renderSettings({ instance: 'default', bootstrapMountPath: '/other' }))).not.toBe(base);
  });

  it('has a PodDisruptionBudget and spreads Pods only with more than one replica', () => {
    for (const replicas of [0, 1, 2, 5]) {
      const objects = renderEngine(infra({ replicas }), settings);
      expect(objects.podDisruptionBudget !== undefined, `replicas ${replicas}`).toBe(replicas > 1);
      expect(objects.deployment.spec.template.spec['topologySpreadConstraints'] !== undefined).toBe(replicas > 1);
      expect(objects.deployment.spec.replicas).toBe(replicas);
    }
  });

  it('names its owner only when the Gateway uid is known', () => {
    const owned = engineObjectList(renderEngine(infra(), settings));
    for (const object of owned) expect(object.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Gateway', name: 'gw', uid: 'uid-1', controller: true })]);
    const orphan = engineObjectList(renderEngine(infra({ gateway: { namespace: 'ns', name: 'gw' } }), settings));
    for (const object of orphan) expect(object.metadata.ownerReferences).toBeUndefined();
  });

  it('leaves out the Service of a Gateway without ports', () => {
    expect(renderEngine(infra({ ports: [] }), settings).service).toBeUndefined();
  });

  it('does not depend on the order of labels and annotations', () => {
    const a = renderEngine(infra({ labels: { x: '1', a: '2' }, annotations: { z: '1', b: '2' } }), settings);
    const b = renderEngine(infra({ labels: { a: '2', x: '1' }, annotations: { b: '2', z: '1' } }), settings);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });
});

describe('engineObjectName', () => {
  it('is a DNS-1035 label for every valid Gateway name', () => {
    for (const name of ['gw', '1gw', '0', 'a.b', 'edge.example.com', 'x'.repeat(253), `9${'.a'.repeat(100)}`]) {
      expect(engineObjectName(name), name).toMatch(DNS_1035_LABEL);
    }
  });

  it('keeps readable names and distinguishes names that had to be changed', () => {
    expect(engineObjectName('edge')).toBe('edge-engine');
    const pairs = [['1gw', 'gw-1gw'], ['a.b', 'a-b'], [`${'a'.repeat(70)}1`, `${'a'.repeat(70)}2`]];
    for (const [one, other] of pairs) expect(engineObjectName(one ?? '')).not.toBe(engineObjectName(other ?? ''));
    expect(engineObjectName('1gw')).toBe(engineObjectName('1gw'));
  });
});

describe('bootstrap', () => {
  it('keeps the admin on loopback and reaches the renderer over delta ADS with mTLS from the Secret files', () => {
    const bootstrap = bootstrapOf(infra()) as {
      admin: { address: { socket_address: { address: string; port_value: number } } };
      dynamic_resources: { ads_config: { api_type: string } };
      static_resources: { clusters: { name: string; transport_socket?: { typed_config: Record<string, unknown> } }[] };
    };
    expect(bootstrap.admin.address.socket_address).toEqual({ address: '127.0.0.1', port_value: ENGINE_ADMIN_PORT });
    expect(bootstrap.dynamic_resources.ads_config.api_type).toBe('DELTA_GRPC');
    const xds = bootstrap.static_resources.clusters.find((c) => c.name === XDS_CLUSTER_NAME);
    const text = JSON.stringify(xds);
    expect(text).toContain(`"name":"${ENGINE_TLS_SDS_SECRET}"`);
    expect(text).toContain(`"name":"${ENGINE_CA_SDS_SECRET}"`);
    expect(text).toContain(`"path":"${BOOTSTRAP_MOUNT_PATH}/tls-certificate.sds.json"`);
    expect(xds?.transport_socket?.typed_config['sni']).toBe(settings.xdsServerHost);
  });
});
