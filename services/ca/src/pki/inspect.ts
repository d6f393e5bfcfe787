import { X509Certificate, createPrivateKey } from 'node:crypto';

/**
 * Reading certificates with node:crypto (OpenSSL, pure computation): it reads every key type the
 * ca issues (node-forge's X.509 parser reads RSA only) and judges chains as Envoy's BoringSSL will.
 */

/** What the ca needs to know about a certificate it finds (in a Secret or just signed). */
export interface CertificateFacts {
  /** Lower-case hex, as in events (the DER integer's octets, as OpenSSL prints them). */
  serial: string;
  notBefore: Date;
  notAfter: Date;
  uris: string[];
  dnsNames: string[];
  isCa: boolean;
}

/** `URI:a, DNS:b` → values per type. Our names contain no `, ` (DNS names and SPIFFE ids cannot). */
function altNames(x509: X509Certificate, prefix: 'URI:' | 'DNS:'): string[] {
  return (x509.subjectAltName ?? '')
    .split(', ')
    .filter((entry) => entry.startsWith(prefix))
    .map((entry) => entry.slice(prefix.length));
}

/** Parses a PEM certificate; throws on anything that is not one. */
export function inspectCertificate(pem: string): CertificateFacts {
  const x509 = new X509Certificate(pem);
  return {
    serial: x509.serialNumber.toLowerCase(),
    notBefore: x509.validFromDate,
    notAfter: x509.validToDate,
    uris: altNames(x509, 'URI:'),
    dnsNames: altNames(x509, 'DNS:'),
    isCa: x509.ca,
  };
}

/** The certificates of a PEM bundle, in order. */
export function splitPemBundle(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
}

/** True when `privateKeyPem` is the key of `certPem`; throws when either does not parse. */
export function keyMatchesCertificate(certPem: string, privateKeyPem: string): boolean {
  return new X509Certificate(certPem).checkPrivateKey(createPrivateKey(privateKeyPem));
}

/** True when `issuerPem` issued `certPem`: names and key identifiers chain, and the signature verifies. */
export function issuedBy(certPem: string, issuerPem: string): boolean {
  const cert = new X509Certificate(certPem);
  const issuer = new X509Certificate(issuerPem);
  return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
}
