import {
  BOOTSTRAP_CA_KEY,
  BOOTSTRAP_CA_SDS_KEY,
  BOOTSTRAP_CERT_KEY,
  BOOTSTRAP_KEY_KEY,
  BOOTSTRAP_TLS_SDS_KEY,
} from '@microgateway/contracts';
import { describe, expect, it } from 'vitest';
import { bootstrapSecret, expectedSdsFiles, type BootstrapLayout } from './bootstrap-secret.js';
import { signEngineCertificate } from './certificates.js';
import { evaluateBootstrapSecret, type CheckInput, type ObservedSecret } from './checks.js';
import { DAY_MS, HOUR_MS } from './clock.js';
import { T0, countingRandom, fixedClock, keyPair, testCa } from './testdata/fixtures.js';

const gateway = { namespace: 'prod', name: 'edge', uid: 'uid-1' };
const layout: BootstrapLayout = { mountPath: '/etc/microgateway/bootstrap', xdsServerNames: ['microgateway-default-renderer.microgateway-system.svc'] };
const ca = testCa();

function certFor(options: { ca?: typeof ca; name?: string; notBefore?: Date } = {}): string {
  return signEngineCertificate({
    ca: options.ca ?? ca,
    instance: 'default',
    gateway: { namespace: 'prod', name: options.name ?? 'edge' },
    publicKeyPem: keyPair('engine').publicKeyPem,
    validity: { notBefore: options.notBefore ?? T0, lifetimeMs: 4 * DAY_MS },
    random: countingRandom(),
  });
}

function observed(overrides: Record<string, string | undefined> = {}, ownerUids = ['uid-1']): ObservedSecret {
  const manifest = bootstrapSecret('default', gateway, { certificatePem: certFor(), privateKeyPem: keyPair('engine').privateKeyPem, caBundlePem: ca.certificatePem }, layout);
  return { data: { ...manifest.stringData, ...overrides }, ownerUids };
}

function input(secret: ObservedSecret | undefined, nowMs = HOUR_MS): CheckInput {
  return {
    instance: 'default',
    gateway,
    secret,
    signingCaPem: ca.certificatePem,
    caBundlePem: ca.certificatePem,
    sdsFiles: expectedSdsFiles(layout),
    policy: { renewEveryMs: 48 * HOUR_MS, clock: fixedClock(new Date(T0.getTime() + nowMs)) },
  };
}

describe('evaluateBootstrapSecret', () => {
  const cases: Record<string, { secret: ObservedSecret | undefined; nowMs?: number; action: string; reason?: string }> = {
    'no Secret: issue': { secret: undefined, action: 'issue', reason: 'SecretMissing' },
    'a fresh, complete Secret: keep': { secret: observed(), action: 'keep' },
    'a key removed: repair': { secret: observed({ [BOOTSTRAP_KEY_KEY]: undefined }), action: 'repair', reason: 'SecretIncomplete' },
    'garbage in tls.crt: repair': { secret: observed({ [BOOTSTRAP_CERT_KEY]: 'not a certificate' }), action: 'repair', reason: 'CertificateUnparseable' },
    'signed by a foreign CA: repair': { secret: observed({ [BOOTSTRAP_CERT_KEY]: certFor({ ca: testCa('foreign-ca') }) }), action: 'repair', reason: 'ForeignIssuer' },
    'the key of another certificate: repair': { secret: observed({ [BOOTSTRAP_KEY_KEY]: keyPair('serving').privateKeyPem }), action: 'repair', reason: 'KeyMismatch' },
    "another Gateway's certificate: repair": { secret: observed({ [BOOTSTRAP_CERT_KEY]: certFor({ name: 'other' }) }), action: 'repair', reason: 'IdentityMismatch' },
    'expired (clock past notAfter): repair': { secret: observed(), nowMs: 5 * DAY_MS, action: 'repair', reason: 'NotValidNow' },
    'owned by an older Gateway of the same name: repair': { secret: observed({}, ['uid-0']), action: 'repair', reason: 'OwnerMismatch' },
    'an old CA bundle: repair': { secret: observed({ [BOOTSTRAP_CA_KEY]: testCa('foreign-ca').certificatePem }), action: 'repair', reason: 'BundleOutdated' },
    'an edited SDS file: repair': { secret: observed({ [BOOTSTRAP_TLS_SDS_KEY]: '{}' }), action: 'repair', reason: 'SdsOutdated' },
    'SDS for another mount path: repair': {
      secret: observed({ [BOOTSTRAP_CA_SDS_KEY]: expectedSdsFiles({ ...layout, mountPath: '/elsewhere' })[BOOTSTRAP_CA_SDS_KEY] }),
      action: 'repair',
      reason: 'SdsOutdated',
    },
    '47h59m59s after issuance: keep': { secret: observed(), nowMs: 48 * HOUR_MS - 1_000, action: 'keep' },
    '48 hours after issuance: renew': { secret: observed(), nowMs: 48 * HOUR_MS, action: 'renew', reason: 'RenewalDue' },
  };

  it.each(Object.entries(cases))('%s', (_name, c) => {
    const verdict = evaluateBootstrapSecret(input(c.secret, c.nowMs));
    expect(verdict.action).toBe(c.action);
    if (c.reason) expect(verdict).toMatchObject({ reason: c.reason });
  });

  it('does without an owner check when the infra entry has no uid', () => {
    expect(evaluateBootstrapSecret({ ...input(observed({}, [])), gateway: { namespace: 'prod', name: 'edge' } }).action).toBe('keep');
  });

  it('keeps a valid certificate until its renewal time', () => {
    const verdict = evaluateBootstrapSecret(input(observed()));
    expect(verdict).toMatchObject({ action: 'keep', renewAt: new Date(T0.getTime() + 48 * HOUR_MS) });
  });
});
