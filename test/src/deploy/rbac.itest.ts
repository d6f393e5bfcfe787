// deploy/base/rbac/ on a real apiserver (RBAC enforced): every service's ServiceAccount is
// impersonated and the table of what it may and may not do (rbac-table.ts) is checked twice per
// row, by the authorizer's own answer (SubjectAccessReview) and by the request the service would
// make (2xx when allowed, 403 when denied).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeControlPlane, type KubeControlPlane } from '../harness/index.js';
import { accessReview, apiRequest, serviceAccountSubject } from './impersonation.js';
import { SERVICES, rbacManifests } from './manifests.js';
import { ACCESS_TABLE, GATEWAY_NAMESPACE, SYSTEM, type AccessRow } from './rbac-table.js';
import { hasRealRequest, prepareRequest, resolveRow, reviewAttributes } from './row-requests.js';

let kube: KubeControlPlane;
let workDir: string;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'mgw-rbac-itest-'));
  kube = await startKubeControlPlane({ crds: 'standard', workDir: join(workDir, 'kube') });
  const objects = KubernetesObjectApi.makeApiClient(kube.kubeConfig());
  for (const name of [SYSTEM, GATEWAY_NAMESPACE]) {
    await objects.patch({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, undefined, undefined, 'rbac-itest', true, PatchStrategy.ServerSideApply);
  }
  for (const service of SERVICES) {
    for (const manifest of rbacManifests(service)) {
      await objects.patch(manifest as KubernetesObject, undefined, undefined, 'rbac-itest', true, PatchStrategy.ServerSideApply);
    }
  }
});

afterAll(async () => {
  await kube?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

function title(row: AccessRow): string {
  const where = row.in === '*' ? ' in every namespace' : row.in ? ` in ${row.in}` : '';
  const name = row.name ? ` ${row.name}` : '';
  return `${row.service} ${row.allowed ? 'MAY' : 'may NOT'} ${row.verb} ${row.resource}${row.subresource ? `/${row.subresource}` : ''}${name}${where}`;
}

describe('deploy/base/rbac: least privilege per service', () => {
  it.each(ACCESS_TABLE.map((row, index) => ({ row, index, name: title(row) })))('$name', async ({ row, index }) => {
    const subject = serviceAccountSubject(row.service);
    const resolved = resolveRow(row, index);
    const review = await accessReview(kube, subject, reviewAttributes(row, resolved));
    expect(review.allowed, `SubjectAccessReview (${review.reason || 'no reason'})`).toBe(row.allowed);
    if (!hasRealRequest(row)) return;
    const request = await prepareRequest(kube, row, resolved);
    const response = await apiRequest(kube, request, subject);
    const what = `${request.method} ${request.path} → ${response.status} ${response.body.slice(0, 300)}`;
    if (row.allowed) expect(response.status >= 200 && response.status < 300, what).toBe(true);
    else expect(response.status, what).toBe(403);
  });

  it('the renderer has no token in its Pods and no binding anywhere', async () => {
    const sa = await apiRequest(kube, { method: 'GET', path: `/api/v1/namespaces/${SYSTEM}/serviceaccounts/renderer` });
    expect(sa.status).toBe(200);
    expect((JSON.parse(sa.body) as { automountServiceAccountToken?: boolean }).automountServiceAccountToken).toBe(false);
    type Binding = { metadata: { name: string }; subjects?: { kind: string; name: string; namespace?: string }[] };
    const bindings: Binding[] = [];
    for (const path of ['/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', '/apis/rbac.authorization.k8s.io/v1/rolebindings']) {
      const list = await apiRequest(kube, { method: 'GET', path });
      bindings.push(...(JSON.parse(list.body) as { items: Binding[] }).items);
    }
    const naming = bindings.filter((b) => (b.subjects ?? []).some((s) => s.kind === 'ServiceAccount' && s.name === 'renderer' && s.namespace === SYSTEM));
    expect(naming.map((b) => b.metadata.name)).toEqual([]);
  });
});
