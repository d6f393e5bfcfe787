// Two ca replicas share the work: they start together (one CA between them), issue a bootstrap
// Secret for each of many Gateways, and one of them is SIGKILLed midway. Every Gateway ends with
// exactly one Secret, signed by the one CA, and no certificate is issued twice: the certificate in
// each Secret is the one its single `certificate.issued` event announced. Also a benchmark:
// certificates per second on this machine.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Secret } from '@kubernetes/client-node';
import { SYSTEM_NAMESPACE, caSecretName, infraKey, type InstanceName } from '@microgateway/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts, waitFor, type ProcessHandle } from '../harness/index.js';
import { CaTestEnvironment, decodeSecretData, ignoreConflict, prepareInstance, readEvents, startCa, type InstanceNats } from './setup.js';

const GATEWAYS = Number(process.env.MGW_CA_ITEST_GATEWAYS ?? 500);
const NAMESPACES = 10;
const SELECTOR = 'microgateway.dev/instance=scale,microgateway.dev/component=bootstrap';

describe(`two ca replicas and ${GATEWAYS} Gateways`, () => {
  const workDir = mkdtempSync(join(tmpdir(), 'mgw-ca-replicas-'));
  const instance: InstanceName = 'scale';
  let env: CaTestEnvironment;
  let inst: InstanceNats;
  const replicas: ProcessHandle[] = [];

  beforeAll(async () => {
    env = await CaTestEnvironment.start(workDir);
    inst = await prepareInstance(env.nats, instance);
    const ports = await freePorts(2);
    // A short ackWait so the killed replica's jobs come back quickly.
    const configYaml = 'jobs: {ackWaitSeconds: 5, concurrency: 4}';
    const started = await Promise.all(
      ports.map((port, i) => startCa({ instance, workDir, nats: env.nats, kubeconfig: env.kubeconfig, port, configYaml, name: `ca-${i}`, logLevel: 'info' })),
    );
    replicas.push(...started);
    for (let n = 0; n < NAMESPACES; n++) await ignoreConflict(env.core.createNamespace({ body: { metadata: { name: `scale-${n}` } } }));
  });

  afterAll(async () => {
    for (const replica of replicas) await replica.stop().catch(() => undefined);
    await inst?.nc.close();
    await env?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  async function secrets(): Promise<V1Secret[]> {
    return (await env.core.listSecretForAllNamespaces({ labelSelector: SELECTOR })).items;
  }

  it('issues exactly one Secret per Gateway, once, even when a replica is killed midway', async () => {
    const gateways = Array.from({ length: GATEWAYS }, (_, i) => ({ namespace: `scale-${i % NAMESPACES}`, name: `gw-${i}` }));
    const started = performance.now();
    await Promise.all(gateways.map((g, i) => inst.infra.put(infraKey(g), JSON.stringify({ gateway: { ...g, uid: `uid-${i}` } }))));

    await waitFor(async () => (await secrets()).length >= GATEWAYS / 3, { timeoutMs: 120_000, what: 'a third of the Secrets', intervalMs: 50 });
    const victim = replicas[1] as ProcessHandle;
    process.kill(victim.pid, 'SIGKILL');
    const killedAt = (await secrets()).length;

    await waitFor(async () => (await secrets()).length >= GATEWAYS, { timeoutMs: 300_000, what: `${GATEWAYS} Secrets`, intervalMs: 200, process: replicas[0] });
    const seconds = (performance.now() - started) / 1_000;
    console.log(`${GATEWAYS} bootstrap Secrets in ${seconds.toFixed(1)} s (${(GATEWAYS / seconds).toFixed(1)} certificates/s, 2 replicas then 1; killed one at ${killedAt})`);
    // Let stragglers (jobs redelivered from the killed replica) finish before counting writes.
    await new Promise((resolve) => setTimeout(resolve, 7_000));

    const all = await secrets();
    expect(all).toHaveLength(GATEWAYS);
    const caCert = new X509Certificate(decodeSecretData((await env.readSecret(SYSTEM_NAMESPACE, caSecretName(instance))) as V1Secret)['tls.crt'] ?? '');
    const serialByGateway = new Map<string, string>();
    for (const secret of all) {
      const cert = new X509Certificate(decodeSecretData(secret)['tls.crt'] ?? '');
      expect(cert.verify(caCert.publicKey)).toBe(true);
      serialByGateway.set(`${secret.metadata?.namespace}/${secret.metadata?.annotations?.['microgateway.dev/gateway-name']}`, cert.serialNumber.toLowerCase());
    }
    expect(serialByGateway.size).toBe(GATEWAYS);

    const issued = (await readEvents(inst.nc, instance))
      .map((text) => JSON.parse(text) as { type: string; data: { gateway?: { namespace: string; name: string }; serial: string } })
      .filter((event) => event.type === 'dev.microgateway.certificate.issued' && event.data.gateway);
    const perGateway = new Map<string, string[]>();
    for (const event of issued) {
      const key = `${event.data.gateway?.namespace}/${event.data.gateway?.name}`;
      perGateway.set(key, [...(perGateway.get(key) ?? []), event.data.serial]);
    }
    const twice = [...perGateway].filter(([, serials]) => serials.length > 1);
    expect(twice).toEqual([]);
    for (const [key, [serial]] of perGateway) expect(serial, key).toBe(serialByGateway.get(key));
    // A replica killed between writing a Secret and publishing its event loses that event: at most
    // one per job it had in flight (concurrency 4).
    expect(perGateway.size).toBeGreaterThanOrEqual(GATEWAYS - 4);
  });
});
