// The cluster DNS add-on, as kubeadm installs it: coredns in kube-system behind the `kube-dns`
// Service at the tenth address of the Service range (the kubelet's --cluster-dns). Pods with the
// default dnsPolicy resolve through it (pod.ts writes their resolv.conf), so in-cluster names like
// `microgateway-nats.microgateway-system.svc` work as in a real cluster.
import { serverSideApply } from './apply.js';
import { CLUSTER_DOMAIN, serviceIp } from './pod.js';
import type { KubeObject, KubeRest } from './rest.js';

const NAMESPACE = 'kube-system';
const LABELS = { 'k8s-app': 'kube-dns' };

/** `10.202.7.0/24` → `10.202.7.10` */
export function clusterDnsIp(serviceCidr: string): string {
  return serviceIp(serviceCidr, 10);
}

export function clusterDnsObjects(serviceCidr: string, image: string): KubeObject[] {
  const corefile = [
    '.:53 {',
    '  errors',
    '  ready',
    `  kubernetes ${CLUSTER_DOMAIN} in-addr.arpa ip6.arpa {`,
    '    pods insecure',
    '    fallthrough in-addr.arpa ip6.arpa',
    '  }',
    // coredns runs with dnsPolicy Default: the node's resolv.conf answers everything else.
    '  forward . /etc/resolv.conf',
    '  cache 30',
    '}',
    '',
  ].join('\n');
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'coredns', namespace: NAMESPACE } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'system:coredns' },
      rules: [
        { apiGroups: [''], resources: ['endpoints', 'services', 'pods', 'namespaces'], verbs: ['list', 'watch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'system:coredns' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:coredns' },
      subjects: [{ kind: 'ServiceAccount', name: 'coredns', namespace: NAMESPACE }],
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: NAMESPACE }, data: { Corefile: corefile } },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'coredns', namespace: NAMESPACE, labels: LABELS },
      spec: {
        replicas: 1,
        selector: { matchLabels: LABELS },
        template: {
          metadata: { labels: LABELS },
          spec: {
            serviceAccountName: 'coredns',
            dnsPolicy: 'Default',
            containers: [{
              name: 'coredns', image, args: ['-conf', '/etc/coredns/Corefile'],
              volumeMounts: [{ name: 'config', mountPath: '/etc/coredns', readOnly: true }],
              readinessProbe: { httpGet: { path: '/ready', port: 8181 }, periodSeconds: 1 },
            }],
            volumes: [{ name: 'config', configMap: { name: 'coredns' } }],
          },
        },
      },
    },
    {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: NAMESPACE, labels: LABELS },
      spec: {
        selector: LABELS,
        clusterIP: clusterDnsIp(serviceCidr),
        ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }],
      },
    },
  ];
}

export const COREDNS_IMAGE = 'registry.k8s.io/coredns/coredns:v1.12.2';

export async function installClusterDns(rest: KubeRest, serviceCidr: string): Promise<void> {
  await serverSideApply(rest, clusterDnsObjects(serviceCidr, COREDNS_IMAGE), 'microgateway-local-cluster');
}
