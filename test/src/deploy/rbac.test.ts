// The shape of deploy/base/rbac/ without a cluster: names and labels the Deployments, the tests and
// the overlays rely on, and rules that must never appear whatever the table in rbac.itest.ts says.
import { describe, expect, it } from 'vitest';
import { SERVICES, rbacManifests, type Manifest, type ServiceName } from './manifests.js';

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
}
interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

const rules = (m: Manifest): Rule[] => (m.rules as Rule[] | undefined) ?? [];

describe.each(SERVICES)('deploy/base/rbac/%s.yaml', (service: ServiceName) => {
  const manifests = rbacManifests(service);

  it('declares the ServiceAccount the service runs as, labelled for the instance and component', () => {
    const accounts = manifests.filter((m) => m.kind === 'ServiceAccount');
    expect(accounts.map((m) => `${m.metadata.namespace}/${m.metadata.name}`)).toEqual([`microgateway-system/${service}`]);
    expect(accounts[0]?.metadata.labels).toEqual({
      'microgateway.dev/instance': 'default',
      'app.kubernetes.io/name': 'microgateway',
      'app.kubernetes.io/component': service,
    });
  });

  it('names its ClusterRoles after the instance and binds only its own ServiceAccount', () => {
    for (const m of manifests.filter((m) => m.kind === 'ClusterRole' || m.kind === 'ClusterRoleBinding')) {
      expect(m.metadata.name).toBe(`microgateway-default-${service}`);
    }
    for (const binding of manifests.filter((m) => m.kind.endsWith('Binding'))) {
      expect(binding.subjects as Subject[]).toEqual([{ kind: 'ServiceAccount', name: service, namespace: 'microgateway-system' }]);
      const roleRef = binding.roleRef as { kind: string; name: string };
      expect(manifests.some((m) => m.kind === roleRef.kind && m.metadata.name === roleRef.name), `${binding.metadata.name} refers to a role of this file`).toBe(true);
    }
  });

  it('grants no wildcard verb, no RBAC, no impersonation, no Pods and no tokens', () => {
    for (const rule of manifests.flatMap(rules)) {
      expect(rule.verbs).not.toContain('*');
      expect(rule.verbs).not.toEqual(expect.arrayContaining(['escalate']));
      expect(rule.verbs).not.toEqual(expect.arrayContaining(['bind']));
      expect(rule.verbs).not.toEqual(expect.arrayContaining(['impersonate']));
      expect(rule.apiGroups).not.toContain('*');
      expect(rule.apiGroups).not.toContain('rbac.authorization.k8s.io');
      expect(rule.resources ?? []).not.toEqual(expect.arrayContaining(['pods']));
      expect((rule.resources ?? []).filter((r) => r.startsWith('serviceaccounts/') || r.startsWith('pods/'))).toEqual([]);
    }
  });
});

describe('the renderer', () => {
  it('is a ServiceAccount without a token and nothing else', () => {
    const manifests = rbacManifests('renderer');
    expect(manifests.map((m) => m.kind)).toEqual(['ServiceAccount']);
    expect(manifests[0]?.automountServiceAccountToken).toBe(false);
  });
});

describe('read-only services', () => {
  it('the watcher writes nothing but Leases', () => {
    const writes = rbacManifests('watcher')
      .flatMap(rules)
      .filter((r) => (r.verbs ?? []).some((v) => !['get', 'list', 'watch'].includes(v)));
    expect(writes.flatMap((r) => r.resources ?? [])).toEqual(['leases', 'leases']);
  });

  it('the ca touches Secrets, and the caBundle of its one injector webhook configuration', () => {
    const caRules = rbacManifests('ca').flatMap(rules);
    expect(caRules.flatMap((r) => r.resources ?? [])).toEqual(['secrets', 'mutatingwebhookconfigurations']);
    const webhook = caRules.find((r) => r.resources?.includes('mutatingwebhookconfigurations'));
    expect(webhook?.resourceNames).toEqual(['microgateway-default-sidecar-injector']);
    expect(webhook?.verbs).not.toContain('create');
    expect(webhook?.verbs).not.toContain('delete');
  });
});
