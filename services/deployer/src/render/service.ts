import { ServiceType, type GatewayInfra } from '@microgateway/contracts';
import { engineMeta, engineSelector } from './names.js';
import type { Json, ServiceObject, ServicePort } from './objects.js';
import type { RenderSettings } from './settings.js';

/**
 * Fields Kubernetes accepts only for some Service types: loadBalancerClass only on LoadBalancer,
 * externalTrafficPolicy only on externally reachable (NodePort, LoadBalancer) Services. GatewayParameters
 * of a class may set them for Gateways that override the type, so they are dropped, not refused.
 */
function typeSpecificFields(service: GatewayInfra['service']): Json {
  const external = service.type !== ServiceType.ClusterIP;
  return {
    ...(service.type === ServiceType.LoadBalancer && service.loadBalancerClass ? { loadBalancerClass: service.loadBalancerClass } : {}),
    ...(external && service.externalTrafficPolicy ? { externalTrafficPolicy: service.externalTrafficPolicy } : {}),
  };
}

/** The Service in front of the Engine Pods; absent for a Gateway without ports (Kubernetes requires one). */
export function renderService(infra: GatewayInfra, settings: RenderSettings): ServiceObject | undefined {
  if (infra.ports.length === 0) return undefined;
  const ports = infra.ports.map((p): ServicePort => ({ name: p.name, port: p.port, targetPort: p.containerPort, protocol: 'TCP' }));
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: engineMeta(infra, settings, { labels: infra.service.labels, annotations: infra.service.annotations }),
    spec: {
      type: infra.service.type,
      selector: engineSelector(infra, settings),
      ports,
      ...typeSpecificFields(infra.service),
    },
  };
}
