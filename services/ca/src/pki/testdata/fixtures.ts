// Shared fixtures of the pki unit tests: fixed keys, a fixed clock and fixed "randomness", so every
// certificate the tests sign is byte-for-byte reproducible (RSA PKCS#1 v1.5 signatures are deterministic).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../clock.js';
import type { CertificateAuthority, KeyPairPem } from '../certificates.js';
import { buildCaCertificate } from '../certificates.js';
import type { RandomBytes } from '../serial.js';

export function keyPair(name: 'ca' | 'engine' | 'serving' | 'foreign-ca'): KeyPairPem {
  return {
    privateKeyPem: readFileSync(join(import.meta.dirname, `${name}.key.pem`), 'utf8'),
    publicKeyPem: readFileSync(join(import.meta.dirname, `${name}.pub.pem`), 'utf8'),
  };
}

export const T0 = new Date('2026-03-01T12:00:00.000Z');

export function fixedClock(at: Date): Clock & { set(next: Date): void } {
  let now = at;
  return { now: () => now, set: (next) => (now = next) };
}

/** Counts up from `seed`: distinct serials, the same on every run. */
export function countingRandom(seed = 1): RandomBytes {
  let next = seed;
  return (size) => Uint8Array.from({ length: size }, (_, i) => (next + i * 7) & 0xff).map((b, i) => (i === size - 1 ? next++ & 0xff : b));
}

export function testCa(name: 'ca' | 'foreign-ca' = 'ca', notBefore = T0): CertificateAuthority {
  const keys = keyPair(name);
  const certificatePem = buildCaCertificate({
    instance: name === 'ca' ? 'default' : 'other',
    keys,
    validity: { notBefore, lifetimeMs: 365 * 24 * 3_600_000 },
    random: countingRandom(name === 'ca' ? 1 : 100),
  });
  return { certificatePem, privateKeyPem: keys.privateKeyPem };
}
