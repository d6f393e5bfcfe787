// Renewal on real components with short-lived certificates (lifetime 12 s, renewed every 4 s, the
// same policy as 4 days / 48 h scaled down): the ca renews on schedule without being asked, and a
// running Envoy picks up the renewed files through its SDS file watch — no restart, no failed request.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Secret } from '@kubernetes/client-node';
import { SYSTEM_NAMESPACE, rendererServingSecretName, spiffeId, type InstanceName } from '@microgateway/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts, startEnvoy, waitFor, type EnvoyHandle, type ProcessHandle } from '../harness/index.js';
import { engineProbeBootstrap, loadedCertificateSerials, startStandInXdsServer, type PeerSeen, type StandInXdsServer } from './envoy-probe.js';
import { CaTestEnvironment, decodeSecretData, prepareInstance, readEvents, startCa, writeSecretVolume, type InstanceNats } from './setup.js';

const SERVER_NAME = 'xds.ca-itest.local';
const LIFETIME_S = 12;
const RENEW_EVERY_S = 4;

function certOf(secret: V1Secret): X509Certificate {
  return new X509Certificate(decodeSecretData(secret)['tls.crt'] ?? '');
}

describe('ca renewal with short-lived certificates', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'mgw-ca-renewal-'));
  const instance: InstanceName = 'short';
  const mountDir = join(workDir, 'mount');
  const gateway = { namespace: 'team-r', name: 'renewing' };
  let env: CaTestEnvironment;
  let inst: InstanceNats;
  let ca: ProcessHandle;
  let upstream: StandInXdsServer;
  let envoy: EnvoyHandle;
  let listenerPort: number;

  beforeAll(async () => {
    env = await CaTestEnvironment.start(workDir);
    inst = await prepareInstance(env.nats, instance);
    const [port] = (await freePorts(1)) as [number];
    ca = await startCa({
      instance, workDir, nats: env.nats, kubeconfig: env.kubeconfig, port,
      configYaml: [
        `certificates: {bootstrapLifetimeSeconds: ${LIFETIME_S}, renewEverySeconds: ${RENEW_EVERY_S}}`,
        `bootstrap: {mountPath: ${JSON.stringify(mountDir)}, xdsServerNames: [${SERVER_NAME}]}`,
      ].join('\n'),
    });
    const serving = decodeSecretData((await env.readSecret(SYSTEM_NAMESPACE, rendererServingSecretName(instance))) as V1Secret);
    upstream = await startStandInXdsServer(serving);
    await env.addGateway(inst, gateway, 'uid-renewing');
    writeSecretVolume(mountDir, decodeSecretData(await env.waitForSecret(gateway, () => true, ca)));
    [listenerPort] = (await freePorts(1)) as [number];
    envoy = await startEnvoy({ bootstrap: engineProbeBootstrap({ secretDir: mountDir, listenerPort, upstreamPort: upstream.port, serverName: SERVER_NAME }), workDir: join(workDir, 'envoy') });
  });

  afterAll(async () => {
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

  it('renews at the renewal time, and the running Envoy presents the new certificate', async () => {
    const first = await env.waitForSecret(gateway, () => true, ca);
    const firstCert = certOf(first);
    const firstSerial = firstCert.serialNumber.toLowerCase();
    expect((await waitFor(() => peerSeen(), { timeoutMs: 15_000, what: 'a request through Envoy' })).serial).toBe(firstSerial);

    const renewed = await env.waitForSecret(gateway, (s) => certOf(s).serialNumber.toLowerCase() !== firstSerial, ca, 3 * RENEW_EVERY_S * 1_000);
    const renewedCert = certOf(renewed);
    const renewedAfterS = (Date.parse(renewedCert.validFrom) - Date.parse(firstCert.validFrom)) / 1_000;
    console.log(`renewed ${renewedAfterS} s after the first certificate's notBefore (renewEvery ${RENEW_EVERY_S} s)`);
    // Whole seconds: the renewal fires at notBefore + 4 s, and the new notBefore is truncated.
    expect(renewedAfterS).toBeGreaterThanOrEqual(RENEW_EVERY_S);
    expect(renewedAfterS).toBeLessThanOrEqual(RENEW_EVERY_S + 2);
    expect(renewedCert.subjectAltName).toBe(`URI:${spiffeId(instance, gateway)}`);

    // The kubelet's part: swap the mounted files. Envoy must follow without a restart.
    const uptimeBefore = await envoyUptimeSeconds(envoy);
    writeSecretVolume(mountDir, decodeSecretData(renewed));
    const renewedSerial = renewedCert.serialNumber.toLowerCase();
    await waitFor(async () => (await loadedCertificateSerials(envoy.adminUrl)).includes(renewedSerial), { timeoutMs: 10_000, what: 'Envoy to load the renewed certificate' });
    expect((await waitFor(async () => ((await peerSeen()).serial === renewedSerial ? true : undefined), { timeoutMs: 10_000, what: 'the renewed certificate on the wire' }))).toBe(true);
    expect(await envoyUptimeSeconds(envoy)).toBeGreaterThanOrEqual(uptimeBefore);

    const events = (await readEvents(inst.nc, instance)).map((text) => JSON.parse(text) as { type: string; data: { gateway?: { name: string }; serial: string } });
    expect(events).toContainEqual(expect.objectContaining({ type: 'dev.microgateway.certificate.renewed', data: expect.objectContaining({ serial: renewedSerial }) }));
  });

  it('keeps renewing: every certificate is replaced before it expires', async () => {
    const serials = new Set<string>();
    const deadline = Date.now() + 2.5 * RENEW_EVERY_S * 1_000;
    while (Date.now() < deadline) {
      const secret = await env.waitForSecret(gateway, () => true, ca);
      const cert = certOf(secret);
      serials.add(cert.serialNumber);
      expect(Date.parse(cert.validTo)).toBeGreaterThan(Date.now());
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(serials.size).toBeGreaterThanOrEqual(2);
  });
});

/** Seconds since this Envoy process started (admin /server_info); a restart would reset it. */
async function envoyUptimeSeconds(envoy: EnvoyHandle): Promise<number> {
  const info = (await (await fetch(`${envoy.adminUrl}/server_info`)).json()) as { uptime_current_epoch?: string };
  return Number.parseFloat((info.uptime_current_epoch ?? '').replace(/s$/, ''));
}
