// What every shipped overlay renders to, checked without a cluster: kustomize builds it, the NATS
// configuration in it loads into the real nats-server with exactly the variables the StatefulSet
// sets, every reference between objects resolves, and every Pod runs restricted.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { toolPaths } from '../toolchain/paths.js';
import type { RenderedObject } from './kustomize.js';
import { kustomizeBuild } from './kustomize.js';

interface Container {
  name: string;
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string } } }[];
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; capabilities?: { drop?: string[] } };
}
interface PodTemplate {
  spec: {
    serviceAccountName?: string;
    securityContext?: { runAsNonRoot?: boolean };
    containers: Container[];
    volumes?: { name: string; configMap?: { name: string }; secret?: { secretName: string } }[];
  };
}
type Workload = RenderedObject & { spec: { template: PodTemplate } };

const OVERLAYS = ['dev', 'production', 'two-instances'] as const;
/** Created by the operator before applying production (deploy/README.md): never in a render. */
const PRECREATED_SECRET = /^microgateway-nats-(watcher|renderer|ca|deployer|auditor)$/;

const workloads = (objects: RenderedObject[]): Workload[] => objects.filter((o): o is Workload => o.kind === 'Deployment' || o.kind === 'StatefulSet');
const named = (objects: RenderedObject[], kind: string): Set<string> => new Set(objects.filter((o) => o.kind === kind).map((o) => o.metadata.name));

describe.each(OVERLAYS)('deploy/overlays/%s', (overlay) => {
  // Rendered once for the three checks.
  let objects: RenderedObject[];
  beforeAll(async () => {
    objects = await kustomizeBuild(`deploy/overlays/${overlay}`);
  });

  it('renders objects with unique names whose references all resolve', () => {
    const keys = objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(keys.length).toBe(new Set(keys).size);
    const secrets = named(objects, 'Secret');
    const configMaps = named(objects, 'ConfigMap');
    const accounts = named(objects, 'ServiceAccount');
    for (const workload of workloads(objects)) {
      const spec = workload.spec.template.spec;
      const where = `${workload.kind} ${workload.metadata.name}`;
      if (spec.serviceAccountName) expect(accounts, `${where} serviceAccountName`).toContain(spec.serviceAccountName);
      for (const volume of spec.volumes ?? []) {
        if (volume.configMap) expect(configMaps, `${where} volume ${volume.name}`).toContain(volume.configMap.name);
      }
      for (const ref of spec.containers.flatMap((c) => c.env ?? []).flatMap((e) => e.valueFrom?.secretKeyRef ?? [])) {
        if (overlay === 'production' && PRECREATED_SECRET.test(ref.name)) continue;
        expect(secrets, `${where} secretKeyRef`).toContain(ref.name);
      }
    }
  });

  it('runs every Pod as non-root with a read-only root file system and no capabilities', () => {
    for (const workload of workloads(objects)) {
      const spec = workload.spec.template.spec;
      expect(spec.securityContext?.runAsNonRoot, workload.metadata.name).toBe(true);
      for (const container of spec.containers) {
        expect(container.securityContext, `${workload.metadata.name}/${container.name}`).toMatchObject({
          readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] },
        });
      }
    }
  });

  it('ships a NATS configuration the real nats-server accepts, with every user a service logs in as', async () => {
    const config = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('microgateway-nats-config')) as RenderedObject & { data: Record<string, string> };
    const nats = workloads(objects).find((w) => w.metadata.name === 'microgateway-nats');
    const natsEnv = (nats?.spec.template.spec.containers[0]?.env ?? []).map((e) => e.name);
    const files = `${config.data['nats.conf'] ?? ''}\n${config.data['authorization.conf'] ?? ''}`;
    // Every $VARIABLE the files read is set on the server, and every password variable set is read.
    // (A variable is a bare value; "$JS.API…" and "$KV.…" in quotes are subjects.)
    const variables = new Set([...files.replace(/#.*$/gm, '').matchAll(/(?<=[:=\s])\$([A-Z][A-Z0-9_]*)/g)].map((m) => m[1] ?? ''));
    expect([...variables].sort()).toEqual([...natsEnv].sort());

    const dir = mkdtempSync(join(tmpdir(), 'mgw-nats-conf-'));
    try {
      for (const [file, text] of Object.entries(config.data)) writeFileSync(join(dir, file), text);
      const env = Object.fromEntries(natsEnv.map((name) => [name, `value-of-${name}`]));
      // -t: parse and check the configuration, then exit.
      await promisify(execFile)(toolPaths().natsServer, ['-t', '-c', join(dir, 'nats.conf')], { env: { ...env, PATH: process.env['PATH'] ?? '' } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    for (const workload of workloads(objects).filter((w) => w.kind === 'Deployment')) {
      const user = workload.spec.template.spec.containers[0]?.env?.find((e) => e.name === 'MGW_NATS_USER')?.value;
      expect(config.data['authorization.conf'], `${workload.metadata.name}'s NATS user`).toContain(`user: "${user ?? '(none)'}"`);
    }
  });
});
