// The ca on a real apiserver (RBAC enforced, with the identity of deploy/base/rbac/ca.yaml), a real NATS
// and a real Envoy: a Gateway appearing in the infra bucket gets its bootstrap Secret; an Engine's
// Envoy loads the Secret's SDS files and speaks mTLS with the renderer's serving certificate;
// deleted or tampered Secrets are repaired; short-lived certificates are renewed and picked up by
// a running Envoy without a restart. Needs the services built (`npx tsc -b` at the repository root).
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Secret } from '@kubernetes/client-node';
import {
  CA_SECRET_NAME,
  SYSTEM_NAMESPACE,
  bootstrapSecretName,
  gatewayInfraSchema,
  infraKey,
  rendererServingSecretName,
  spiffeId,
  type GatewayRef,
  type InstanceName,
} from '@microgateway/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts, startEnvoy, tail, waitFor, type EnvoyHandle, type ProcessHandle } from '../harness/index.js';
import { engineProbeBootstrap, loadedCertificateSerials, startStandInXdsServer, type PeerSeen, type StandInXdsServer } from './envoy-probe.js';
import { CaTestEnvironment, decodeSecretData, prepareInstance, readEvents, startCa, writeSecretVolume, type InstanceNats } from './setup.js';

const SERVER_NAME = 'xds.ca-itest.local';

const decode = decodeSecretData;

describe('ca', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'mgw-ca-itest-'));
  let env: CaTestEnvironment;
  const cleanups: (() => Promise<unknown>)[] = [];
  const readSecret = (namespace: string, name: string): Promise<V1Secret | undefined> => env.readSecret(namespace, name);
  const addGateway = (inst: InstanceNats, gateway: GatewayRef, uid: string): Promise<void> => env.addGateway(inst, gateway, uid);
  const waitForSecret = (gateway: GatewayRef, accept: (s: V1Secret) => boolean, proc: ProcessHandle): Promise<V1Secret> => env.waitForSecret(gateway, accept, proc);

  beforeAll(async () => {
    env = await CaTestEnvironment.start(workDir);
  });

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await env?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  function serialOf(secret: V1Secret): string {
    return new X509Certificate(decode(secret)['tls.crt'] ?? '').serialNumber.toLowerCase();
  }

  describe('with default lifetimes', () => {
    const instance: InstanceName = 'default';
    let inst: InstanceNats;
    let ca: ProcessHandle;
    let caPem: string;
    let port: number;
    const mountDir = join(workDir, 'mount-default');
    const gateway = { namespace: 'team-a', name: 'edge.example' };

    beforeAll(async () => {
      inst = await prepareInstance(env.nats, instance);
      cleanups.push(() => inst.nc.close());
      [port] = (await freePorts(1)) as [number];
      ca = await startCa({
        instance, workDir, nats: env.nats, kubeconfig: env.kubeconfig, port,
        configYaml: `bootstrap: {mountPath: ${JSON.stringify(mountDir)}, xdsServerNames: [${SERVER_NAME}]}`,
      });
      cleanups.push(() => ca.stop());
      caPem = decode((await readSecret(SYSTEM_NAMESPACE, CA_SECRET_NAME)) as V1Secret)['tls.crt'] ?? '';
    });

    it('created exactly one CA and the serving certificate for the xDS server names', async () => {
      const caCert = new X509Certificate(caPem);
      expect(caCert.ca).toBe(true);
      const serving = decode((await readSecret(SYSTEM_NAMESPACE, rendererServingSecretName(instance))) as V1Secret);
      const servingCert = new X509Certificate(serving['tls.crt'] ?? '');
      expect(servingCert.subjectAltName).toBe(`DNS:${SERVER_NAME}`);
      expect(servingCert.verify(caCert.publicKey)).toBe(true);
    });

    it('writes a valid bootstrap Secret within a second of the Gateway appearing in infra', async () => {
      const started = performance.now();
      await addGateway(inst, gateway, 'uid-edge-1');
      const secret = await waitForSecret(gateway, () => true, ca);
      const elapsedMs = performance.now() - started;
      console.log(`bootstrap Secret ${elapsedMs.toFixed(0)} ms after the infra entry`);
      expect(elapsedMs).toBeLessThan(1_000);

      const data = decode(secret);
      const cert = new X509Certificate(data['tls.crt'] ?? '');
      expect(cert.subjectAltName).toBe(`URI:${spiffeId(instance, gateway)}`);
      expect(cert.verify(new X509Certificate(caPem).publicKey)).toBe(true);
      expect(data['ca.crt']).toBe(caPem);
      expect(Object.keys(data).sort()).toEqual(['ca.crt', 'tls-certificate.sds.json', 'tls.crt', 'tls.key', 'validation-context.sds.json']);
      expect(secret.metadata?.labels).toMatchObject({ 'microgateway.dev/instance': 'default', 'microgateway.dev/component': 'bootstrap', 'microgateway.dev/gateway': 'edge.example' });
      expect(secret.metadata?.ownerReferences).toEqual([expect.objectContaining({ kind: 'Gateway', name: 'edge.example', uid: 'uid-edge-1' })]);
    });

    describe('a real Envoy with the bootstrap Secret mounted', () => {
      let upstream: StandInXdsServer;
      let envoy: EnvoyHandle;
      let listenerPort: number;

      beforeAll(async () => {
        const serving = decode((await readSecret(SYSTEM_NAMESPACE, rendererServingSecretName(instance))) as V1Secret);
        upstream = await startStandInXdsServer(serving);
        cleanups.push(() => upstream.close());
        await addGateway(inst, gateway, 'uid-edge-1');
        writeSecretVolume(mountDir, decode((await waitForSecret(gateway, () => true, ca)) as V1Secret));
        [listenerPort] = (await freePorts(1)) as [number];
        envoy = await startEnvoy({ bootstrap: engineProbeBootstrap({ secretDir: mountDir, listenerPort, upstreamPort: upstream.port, serverName: SERVER_NAME }), workDir: join(workDir, 'envoy-default') });
        cleanups.push(() => envoy.stop());
      });

      it('loads the SDS files and connects with mutual TLS as the Gateway', async () => {
        const seen = await waitFor(
          async () => {
            const response = await fetch(`http://127.0.0.1:${listenerPort}/`);
            if (response.status !== 200) throw new Error(`Envoy answered ${response.status}: ${await response.text()}`);
            return (await response.json()) as PeerSeen;
          },
          { timeoutMs: 15_000, what: 'a request through Envoy to the stand-in xDS server' },
        ).catch(async (error: unknown) => {
          const stats = await (await fetch(`${envoy.adminUrl}/stats?filter=ssl|sds`)).text();
          const certs = await (await fetch(`${envoy.adminUrl}/certs`)).text();
          throw new Error(`${(error as Error).message}\nserver TLS errors: ${upstream.tlsErrors.slice(-3).join('; ')}\n${stats}\n${certs}\n${tail(envoy.logs())}`);
        });
        expect(seen.san).toBe(`URI:${spiffeId(instance, gateway)}`);
        const secret = await waitForSecret(gateway, () => true, ca);
        expect(seen.serial).toBe(serialOf(secret));
        expect(await loadedCertificateSerials(envoy.adminUrl)).toContain(serialOf(secret));
      });
    });

    it('repairs a deleted Secret', async () => {
      const before = (await waitForSecret(gateway, () => true, ca)).metadata?.uid;
      await env.core.deleteNamespacedSecret({ namespace: gateway.namespace, name: bootstrapSecretName(gateway.name) });
      const repaired = await waitForSecret(gateway, (s) => s.metadata?.uid !== before, ca);
      expect(new X509Certificate(decode(repaired)['tls.crt'] ?? '').verify(new X509Certificate(caPem).publicKey)).toBe(true);
    });

    it.each([
      ['a certificate from a foreign CA', (data: Record<string, string>) => ({ ...data, 'tls.crt': readFileSync(join(env.workDir, 'kube', 'certs', 'apiserver.crt'), 'utf8') })],
      ['a key that does not match', (data: Record<string, string>, other: Record<string, string>) => ({ ...data, 'tls.key': other['tls.key'] ?? '' })],
      ['an edited SDS file', (data: Record<string, string>) => ({ ...data, 'tls-certificate.sds.json': '{}' })],
    ])('repairs a Secret tampered with: %s', async (_what, tamper) => {
      const secret = await waitForSecret(gateway, () => true, ca);
      const serving = decode((await readSecret(SYSTEM_NAMESPACE, rendererServingSecretName(instance))) as V1Secret);
      const tampered = tamper(decode(secret), serving);
      const data = Object.fromEntries(Object.entries(tampered).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
      const written = await env.core.replaceNamespacedSecret({ namespace: gateway.namespace, name: bootstrapSecretName(gateway.name), body: { ...secret, data } });
      const repaired = await waitForSecret(gateway, (s) => s.metadata?.resourceVersion !== written.metadata?.resourceVersion, ca);
      const repairedData = decode(repaired);
      const cert = new X509Certificate(repairedData['tls.crt'] ?? '');
      expect(cert.verify(new X509Certificate(caPem).publicKey)).toBe(true);
      expect(repairedData['tls-certificate.sds.json']).toBe(decode(secret)['tls-certificate.sds.json']);
      expect(serialOf(repaired)).not.toBe(serialOf(secret));
    });

    it("accepts the renderer's infra entry and owns the Secret by the Gateway's uid", async () => {
      const plain = { namespace: 'team-a', name: 'plain' };
      const entry = gatewayInfraSchema.parse({
        gateway: { ...plain, uid: 'uid-plain-1' }, observedGeneration: 1, replicas: 1,
        ports: [{ name: 'port-80', port: 80, containerPort: 10080, protocol: 'TCP' }],
        service: { type: 'ClusterIP', annotations: {}, labels: {} },
        labels: {}, annotations: {}, resources: {}, logLevel: 'info',
      });
      await inst.infra.put(infraKey(plain), JSON.stringify(entry));
      const secret = await waitForSecret(plain, () => true, ca);
      expect(new X509Certificate(decode(secret)['tls.crt'] ?? '').subjectAltName).toBe(`URI:${spiffeId(instance, plain)}`);
      expect(secret.metadata?.ownerReferences).toEqual([expect.objectContaining({ kind: 'Gateway', name: plain.name, uid: 'uid-plain-1' })]);
    });

    it('deletes the bootstrap Secret when the Gateway leaves infra', async () => {
      const other = { namespace: 'team-a', name: 'short-lived' };
      await addGateway(inst, other, 'uid-short-1');
      await waitForSecret(other, () => true, ca);
      await inst.infra.delete(infraKey(other));
      await waitFor(async () => (await readSecret(other.namespace, bootstrapSecretName(other.name))) === undefined, { timeoutMs: 10_000, what: 'the Secret to go', process: ca });
    });

    it('publishes certificate events (issued, repaired with the reason) without key material', async () => {
      const events = await readEvents(inst.nc, instance);
      const types = events.map((text) => (JSON.parse(text) as { type: string }).type);
      expect(types).toContain('dev.microgateway.certificate.issued');
      // The tamper tests above made repairs: each says what was wrong.
      const reasons = events.map((t) => JSON.parse(t) as { type: string; data: { reason?: string } }).filter((e) => e.type === 'dev.microgateway.certificate.repaired').map((e) => e.data.reason);
      expect(reasons).toEqual(expect.arrayContaining(['ForeignIssuer', 'KeyMismatch', 'SdsOutdated']));
      for (const text of events) expect(text).not.toMatch(/PRIVATE KEY|BEGIN/);
      const issued = events.map((t) => JSON.parse(t) as { data: { gateway?: GatewayRef; spiffeId?: string } }).find((e) => e.data.gateway?.name === gateway.name);
      expect(issued?.data.spiffeId).toBe(spiffeId(instance, gateway));
    });

    it('exposes issuance metrics', async () => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(text).toMatch(/^mgw_certificates_issued_total\{kind="bootstrap",action="issue"\} [1-9]/m);
      expect(text).toMatch(/^mgw_certificates_issued_total\{kind="bootstrap",action="repair"\} [1-9]/m);
      expect(text).toMatch(/^mgw_certificate_issuance_seconds_count\{kind="bootstrap",action="issue"\} [1-9]/m);
      // The two serving certificates: the renderer's xDS one and the deployer's webhook one.
      expect(text).toMatch(/^mgw_certificates_issued_total\{kind="serving",action="issue"\} 2$/m);
    });

    it('logged no errors, and drains and exits 0 on SIGTERM', async () => {
      const bad = ca.logs().split('\n').filter((line) => line.startsWith('{') && (JSON.parse(line) as { level: number }).level >= 50);
      expect(bad).toEqual([]);
      expect(await ca.stop(10_000)).toEqual({ code: 0, signal: null });
    });
  });
});
