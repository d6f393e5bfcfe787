import { X509Certificate, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { spiffeId, type GatewayRef, type InstanceName } from '@microgateway/contracts';
import forge from 'node-forge';
import { truncateToSecond } from './clock.js';
import { OID_ECDSA_WITH_SHA256, OID_SHA256_WITH_RSA, certificate, fromDer, keyIdentifier, subjectOf, tbsCertificate, toDer } from './der.js';
import { randomSerial, type RandomBytes } from './serial.js';

/**
 * Certificate templates and signing. node-forge describes the certificate (names, extensions) and
 * encodes it; the signature itself is computed by node:crypto (OpenSSL). node-forge's own RSA
 * signing takes ~100 ms of JavaScript per certificate on the event loop, and its X.509 layer only
 * accepts RSA keys, while Engine and serving keys are ECDSA P-256 (generated in a fraction of a
 * millisecond, against ~170 ms for RSA-2048 here; see docs/adr/0005-ca-keys-and-signing.md).
 * Keys come in as PEM; time and randomness are parameters, so the same input gives the same
 * certificate (RSA PKCS#1 v1.5 signatures, which the CA makes, are deterministic).
 */

export interface KeyPairPem {
  /** SubjectPublicKeyInfo PEM. */
  publicKeyPem: string;
  /** PKCS#8 PEM. */
  privateKeyPem: string;
}

/** A signing CA: its certificate and key. */
export interface CertificateAuthority {
  certificatePem: string;
  privateKeyPem: string;
}

export interface Validity {
  /** Start of validity (truncated to the second). */
  notBefore: Date;
  lifetimeMs: number;
}

const ORGANIZATION = 'Microgateway';
/** X.520 caps commonName at 64 characters. */
const MAX_COMMON_NAME = 64;
const SAN_DNS = 2;
const SAN_URI = 6;

type Extension = Record<string, unknown> & { name: string };

function name(commonName: string): forge.asn1.Asn1 {
  return forge.pki.distinguishedNameToAsn1({
    attributes: [
      { type: forge.pki.oids.organizationName, value: ORGANIZATION, valueTagClass: forge.asn1.Type.UTF8 },
      { type: forge.pki.oids.commonName, value: commonName.slice(0, MAX_COMMON_NAME), valueTagClass: forge.asn1.Type.UTF8 },
    ],
  } as unknown as forge.pki.Certificate['subject']);
}

function spkiOf(publicKeyPem: string): forge.asn1.Asn1 {
  return fromDer(createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' }));
}

/** Extensions in DER, filled in by node-forge (its certificate object is only used as the encoder). */
function encodeExtensions(extensions: Extension[]): forge.asn1.Asn1 {
  const encoder = forge.pki.createCertificate();
  encoder.setExtensions(extensions);
  // Exported by node-forge, missing from its type declarations.
  const pki = forge.pki as unknown as { certificateExtensionsToAsn1(extensions: unknown[]): forge.asn1.Asn1 };
  return pki.certificateExtensionsToAsn1(encoder.extensions);
}

function skiExtension(spki: forge.asn1.Asn1): Extension {
  return { name: 'subjectKeyIdentifier', value: forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.OCTETSTRING, false, keyIdentifier(spki)) };
}

interface SignInput {
  issuer: forge.asn1.Asn1;
  subject: forge.asn1.Asn1;
  spki: forge.asn1.Asn1;
  extensions: Extension[];
  validity: Validity;
  random: RandomBytes;
  signingKeyPem: string;
}

function signCertificate(input: SignInput): string {
  const key = createPrivateKey(input.signingKeyPem);
  const signatureOid = key.asymmetricKeyType === 'ec' ? OID_ECDSA_WITH_SHA256 : OID_SHA256_WITH_RSA;
  if (key.asymmetricKeyType !== 'ec' && key.asymmetricKeyType !== 'rsa') throw new Error(`cannot sign with a ${key.asymmetricKeyType} key`);
  const notBefore = truncateToSecond(input.validity.notBefore);
  const tbs = tbsCertificate({
    serialHex: randomSerial(input.random),
    signatureOid,
    issuer: input.issuer,
    subject: input.subject,
    notBefore,
    notAfter: new Date(notBefore.getTime() + input.validity.lifetimeMs),
    spki: input.spki,
    extensions: encodeExtensions(input.extensions),
  });
  const signature = sign('sha256', toDer(tbs), key);
  const pem = forge.pem.encode({ type: 'CERTIFICATE', body: forge.asn1.toDer(certificate(tbs, signatureOid, signature)).getBytes() }, { maxline: 64 });
  // node-forge writes CRLF; Secrets and files are plain LF text.
  return pem.replace(/\r\n/g, '\n');
}

export interface CaTemplateInput {
  instance: InstanceName;
  keys: KeyPairPem;
  validity: Validity;
  random: RandomBytes;
}

/** A self-signed root for one instance: CA:true with pathlen 0 (it signs leaves only), keyCertSign and cRLSign, both critical. */
export function buildCaCertificate(input: CaTemplateInput): string {
  const subject = name(`microgateway-${input.instance} CA`);
  const spki = spkiOf(input.keys.publicKeyPem);
  return signCertificate({
    issuer: subject,
    subject,
    spki,
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
      skiExtension(spki),
    ],
    validity: input.validity,
    random: input.random,
    signingKeyPem: input.keys.privateKeyPem,
  });
}

type LeafUsage = 'clientAuth' | 'serverAuth';

interface LeafInput {
  ca: CertificateAuthority;
  publicKeyPem: string;
  commonName: string;
  altNames: { type: number; value: string }[];
  usage: LeafUsage;
  validity: Validity;
  random: RandomBytes;
}

/** An end-entity certificate signed by the CA: CA:false, digitalSignature (all TLS 1.3 needs), one extended key usage. */
function signLeaf(input: LeafInput): string {
  const caDer = new X509Certificate(input.ca.certificatePem).raw;
  const caSpki = fromDer(new X509Certificate(input.ca.certificatePem).publicKey.export({ type: 'spki', format: 'der' }));
  const spki = spkiOf(input.publicKeyPem);
  return signCertificate({
    issuer: subjectOf(caDer),
    subject: name(input.commonName),
    spki,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', [input.usage]: true },
      { name: 'subjectAltName', altNames: input.altNames },
      skiExtension(spki),
      { name: 'authorityKeyIdentifier', keyIdentifier: keyIdentifier(caSpki) },
    ],
    validity: input.validity,
    random: input.random,
    signingKeyPem: input.ca.privateKeyPem,
  });
}

export interface EngineCertificateInput {
  ca: CertificateAuthority;
  instance: InstanceName;
  gateway: GatewayRef;
  publicKeyPem: string;
  validity: Validity;
  random: RandomBytes;
}

/** The Engine's xDS client certificate: its only identity is the URI SAN naming its Gateway (DESIGN.md §2). */
export function signEngineCertificate(input: EngineCertificateInput): string {
  const uri = spiffeId(input.instance, input.gateway);
  return signLeaf({
    ca: input.ca,
    publicKeyPem: input.publicKeyPem,
    commonName: `${input.gateway.namespace}/${input.gateway.name}`,
    altNames: [{ type: SAN_URI, value: uri }],
    usage: 'clientAuth',
    validity: input.validity,
    random: input.random,
  });
}

export interface ServingCertificateInput {
  ca: CertificateAuthority;
  /** The names Engines dial (the renderer Service's DNS names); the first becomes the commonName. */
  dnsNames: readonly string[];
  publicKeyPem: string;
  validity: Validity;
  random: RandomBytes;
}

/** The renderer's xDS serving certificate: serverAuth for the renderer Service's DNS names. */
export function signServingCertificate(input: ServingCertificateInput): string {
  const [first] = input.dnsNames;
  if (first === undefined) throw new Error('a serving certificate needs at least one DNS name');
  return signLeaf({
    ca: input.ca,
    publicKeyPem: input.publicKeyPem,
    commonName: first,
    altNames: input.dnsNames.map((value) => ({ type: SAN_DNS, value })),
    usage: 'serverAuth',
    validity: input.validity,
    random: input.random,
  });
}
