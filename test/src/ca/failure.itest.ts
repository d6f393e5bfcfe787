// Issuance that fails for real: a Gateway whose namespace does not exist yet, so the apiserver refuses
// its bootstrap Secret. The ca reports every failed attempt as a certificate.failed CloudEvent (with
// the attempt and the backoff before the next one) and keeps retrying; once the namespace exists, the
// next attempt issues the certificate (certificate.issued).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapSecretName, infraKey, type InstanceName } from '@microgateway/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts, waitFor, type ProcessHandle } from '../harness/index.js';
import { CaTestEnvironment, prepareInstance, readEvents, startCa, type InstanceNats } from './setup.js';

interface CertificateEvent {
  type: string;
  specversion: string;
  source: string;
  time: string;
  data: { gateway?: { namespace: string; name: string }; reason?: string; message?: string; attempt?: number; retryInSeconds?: number; serial?: string };
}

describe('certificate.failed', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'mgw-ca-failure-'));
  const instance: InstanceName = 'failing';
  const gateway = { namespace: 'not-created-yet', name: 'edge' };
  let env: CaTestEnvironment;
  let inst: InstanceNats;
  let ca: ProcessHandle;
  let port: number;

  beforeAll(async () => {
    env = await CaTestEnvironment.start(workDir);
    inst = await prepareInstance(env.nats, instance);
    [port] = (await freePorts(1)) as [number];
    ca = await startCa({
      instance, workDir, nats: env.nats, kubeconfig: env.kubeconfig, port,
      configYaml: 'jobs: {backoffInitialSeconds: 1, backoffMaxSeconds: 2}',
    });
  });

  afterAll(async () => {
    await ca?.stop();
    await inst?.nc.close();
    await env?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  const eventsOfGateway = async (): Promise<CertificateEvent[]> =>
    (await readEvents(inst.nc, instance)).map((text) => JSON.parse(text) as CertificateEvent).filter((e) => e.data.gateway?.name === gateway.name);

  it('publishes certificate.failed for every failed attempt, with the attempt and the retry delay', async () => {
    // The renderer's infra entry, for a Gateway in a namespace that does not exist.
    await inst.infra.put(infraKey(gateway), JSON.stringify({ gateway: { ...gateway, uid: 'uid-failing' }, replicas: 1 }));
    const failed = await waitFor(
      async () => {
        const events = (await eventsOfGateway()).filter((e) => e.type === 'dev.microgateway.certificate.failed');
        return events.length >= 3 ? events : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200, what: 'three certificate.failed events', process: ca },
    );
    for (const event of failed) {
      expect(event).toMatchObject({ specversion: '1.0', source: expect.stringContaining('ca') });
      expect(event.data.gateway).toEqual(gateway);
      expect(event.data.reason).toEqual(expect.any(String));
      expect(event.data.message).toMatch(/not-created-yet|not found/i);
    }
    // Backoff 1 s, doubling, capped at 2 s.
    expect(failed.slice(0, 3).map((e) => [e.data.attempt, e.data.retryInSeconds])).toEqual([[1, 1], [2, 2], [3, 2]]);
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(text).toMatch(/^mgw_certificate_failures_total\{kind="bootstrap",reason="[^"]+"\} [3-9]/m);
    for (const event of await readEvents(inst.nc, instance)) expect(event).not.toMatch(/PRIVATE KEY|BEGIN/);
  });

  it('recovers once the cause is removed: the next attempt issues the certificate', async () => {
    await env.core.createNamespace({ body: { metadata: { name: gateway.namespace } } });
    const created = Date.now();
    const secret = await env.waitForSecret(gateway, () => true, ca, 10_000);
    expect(secret.metadata?.name).toBe(bootstrapSecretName(gateway.name));
    console.log(`bootstrap Secret ${Date.now() - created} ms after its namespace was created`);
    const issued = await waitFor(
      async () => (await eventsOfGateway()).find((e) => e.type === 'dev.microgateway.certificate.issued'),
      { timeoutMs: 5_000, intervalMs: 100, what: 'certificate.issued', process: ca },
    );
    const lastFailure = (await eventsOfGateway()).filter((e) => e.type === 'dev.microgateway.certificate.failed').at(-1);
    expect(Date.parse(issued.time)).toBeGreaterThan(Date.parse(lastFailure?.time ?? ''));
    expect(issued.data.serial).toMatch(/^[0-9a-f]+$/);
  });
});
