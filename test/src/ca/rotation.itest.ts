// CA rotation on real components (apiserver with the ca's RBAC, NATS, a real Envoy): three Gateways,
// one of them with an Envoy whose mounted bootstrap Secret follows every version the ca writes, dialing
// a stand-in xDS server that follows the renderer's serving Secret, with a fresh mTLS handshake per
// request. An operator requests a rotation by annotating the CA Secret; every Secret version is
// recorded from a watch, and the order of what they hold is checked: the new CA enters every bundle
// before any certificate is signed by it, and the old CA leaves only after every certificate was
// re-signed — while not one handshake through the Envoy fails.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Watch, type V1Secret } from '@kubernetes/client-node';
import { SYSTEM_NAMESPACE, bootstrapSecretName, caSecretName, deployerWebhookSecretName, rendererServingSecretName, type GatewayRef, type InstanceName } from '@microgateway/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts, startEnvoy, tail, waitFor, type EnvoyHandle, type ProcessHandle } from '../harness/index.js';
import { engineProbeBootstrap, startStandInXdsServer, type PeerSeen, type StandInXdsServer } from './envoy-probe.js';
import { CaTestEnvironment, decodeSecretData, prepareInstance, readEvents, startCa, writeSecretVolume, type InstanceNats } from './setup.js';

const SERVER_NAME = 'xds.ca-itest.local';
const MIN_PHASE_S = 3;
/**
 * How late each side loads a new Secret version, like the kubelet refreshing a mounted volume: the
 * Engine late, the renderer early, both well within a phase. A rotation that moved on before the
 * files could reach both sides would make their handshakes fail.
 */
const ENGINE_DELAY_MS = 1_500;
const SERVER_DELAY_MS = 300;
const ROTATE_ANNOTATION = 'microgateway.dev/rotate-ca';
const PHASE_ANNOTATION = 'microgateway.dev/ca-rotation-phase';

interface SecretVersion {
  key: string;
  atMs: number;
  data: Record<string, string>;
  annotations: Record<string, string>;
}

function pems(bundle: string | undefined): string[] {
  return (bundle ?? '').match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
}

function holds(bundle: string | undefined, caPem: string): boolean {
  return pems(bundle).some((pem) => pem.trim() === caPem.trim());
}

function signedBy(leafPem: string | undefined, caPem: string): boolean {
  const ca = new X509Certificate(caPem);
  const leaf = new X509Certificate(leafPem ?? '');
  return leaf.checkIssued(ca) && leaf.verify(ca.publicKey);
}

describe('CA rotation', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'mgw-ca-rotation-'));
  const instance: InstanceName = 'rotating';
  const mountDir = join(workDir, 'mount');
  const gateways: GatewayRef[] = [
    { namespace: 'team-r1', name: 'engine-one' },
    { namespace: 'team-r2', name: 'engine-two' },
    { namespace: 'team-r3', name: 'engine-three' },
  ];
  const servingKey = `${SYSTEM_NAMESPACE}/${rendererServingSecretName(instance)}`;
  const caKey = `${SYSTEM_NAMESPACE}/${caSecretName(instance)}`;
  // The deployer's webhook serving Secret is a leaf like the renderer's (its configuration's caBundle: webhook.itest.ts).
  const webhookKey = `${SYSTEM_NAMESPACE}/${deployerWebhookSecretName(instance)}`;
  const leafKeys = [...gateways.map((g) => `${g.namespace}/${bootstrapSecretName(g.name)}`), servingKey, webhookKey];
  const versions: SecretVersion[] = [];
  let env: CaTestEnvironment;
  let inst: InstanceNats;
  let ca: ProcessHandle;
  let upstream: StandInXdsServer;
  let envoy: EnvoyHandle;
  let listenerPort: number;
  let watch: AbortController | undefined;

  beforeAll(async () => {
    env = await CaTestEnvironment.start(workDir);
    inst = await prepareInstance(env.nats, instance);
    const [port] = (await freePorts(1)) as [number];
    ca = await startCa({
      instance, workDir, nats: env.nats, kubeconfig: env.kubeconfig, port,
      configYaml: [
        `certificates: {caRsaKeyBits: 2048, caRotationMinPhaseSeconds: ${MIN_PHASE_S}}`,
        `bootstrap: {mountPath: ${JSON.stringify(mountDir)}, xdsServerNames: [${SERVER_NAME}]}`,
      ].join('\n'),
    });
    for (const [i, gateway] of gateways.entries()) await env.addGateway(inst, gateway, `uid-rot-${i}`);
    for (const gateway of gateways) await env.waitForSecret(gateway, () => true, ca);
    const serving = decodeSecretData((await env.readSecret(SYSTEM_NAMESPACE, rendererServingSecretName(instance))) as V1Secret);
    upstream = await startStandInXdsServer(serving);
    writeSecretVolume(mountDir, decodeSecretData((await env.waitForSecret(gateways[0] as GatewayRef, () => true, ca)) as V1Secret));
    [listenerPort] = (await freePorts(1)) as [number];
    envoy = await startEnvoy({ bootstrap: engineProbeBootstrap({ secretDir: mountDir, listenerPort, upstreamPort: upstream.port, serverName: SERVER_NAME }), workDir: join(workDir, 'envoy') });
    await waitFor(() => peerSeen(), { timeoutMs: 15_000, what: 'a first request through Envoy' });

    // Every version of the Secrets that matter, in the apiserver's order. The Engine's mount and the
    // stand-in server follow them, each with its own delay, as the kubelet would.
    const engineKey = leafKeys[0];
    watch = await new Watch(env.kube.kubeConfig()).watch('/api/v1/secrets', {}, (phase: string, secret: V1Secret) => {
      if (phase !== 'ADDED' && phase !== 'MODIFIED') return;
      const key = `${secret.metadata?.namespace}/${secret.metadata?.name}`;
      if (key !== caKey && !leafKeys.includes(key)) return;
      const data = decodeSecretData(secret);
      versions.push({ key, atMs: performance.now(), data, annotations: secret.metadata?.annotations ?? {} });
      if (key === engineKey) setTimeout(() => writeSecretVolume(mountDir, data), ENGINE_DELAY_MS);
      if (key === servingKey) setTimeout(() => upstream.update(data), SERVER_DELAY_MS);
    }, () => undefined);
    await waitFor(() => (leafKeys.every((k) => versions.some((v) => v.key === k)) ? true : undefined), { timeoutMs: 10_000, what: 'the watch to list the Secrets' });
  });

  afterAll(async () => {
    watch?.abort();
    await envoy?.stop();
    await upstream?.close();
    await ca?.stop();
    await inst?.nc.close();
    await env?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  async function peerSeen(): Promise<PeerSeen> {
    const response = await fetch(`http://127.0.0.1:${listenerPort}/`);
    if (response.status !== 200) throw new Error(`Envoy answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as PeerSeen;
  }

  /** The Envoy's upstream failure counters (connect failures, TLS errors, verification failures). */
  async function envoyFailureStats(): Promise<Record<string, number>> {
    const text = await (await fetch(`${envoy.adminUrl}/stats?filter=${encodeURIComponent('^cluster\\.xds\\.(upstream_cx_connect_fail|ssl\\.(connection_error|fail_verify.*|handshake))$')}`)).text();
    return Object.fromEntries(text.trim().split('\n').filter(Boolean).map((line) => {
      const [name, value] = line.split(': ');
      return [name ?? '', Number(value)];
    }));
  }

  it('rotates on request: bundles first, then signer, then the old CA leaves — and no handshake fails', async () => {
    const before = decodeSecretData((await env.readSecret(SYSTEM_NAMESPACE, caSecretName(instance))) as V1Secret);
    const oldCa = before['tls.crt'] ?? '';
    const statsBefore = await envoyFailureStats();

    // Traffic through the Engine's Envoy for the whole rotation: one new mTLS handshake per request.
    let traffic = true;
    const outcomes: { ok: boolean; serial?: string; error?: string }[] = [];
    const driving = (async () => {
      while (traffic) {
        try {
          outcomes.push({ ok: true, serial: (await peerSeen()).serial });
        } catch (error) {
          outcomes.push({ ok: false, error: (error as Error).message });
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();

    const started = performance.now();
    const secret = (await env.readSecret(SYSTEM_NAMESPACE, caSecretName(instance))) as V1Secret;
    await env.core.replaceNamespacedSecret({
      namespace: SYSTEM_NAMESPACE, name: caSecretName(instance),
      body: { ...secret, metadata: { ...secret.metadata, annotations: { ...secret.metadata?.annotations, [ROTATE_ANNOTATION]: 'suspected-compromise-1' } } },
    });

    const retired = await waitFor(
      async () => {
        const current = (await env.readSecret(SYSTEM_NAMESPACE, caSecretName(instance))) as V1Secret;
        if (current.metadata?.annotations?.[PHASE_ANNOTATION] !== 'retired') return undefined;
        const newCa = decodeSecretData(current)['tls.crt'] ?? '';
        const leaves = versions.filter((v) => leafKeys.includes(v.key));
        const latest = leafKeys.map((k) => leaves.filter((v) => v.key === k).at(-1));
        return latest.every((v) => v && pems(v.data['ca.crt']).length === 1 && holds(v.data['ca.crt'], newCa) && signedBy(v.data['tls.crt'], newCa)) ? newCa : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100, what: 'the rotation to finish (phase retired, every Secret on the new CA alone)', process: ca },
    );
    const rotationS = (performance.now() - started) / 1_000;
    // The Engine's mount catches up, and a few more handshakes run with the final state.
    await new Promise((resolve) => setTimeout(resolve, ENGINE_DELAY_MS + 1_000));
    traffic = false;
    await driving;
    const newCa = retired;
    expect(newCa).not.toBe(oldCa);

    // Replay the Secret versions in order, keeping the latest version of each leaf Secret.
    const latest = new Map<string, SecretVersion>();
    const phases: string[] = [];
    let firstNewLeafAt: number | undefined;
    let firstOldLessBundleAt: number | undefined;
    let promotedAt: number | undefined;
    for (const [index, version] of versions.entries()) {
      if (version.key === caKey) {
        const phase = version.annotations[PHASE_ANNOTATION];
        if (phase && phases.at(-1) !== phase) phases.push(phase);
        if (phase === 'promoted' && promotedAt === undefined) {
          promotedAt = index;
          // The signer changes only once every bundle trusts the next CA.
          const nextCa = version.data['tls.crt'] ?? '';
          for (const key of leafKeys) expect(holds(latest.get(key)?.data['ca.crt'], nextCa), `${key}'s bundle when the CA was promoted`).toBe(true);
        }
        continue;
      }
      latest.set(version.key, version);
      if (firstNewLeafAt === undefined && signedBy(version.data['tls.crt'], newCa)) {
        firstNewLeafAt = index;
        // The new CA signs its first certificate only once every bundle trusts it.
        for (const key of leafKeys) expect(holds(latest.get(key)?.data['ca.crt'], newCa), `${key}'s bundle when the first certificate by the new CA appeared`).toBe(true);
      }
      if (firstOldLessBundleAt === undefined && firstNewLeafAt !== undefined && !holds(version.data['ca.crt'], oldCa)) {
        firstOldLessBundleAt = index;
        // The old CA leaves a bundle only once every certificate is signed by the new CA.
        for (const key of leafKeys) expect(signedBy(latest.get(key)?.data['tls.crt'], newCa), `${key}'s certificate when the old CA first left a bundle`).toBe(true);
      }
    }
    expect(phases).toEqual(['staged', 'promoted', 'retired']);
    expect(promotedAt).toBeDefined();
    expect(firstNewLeafAt).toBeGreaterThan(promotedAt ?? Infinity);
    expect(firstOldLessBundleAt).toBeGreaterThan(firstNewLeafAt ?? Infinity);

    // The Engine never lost its mTLS path: every handshake succeeded, before, during and after.
    const failed = outcomes.filter((o) => !o.ok);
    const finalSerial = new X509Certificate(latest.get(leafKeys[0] ?? '')?.data['tls.crt'] ?? '').serialNumber.toLowerCase();
    const statsAfter = await envoyFailureStats();
    console.log(
      `rotation: ${rotationS.toFixed(1)} s (least phase ${MIN_PHASE_S} s, Engine/server file delays ${ENGINE_DELAY_MS}/${SERVER_DELAY_MS} ms); ${versions.length} Secret versions; ` +
        `${outcomes.length} requests through Envoy, ${failed.length} failed; Envoy counters ${JSON.stringify(statsAfter)}`,
    );
    expect(failed, `${JSON.stringify(failed.slice(0, 3))}\nserver TLS errors: ${upstream.tlsErrors.slice(-3).join('; ')}\n${tail(envoy.logs())}`).toEqual([]);
    expect(outcomes.length).toBeGreaterThan(20);
    expect(outcomes.at(-1)?.serial).toBe(finalSerial);
    expect(upstream.tlsErrors).toEqual([]);
    for (const [name, value] of Object.entries(statsAfter)) if (!name.endsWith('.handshake')) expect(value, name).toBe(statsBefore[name] ?? 0);

    // Every leaf was replaced by repairs that say why: the bundle first, then the issuer.
    const repairs = (await readEvents(inst.nc, instance))
      .map((text) => JSON.parse(text) as { type: string; data: { reason?: string } })
      .filter((e) => e.type === 'dev.microgateway.certificate.repaired')
      .map((e) => e.data.reason);
    expect(repairs).toEqual(expect.arrayContaining(['BundleOutdated', 'ForeignIssuer']));
  });

  it('logged no errors', () => {
    const bad = ca.logs().split('\n').filter((line) => line.startsWith('{') && (JSON.parse(line) as { level: number }).level >= 50);
    expect(bad).toEqual([]);
  });
});
