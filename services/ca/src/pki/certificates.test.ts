import { X509Certificate, createPrivateKey } from 'node:crypto';
import { join } from 'node:path';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { signEngineCertificate, signServingCertificate } from './certificates.js';
import { DAY_MS } from './clock.js';
import { inspectCertificate, issuedBy, keyMatchesCertificate } from './inspect.js';
import { randomSerial } from './serial.js';
import { T0, countingRandom, keyPair, testCa } from './testdata/fixtures.js';

const gateway = { namespace: 'prod', name: 'edge.example' };
const validity = { notBefore: new Date(T0.getTime() + 123), lifetimeMs: 4 * DAY_MS };

function engineCert(): string {
  return signEngineCertificate({ ca: testCa(), instance: 'default', gateway, publicKeyPem: keyPair('engine').publicKeyPem, validity, random: countingRandom(7) });
}

// OpenSSL's view (through node:crypto) is the reference: if it reads the extensions as intended,
// so will Envoy's BoringSSL.
describe('CA certificate', () => {
  const ca = new X509Certificate(testCa().certificatePem);

  it('is a self-signed CA with a positive 127-bit random serial', () => {
    expect(ca.ca).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
    expect(ca.subject).toBe('O=Microgateway\nCN=microgateway-default CA');
    expect(ca.serialNumber).toMatch(/^[0-7][0-9A-F]{31}$/);
  });

  it('may sign certificates and CRLs, and only leaves (pathlen 0), both extensions critical', () => {
    const forgeCa = forge.pki.certificateFromPem(testCa().certificatePem);
    expect(forgeCa.getExtension('basicConstraints')).toMatchObject({ cA: true, pathLenConstraint: 0, critical: true });
    expect(forgeCa.getExtension('keyUsage')).toMatchObject({ keyCertSign: true, cRLSign: true, critical: true });
  });
});

describe('Engine client certificate', () => {
  const pem = engineCert();
  const cert = new X509Certificate(pem);

  it('names the Gateway with its SPIFFE URI and nothing else', () => {
    expect(cert.subjectAltName).toBe('URI:spiffe://default.microgateway.dev/ns/prod/gateway/edge.example');
    expect(inspectCertificate(pem).uris).toEqual(['spiffe://default.microgateway.dev/ns/prod/gateway/edge.example']);
  });

  it('is a client-auth leaf signed by the CA for the Engine key', () => {
    expect(cert.ca).toBe(false);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(cert.checkIssued(new X509Certificate(testCa().certificatePem))).toBe(true);
    expect(cert.verify(new X509Certificate(testCa().certificatePem).publicKey)).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(keyPair('engine').privateKeyPem))).toBe(true);
    expect(issuedBy(pem, testCa().certificatePem)).toBe(true);
    expect(issuedBy(pem, testCa('foreign-ca').certificatePem)).toBe(false);
    expect(keyMatchesCertificate(pem, keyPair('engine').privateKeyPem)).toBe(true);
    expect(keyMatchesCertificate(pem, keyPair('serving').privateKeyPem)).toBe(false);
  });

  it('is valid from the injected time (whole seconds) for the configured lifetime', () => {
    expect(new Date(cert.validFrom).toISOString()).toBe('2026-03-01T12:00:00.000Z');
    expect(new Date(cert.validTo).toISOString()).toBe('2026-03-05T12:00:00.000Z');
  });

  it('is reproducible from fixed keys, clock and randomness (golden)', async () => {
    await expect(pem).toMatchFileSnapshot(join(import.meta.dirname, 'testdata', 'engine.golden.crt'));
  });

  it('carries the Engine ECDSA P-256 key, signed by the RSA CA with SHA-256', () => {
    expect(cert.publicKey.asymmetricKeyType).toBe('ec');
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(cert.toLegacyObject().asn1Curve).toBe('prime256v1');
  });

  it('writes validity from 2050 on as GeneralizedTime', () => {
    const late = signEngineCertificate({ ca: testCa('ca', new Date('2049-06-01T00:00:00Z')), instance: 'default', gateway, publicKeyPem: keyPair('engine').publicKeyPem, validity: { notBefore: new Date('2049-12-31T00:00:00Z'), lifetimeMs: 4 * DAY_MS }, random: countingRandom() });
    expect(new X509Certificate(late).validToDate.toISOString()).toBe('2050-01-04T00:00:00.000Z');
  });

  it('refuses a Gateway that is not a valid identity', () => {
    expect(() =>
      signEngineCertificate({ ca: testCa(), instance: 'default', gateway: { namespace: 'Prod', name: 'x' }, publicKeyPem: keyPair('engine').publicKeyPem, validity, random: countingRandom() }),
    ).toThrow(/namespace/);
  });
});

describe('renderer serving certificate', () => {
  const dnsNames = ['microgateway-default-renderer.microgateway-system.svc', 'microgateway-default-renderer'];
  const pem = signServingCertificate({ ca: testCa(), dnsNames, publicKeyPem: keyPair('serving').publicKeyPem, validity, random: countingRandom(9) });
  const cert = new X509Certificate(pem);

  it('is a server-auth leaf for the renderer Service names', () => {
    expect(cert.subjectAltName).toBe('DNS:microgateway-default-renderer.microgateway-system.svc, DNS:microgateway-default-renderer');
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(cert.ca).toBe(false);
    expect(cert.checkHost('microgateway-default-renderer.microgateway-system.svc')).toBeDefined();
  });

  it('needs at least one name', () => {
    expect(() => signServingCertificate({ ca: testCa(), dnsNames: [], publicKeyPem: keyPair('serving').publicKeyPem, validity, random: countingRandom() })).toThrow(/DNS name/);
  });
});

describe('randomSerial', () => {
  it('keeps 16 octets, positive, never with a leading zero octet', () => {
    expect(randomSerial(() => new Uint8Array(16).fill(0xff))).toBe(`7f${'ff'.repeat(15)}`);
    expect(randomSerial(() => new Uint8Array(16))).toBe(`40${'00'.repeat(15)}`);
    expect(randomSerial(() => new Uint8Array(16).fill(0x80))).toBe(`40${'80'.repeat(15)}`);
  });

  it('refuses short randomness', () => {
    expect(() => randomSerial(() => new Uint8Array(8))).toThrow(/16 random octets/);
  });
});
