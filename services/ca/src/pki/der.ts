import forge from 'node-forge';

/**
 * The DER pieces of a certificate that node-forge's X.509 layer cannot produce on its own: it only
 * knows RSA public keys, while Engine keys are ECDSA P-256 (see certificates.ts). node-forge's
 * ASN.1 layer is key-agnostic, so the TBSCertificate is assembled here from its parts.
 */

const { asn1 } = forge;
type Asn1 = forge.asn1.Asn1;

export const OID_SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
export const OID_ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';

/** Binary string (node-forge's byte representation) from bytes, and back. */
export function toBinary(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('binary');
}

export function fromBinary(binary: string): Buffer {
  return Buffer.from(binary, 'binary');
}

/** node-forge's fromDer accepts options its type declarations omit. */
const parseDer = asn1.fromDer as unknown as (bytes: string, options: { strict: boolean; decodeBitStrings: boolean }) => Asn1;

/** Parses DER without looking inside BIT STRINGs, so they re-encode byte for byte and their bits stay reachable. */
export function fromDer(der: Uint8Array): Asn1 {
  return parseDer(toBinary(der), { strict: true, decodeBitStrings: false });
}

export function toDer(node: Asn1): Buffer {
  return fromBinary(asn1.toDer(node).getBytes());
}

/**
 * The key identifier of a SubjectPublicKeyInfo: SHA-1 of the subjectPublicKey bits (RFC 5280
 * §4.2.1.2, method 1) — what OpenSSL computes, so AKI/SKI chains match other tools' view.
 */
export function keyIdentifier(spki: Asn1): string {
  const bits = (spki.value as Asn1[])[1];
  if (!bits || typeof bits.value !== 'string') throw new Error('SubjectPublicKeyInfo without a public key bit string');
  // Skip the "unused bits" octet of the BIT STRING.
  return forge.md.sha1.create().update(bits.value.slice(1)).digest().getBytes();
}

/** AlgorithmIdentifier of the signature: RSA keeps its NULL parameters, ECDSA has none (RFC 5758). */
export function signatureAlgorithm(oid: string): Asn1 {
  const parts = [asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes())];
  if (oid === OID_SHA256_WITH_RSA) parts.push(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''));
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, parts);
}

/** UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5). */
function time(date: Date): Asn1 {
  return date.getUTCFullYear() < 2050
    ? asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(date))
    : asn1.create(asn1.Class.UNIVERSAL, asn1.Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));
}

export interface TbsParts {
  serialHex: string;
  signatureOid: string;
  issuer: Asn1;
  subject: Asn1;
  notBefore: Date;
  notAfter: Date;
  spki: Asn1;
  extensions: Asn1;
}

/** A v3 TBSCertificate. */
export function tbsCertificate(p: TbsParts): Asn1 {
  const { Class, Type } = asn1;
  return asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [
    asn1.create(Class.CONTEXT_SPECIFIC, 0, true, [asn1.create(Class.UNIVERSAL, Type.INTEGER, false, asn1.integerToDer(2).getBytes())]),
    asn1.create(Class.UNIVERSAL, Type.INTEGER, false, forge.util.hexToBytes(p.serialHex)),
    signatureAlgorithm(p.signatureOid),
    p.issuer,
    asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [time(p.notBefore), time(p.notAfter)]),
    p.subject,
    p.spki,
    p.extensions,
  ]);
}

/** Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }. */
export function certificate(tbs: Asn1, signatureOid: string, signature: Uint8Array): Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    tbs,
    signatureAlgorithm(signatureOid),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\u0000${toBinary(signature)}`),
  ]);
}

/** The subject Name of a DER certificate, as it is (so a leaf's issuer matches its CA byte for byte). */
export function subjectOf(certificateDer: Uint8Array): Asn1 {
  const tbs = (fromDer(certificateDer).value as Asn1[])[0];
  const subject = (tbs?.value as Asn1[] | undefined)?.[5];
  if (!subject) throw new Error('not an X.509 v3 certificate');
  return subject;
}
