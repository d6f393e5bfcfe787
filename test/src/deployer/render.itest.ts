// The deployer's render core against the real authorities: every golden case's Envoy bootstrap
// passes `envoy --mode validate` started with the Engine container's own arguments, and every
// rendered object is accepted by a real kube-apiserver (server-side apply, dry run), as the
// deployer will apply it. Needs the services built (`npx tsc -b` at the repository root).
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { tlsCertificateSds, validationContextSds } from '@microgateway/ca/pki';
import { BOOTSTRAP_CA_SDS_KEY, BOOTSTRAP_TLS_SDS_KEY, engineNodeId, gatewayInfraSchema, type GatewayInfra } from '@microgateway/contracts';
import {
  ENGINE_CONFIG_KEY,
  engineObjectList,
  renderEngine,
  renderSettingsSchema,
  type EngineObjects,
  type RenderSettings,
} from '@microgateway/deployer/render';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startKubeControlPlane, validateEnvoyConfig, type KubeControlPlane } from '../harness/index.js';
import { repoRoot, toolPaths } from '../toolchain/paths.js';

const execFileAsync = promisify(execFile);
const FIELD_MANAGER = 'microgateway-deployer';
const testdata = join(repoRoot(), 'services', 'deployer', 'src', 'render', 'testdata');
const IN = '.in.yaml';

interface Case {
  name: string;
  infra: GatewayInfra;
  settings: RenderSettings;
}

const cases: Case[] = readdirSync(testdata)
  .filter((f) => f.endsWith(IN))
  .sort()
  .map((f) => {
    const doc = parse(readFileSync(join(testdata, f), 'utf8')) as { infra?: unknown; settings?: unknown };
    return { name: f.slice(0, -IN.length), infra: gatewayInfraSchema.parse(doc.infra), settings: renderSettingsSchema.parse(doc.settings) };
  });

/**
 * `envoy --mode validate` as the container would start it: the Deployment's args, with the
 * ConfigMap's file at a local path and `$(ENGINE_NODE_ID)` expanded as the kubelet expands it.
 */
async function validateAsContainer(objects: EngineObjects, infra: GatewayInfra, dir: string, dropArgs: string[] = []): Promise<{ ok: boolean; output: string }> {
  const configFile = join(dir, ENGINE_CONFIG_KEY);
  writeFileSync(configFile, objects.configMap.data[ENGINE_CONFIG_KEY] ?? '');
  const container = objects.deployment.spec.template.spec.containers[0];
  const args: string[] = [];
  const given = container?.args ?? [];
  for (let i = 0; i < given.length; i++) {
    const arg = given[i] ?? '';
    if (dropArgs.includes(arg)) i++;
    else if (given[i - 1] === '--config-path') args.push(configFile);
    else args.push(arg.replace('$(ENGINE_NODE_ID)', engineNodeId(infra.gateway, `${infra.gateway.name}-engine-abc12-xyz34`)));
  }
  try {
    const { stdout, stderr } = await execFileAsync(toolPaths().envoy, ['--mode', 'validate', ...args], { timeout: 120_000 });
    return { ok: true, output: `${stdout}${stderr}` };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** The SDS files the ca puts into the bootstrap Secret; Envoy refuses a bootstrap whose SDS paths do not exist. */
function writeSdsFiles(mountPath: string, settings: RenderSettings): void {
  writeFileSync(join(mountPath, BOOTSTRAP_TLS_SDS_KEY), tlsCertificateSds(mountPath));
  writeFileSync(join(mountPath, BOOTSTRAP_CA_SDS_KEY), validationContextSds(mountPath, [settings.xdsServerHost]));
}

/** The HTTP status and message of a failed API call. */
async function failure(call: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await call;
  } catch (error) {
    const e = error as { code?: number; body?: unknown };
    const body = typeof e.body === 'string' ? (JSON.parse(e.body) as { message?: string }) : (e.body as { message?: string } | undefined);
    return { code: e.code ?? 0, message: body?.message ?? String(error) };
  }
  throw new Error('the call succeeded');
}

describe('deployer render core on real Envoy and kube-apiserver', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'mgw-render-itest-'));
  let kube: KubeControlPlane;
  let objects: KubernetesObjectApi;
  const dryRunApply = (object: KubernetesObject): Promise<KubernetesObject> =>
    objects.patch(object, undefined, 'All', FIELD_MANAGER, true, PatchStrategy.ServerSideApply);

  beforeAll(async () => {
    kube = await startKubeControlPlane({ crds: 'none' });
    const kc = kube.kubeConfig();
    objects = KubernetesObjectApi.makeApiClient(kc);
    const core = kc.makeApiClient(CoreV1Api);
    for (const namespace of new Set(cases.map((c) => c.infra.gateway.namespace))) {
      await core.createNamespace({ body: { metadata: { name: namespace } } });
    }
  });

  afterAll(async () => {
    await kube?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('has cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(5);
  });

  describe.each(cases)('$name', ({ name, infra, settings }) => {
    it('renders a bootstrap that Envoy validates, started with the container arguments', async () => {
      const dir = mkdtempSync(join(workDir, `${name}-`));
      // The same settings except where the bootstrap Secret is mounted: a local directory with the ca's SDS files.
      const local = { ...settings, bootstrapMountPath: dir };
      writeSdsFiles(dir, local);
      const rendered = renderEngine(infra, local);
      const verdict = await validateAsContainer(rendered, infra, dir);
      expect(verdict.ok, verdict.output).toBe(true);
      // The harness's validation of the file alone, with the node id the container passes set in the file.
      const bootstrap = JSON.parse(rendered.configMap.data[ENGINE_CONFIG_KEY] ?? '') as { node: object };
      const harness = await validateEnvoyConfig({ ...bootstrap, node: { ...bootstrap.node, id: engineNodeId(infra.gateway, 'pod') } });
      expect(harness.ok, harness.output).toBe(true);
    });

    it('renders objects the kube-apiserver accepts (server-side apply, dry run)', async () => {
      for (const object of engineObjectList(renderEngine(infra, settings))) {
        const accepted = await dryRunApply(object as unknown as KubernetesObject);
        expect(accepted.metadata?.name, `${object.kind} ${object.metadata.name}`).toBe(object.metadata.name);
        expect(accepted.metadata?.namespace).toBe(infra.gateway.namespace);
      }
    });
  });

  it('would notice a refusal: Envoy without the node id and the apiserver with an invalid port both refuse', async () => {
    const first = cases.find((c) => c.infra.ports.length > 0);
    if (!first) throw new Error('no case with ports');
    const { infra, settings } = first;
    const dir = mkdtempSync(join(workDir, 'negative-'));
    const local = { ...settings, bootstrapMountPath: dir };
    writeSdsFiles(dir, local);
    const rendered = renderEngine(infra, local);
    const verdict = await validateAsContainer(rendered, infra, dir, ['--service-node']);
    expect(verdict.ok).toBe(false);
    expect(verdict.output).toContain("node 'id' and 'cluster' are required");

    const service = structuredClone(renderEngine(infra, settings).service);
    if (!service) throw new Error('a case with ports renders a Service');
    service.spec.ports = service.spec.ports.map((p) => ({ ...p, targetPort: 70_000 }));
    const { code, message } = await failure(dryRunApply(service as unknown as KubernetesObject));
    expect(code).toBe(422);
    expect(message).toContain('targetPort');
  });
});
