import type { CertJob } from '@microgateway/contracts';
import { createLogger } from '@microgateway/runtime';
import { describe, expect, it } from 'vitest';
import type { StoredSecret } from './adapters/secrets.js';
import { bootstrapSecret, evaluateBootstrapSecret, expectedSdsFiles, signEngineCertificate, type BootstrapLayout, type GatewayOwner } from './pki/index.js';
import { DAY_MS, HOUR_MS } from './pki/clock.js';
import { T0, countingRandom, fixedClock, keyPair, testCa } from './pki/testdata/fixtures.js';
import { CertificateTracker, type Timers } from './tracker.js';

// The tracker with the real checks, an in-memory queue and a manual timer queue: what it enqueues,
// with which message ids, and when its renewal timers fire — with the clock pinned.

const gateway: GatewayOwner = { namespace: 'prod', name: 'edge', uid: 'uid-1' };
const layout: BootstrapLayout = { mountPath: '/etc/microgateway/bootstrap', xdsServerNames: ['xds.example'] };
const ca = testCa();

class ManualTimers implements Timers {
  readonly pending = new Map<number, { callback: () => void; delayMs: number }>();
  private next = 0;
  set(callback: () => void, delayMs: number): number {
    this.pending.set(++this.next, { callback, delayMs });
    return this.next;
  }
  clear(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  fireAll(): void {
    const due = [...this.pending.values()];
    this.pending.clear();
    for (const timer of due) timer.callback();
  }
}

function storedSecret(resourceVersion: string, notBefore = T0): StoredSecret {
  const certificatePem = signEngineCertificate({
    ca, instance: 'default', gateway, publicKeyPem: keyPair('engine').publicKeyPem, validity: { notBefore, lifetimeMs: 4 * DAY_MS }, random: countingRandom(),
  });
  const manifest = bootstrapSecret('default', gateway, { certificatePem, privateKeyPem: keyPair('engine').privateKeyPem, caBundlePem: ca.certificatePem }, layout);
  return {
    namespace: 'prod', name: manifest.metadata.name, uid: 'secret-uid', resourceVersion,
    labels: manifest.metadata.labels, annotations: manifest.metadata.annotations, ownerUids: ['uid-1'], data: manifest.stringData,
  };
}

function setup(nowMs = HOUR_MS, trustVersion?: () => string): { tracker: CertificateTracker; jobs: { job: CertJob; fact: string }[]; timers: ManualTimers } {
  const jobs: { job: CertJob; fact: string }[] = [];
  const timers = new ManualTimers();
  const clock = fixedClock(new Date(T0.getTime() + nowMs));
  const tracker = new CertificateTracker({
    queue: { enqueue: async (job, fact) => (jobs.push({ job, fact }), true) },
    issuer: {
      evaluate: (owner, secret) =>
        evaluateBootstrapSecret({
          instance: 'default', gateway: owner, secret: secret && { data: secret.data, ownerUids: secret.ownerUids },
          signingCaPem: ca.certificatePem, caBundlePem: ca.certificatePem, sdsFiles: expectedSdsFiles(layout), policy: { renewEveryMs: 48 * HOUR_MS, clock },
        }),
    },
    clock,
    logger: createLogger({ service: 'ca-test', level: 'silent' }),
    timers,
    ...(trustVersion ? { trustVersion } : {}),
  });
  return { tracker, jobs, timers };
}

describe('CertificateTracker', () => {
  it('turns an infra entry into one job whose id names the infra revision', () => {
    const { tracker, jobs } = setup();
    tracker.onInfraChange({ kind: 'upsert', gateway, revision: 7, initial: true });
    expect(jobs).toEqual([{ job: expect.objectContaining({ gateway: { namespace: 'prod', name: 'edge' }, reason: 'infra-changed' }), fact: 'rev-7' }]);
  });

  it('arms the renewal of a valid certificate for 48 hours after its notBefore, and enqueues it by serial when it fires', () => {
    const { tracker, jobs, timers } = setup(HOUR_MS);
    tracker.onInfraChange({ kind: 'upsert', gateway, revision: 1, initial: true });
    tracker.onSecretUpsert(storedSecret('10'));
    expect([...timers.pending.values()].map((t) => t.delayMs)).toEqual([47 * HOUR_MS]);
    timers.fireAll();
    expect(jobs.at(-1)).toEqual({ job: expect.objectContaining({ reason: 'renewal-due' }), fact: expect.stringMatching(/^serial-[0-9a-f]{32}$/) });
  });

  it('re-arms nothing for a Secret version it already scheduled', () => {
    const { tracker, timers } = setup();
    tracker.onInfraChange({ kind: 'upsert', gateway, revision: 1, initial: true });
    tracker.onSecretUpsert(storedSecret('10'));
    tracker.onSecretUpsert(storedSecret('11'));
    expect(timers.pending.size).toBe(1);
  });

  it('enqueues a repair for a tampered Secret, and a reissue for a deleted one', () => {
    const { tracker, jobs, timers } = setup();
    tracker.onInfraChange({ kind: 'upsert', gateway, revision: 1, initial: true });
    const tampered = storedSecret('12');
    tracker.onSecretUpsert({ ...tampered, data: { ...tampered.data, 'tls.key': keyPair('serving').privateKeyPem } });
    expect(jobs.at(-1)).toEqual({ job: expect.objectContaining({ reason: 'secret-changed' }), fact: 'rv-12' });
    tracker.onSecretDelete(tampered);
    expect(jobs.at(-1)).toEqual({ job: expect.objectContaining({ reason: 'secret-changed' }), fact: 'deleted-secret-uid' });
    expect(timers.pending.size).toBe(0);
  });

  it('enqueues a renewal at once for a certificate already past its renewal time', () => {
    const { tracker, jobs, timers } = setup(50 * HOUR_MS);
    tracker.onInfraChange({ kind: 'upsert', gateway, revision: 1, initial: true });
    tracker.onSecretUpsert(storedSecret('10'));
    expect(timers.pending.size).toBe(0);
    expect(jobs.at(-1)?.job.reason).toBe('renewal-due');
  });

  it('removes the Secret of a Gateway that left infra while the ca was away, once infra is synced', () => {
    const { tracker, jobs } = setup();
    tracker.onSecretUpsert(storedSecret('10'));
    expect(jobs).toEqual([]);
    tracker.onInfraSynced();
    expect(jobs).toEqual([{ job: expect.objectContaining({ reason: 'infra-deleted' }), fact: 'orphan-secret-uid' }]);
  });

  it('names the CA state in repair job ids, so a Secret version judged again after a CA rotation step is not deduplicated away', () => {
    let version = 'ca-a';
    const { tracker, jobs } = setup(HOUR_MS, () => version);
    tracker.onInfraChange({ kind: 'upsert', gateway, revision: 1, initial: true });
    const tampered = storedSecret('12');
    const broken = { ...tampered, data: { ...tampered.data, 'tls.key': keyPair('serving').privateKeyPem } };
    tracker.onSecretUpsert(broken);
    version = 'ca-b';
    tracker.resync();
    expect(jobs.filter((j) => j.job.reason === 'secret-changed').map((j) => j.fact)).toEqual(['rv-12-ca-ca-a', 'rv-12-ca-ca-b']);
  });

  it('offers its bootstrap Secrets to the rotation only once infra is known, and only those of Gateways in infra', () => {
    const { tracker } = setup();
    tracker.onInfraChange({ kind: 'upsert', gateway, revision: 1, initial: true });
    tracker.onSecretUpsert(storedSecret('10'));
    expect(tracker.leafSecrets()).toBeUndefined();
    tracker.onInfraSynced();
    expect(tracker.leafSecrets()?.map((s) => s.resourceVersion)).toEqual(['10']);
    tracker.onInfraChange({ kind: 'delete', gateway, revision: 2, initial: false });
    expect(tracker.leafSecrets()).toEqual([]);
  });
});
