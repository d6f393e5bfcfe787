import { CHECK_REASONS, type CheckReason } from './checks.js';
import { inspectCertificate, issuedBy, keyMatchesCertificate, type CertificateFacts } from './inspect.js';
import { renewalTime, type RenewalPolicy } from './renewal.js';

/** The keys of the renderer's serving Secret (kubernetes.io/tls names, plus the CA bundle for verifying Engines). */
export const SERVING_CERT_KEY = 'tls.crt';
export const SERVING_KEY_KEY = 'tls.key';
export const SERVING_CA_KEY = 'ca.crt';

export interface ServingCheckInput {
  data: Readonly<Record<string, string | undefined>> | undefined;
  dnsNames: readonly string[];
  signingCaPem: string;
  caBundlePem: string;
  policy: RenewalPolicy;
}

export type ServingVerdict = { action: 'keep'; renewAt: Date; certificate: CertificateFacts } | { action: 'issue' | 'renew' | 'repair'; reason: CheckReason };

/** The serving certificate's counterpart of evaluateBootstrapSecret: same reasons, DNS names instead of a SPIFFE id. */
export function evaluateServingSecret(input: ServingCheckInput): ServingVerdict {
  const data = input.data;
  if (!data) return { action: 'issue', reason: CHECK_REASONS.SecretMissing };
  const certPem = data[SERVING_CERT_KEY];
  const keyPem = data[SERVING_KEY_KEY];
  if (!certPem || !keyPem || !data[SERVING_CA_KEY]) return { action: 'repair', reason: CHECK_REASONS.SecretIncomplete };
  let facts: CertificateFacts;
  try {
    facts = inspectCertificate(certPem);
    if (!keyMatchesCertificate(certPem, keyPem)) return { action: 'repair', reason: CHECK_REASONS.KeyMismatch };
  } catch {
    return { action: 'repair', reason: CHECK_REASONS.CertificateUnparseable };
  }
  if (!issuedBy(certPem, input.signingCaPem)) return { action: 'repair', reason: CHECK_REASONS.ForeignIssuer };
  if (facts.dnsNames.join(',') !== input.dnsNames.join(',')) return { action: 'repair', reason: CHECK_REASONS.IdentityMismatch };
  const now = input.policy.clock.now();
  if (now >= facts.notAfter || now < facts.notBefore) return { action: 'repair', reason: CHECK_REASONS.NotValidNow };
  if (data[SERVING_CA_KEY] !== input.caBundlePem) return { action: 'repair', reason: CHECK_REASONS.BundleOutdated };
  const renewal = renewalTime(facts, input.policy);
  if (renewal.due) return { action: 'renew', reason: CHECK_REASONS.RenewalDue };
  return { action: 'keep', renewAt: renewal.renewAt, certificate: facts };
}
