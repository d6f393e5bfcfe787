import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { KeyPairPem, RandomBytes } from '../pki/index.js';

const generateKeyPairAsync = promisify(generateKeyPair);

/**
 * Keys are generated natively on libuv's thread pool, never on the event loop (node-forge's
 * generator would block it for seconds).
 */

/** An ECDSA P-256 key pair, for Engine and serving certificates: well under a millisecond to generate. */
export async function generateEcKeyPair(): Promise<KeyPairPem> {
  const { publicKey, privateKey } = await generateKeyPairAsync('ec', {
    namedCurve: 'P-256',
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKeyPem: publicKey, privateKeyPem: privateKey };
}

/** An RSA key pair, for the CA (generated once per installation). */
export async function generateRsaKeyPair(modulusLength: number): Promise<KeyPairPem> {
  const { publicKey, privateKey } = await generateKeyPairAsync('rsa', {
    modulusLength,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKeyPem: publicKey, privateKeyPem: privateKey };
}

/** Cryptographically secure randomness for serial numbers. */
export const secureRandom: RandomBytes = (size) => randomBytes(size);
