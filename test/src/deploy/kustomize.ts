// Renders deploy/'s kustomizations with the pinned kustomize (what `kubectl apply -k` does) and
// applies the result the way `kubectl apply --server-side` does, for any kind the cluster serves.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { waitFor } from '../harness/index.js';
import { repoRoot, toolPaths } from '../toolchain/paths.js';

export interface RenderedObject extends KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** `kustomize build deploy/<dir>`, parsed. */
export async function kustomizeBuild(dir: string): Promise<RenderedObject[]> {
  const { stdout } = await promisify(execFile)(toolPaths().kustomize, ['build', join(repoRoot(), dir)], { maxBuffer: 64 * 1024 * 1024 });
  return parseAllDocuments(stdout)
    .map((doc) => doc.toJS() as RenderedObject | null)
    .filter((o): o is RenderedObject => o !== null);
}

/** Cluster-scoped definitions first (CRDs, Namespaces), then everything else once the CRDs are served. */
export async function applyServerSide(kubeConfig: KubeConfig, objects: readonly RenderedObject[], fieldManager: string): Promise<void> {
  const client = KubernetesObjectApi.makeApiClient(kubeConfig);
  const first = objects.filter((o) => o.kind === 'CustomResourceDefinition' || o.kind === 'Namespace');
  const rest = objects.filter((o) => !first.includes(o));
  for (const object of first) await client.patch(object, undefined, undefined, fieldManager, true, PatchStrategy.ServerSideApply);
  for (const crd of first.filter((o) => o.kind === 'CustomResourceDefinition')) {
    await waitFor(async () => {
      const read = (await client.read(crd)) as RenderedObject & { status?: { conditions?: { type: string; status: string }[] } };
      return read.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
    }, { timeoutMs: 30_000, what: `CRD ${crd.metadata.name} Established` });
  }
  for (const object of rest) await client.patch(object, undefined, undefined, fieldManager, true, PatchStrategy.ServerSideApply);
}
