import {
  BOOTSTRAP_CA_KEY,
  BOOTSTRAP_CA_SDS_KEY,
  BOOTSTRAP_CERT_KEY,
  BOOTSTRAP_KEY_KEY,
  BOOTSTRAP_SECRET_KEYS,
  BOOTSTRAP_TLS_SDS_KEY,
  spiffeId,
  type InstanceName,
} from '@microgateway/contracts';
import type { GatewayOwner } from './bootstrap-secret.js';
import { inspectCertificate, issuedBy, keyMatchesCertificate, type CertificateFacts } from './inspect.js';
import { renewalTime, type RenewalPolicy } from './renewal.js';

/**
 * Whether a bootstrap Secret needs (re)issuing, decided by a chain of pure checks in the manner of
 * cert-manager's trigger policies: the first check that fails names the reason; when none fails
 * the certificate is kept until its renewal time. The adapter gathers the state, this decides.
 */

export const CHECK_REASONS = {
  /** No bootstrap Secret: first issuance (or it was deleted). */
  SecretMissing: 'SecretMissing',
  /** A key of the Secret is absent or empty. */
  SecretIncomplete: 'SecretIncomplete',
  /** tls.crt or tls.key cannot be parsed. */
  CertificateUnparseable: 'CertificateUnparseable',
  /** tls.crt was not signed by the current CA. */
  ForeignIssuer: 'ForeignIssuer',
  /** tls.key is not the key of tls.crt. */
  KeyMismatch: 'KeyMismatch',
  /** tls.crt does not name this Gateway (URI SAN). */
  IdentityMismatch: 'IdentityMismatch',
  /** tls.crt is not valid now (expired or not yet valid). */
  NotValidNow: 'NotValidNow',
  /** The Secret's owner reference is not this Gateway (recreated under the same name); checked when the uid is known. */
  OwnerMismatch: 'OwnerMismatch',
  /** ca.crt differs from the current CA bundle. */
  BundleOutdated: 'BundleOutdated',
  /** An SDS file differs from what this layout needs. */
  SdsOutdated: 'SdsOutdated',
  /** The renewal time has come. */
  RenewalDue: 'RenewalDue',
} as const;
export type CheckReason = (typeof CHECK_REASONS)[keyof typeof CHECK_REASONS];

/** The bootstrap Secret as found (data decoded to text). */
export interface ObservedSecret {
  data: Readonly<Record<string, string | undefined>>;
  ownerUids: readonly string[];
}

export interface CheckInput {
  instance: InstanceName;
  gateway: GatewayOwner;
  secret: ObservedSecret | undefined;
  /** The certificate of the CA that signs now. */
  signingCaPem: string;
  /** What ca.crt must contain. */
  caBundlePem: string;
  /** What the SDS files must contain. */
  sdsFiles: Readonly<Record<typeof BOOTSTRAP_TLS_SDS_KEY | typeof BOOTSTRAP_CA_SDS_KEY, string>>;
  policy: RenewalPolicy;
}

export type Verdict =
  | { action: 'keep'; certificate: CertificateFacts; renewAt: Date }
  | { action: 'renew'; reason: CheckReason; message: string; certificate: CertificateFacts }
  | { action: 'issue' | 'repair'; reason: CheckReason; message: string };

interface Violation {
  reason: CheckReason;
  message: string;
}

/** Checks that run once the Secret exists and its certificate parses. */
type Check = (input: CheckInput, secret: ObservedSecret, cert: CertificateFacts) => Violation | undefined;

const signedByCurrentCa: Check = (input, secret) =>
  issuedBy(secret.data[BOOTSTRAP_CERT_KEY] ?? '', input.signingCaPem)
    ? undefined
    : { reason: CHECK_REASONS.ForeignIssuer, message: 'the certificate was not signed by the current CA' };

const keyMatches: Check = (_input, secret) =>
  keyMatchesCertificate(secret.data[BOOTSTRAP_CERT_KEY] ?? '', secret.data[BOOTSTRAP_KEY_KEY] ?? '')
    ? undefined
    : { reason: CHECK_REASONS.KeyMismatch, message: 'the private key does not belong to the certificate' };

const namesGateway: Check = (input, _secret, cert) => {
  const expected = spiffeId(input.instance, input.gateway);
  return cert.uris.length === 1 && cert.uris[0] === expected
    ? undefined
    : { reason: CHECK_REASONS.IdentityMismatch, message: `the certificate names ${JSON.stringify(cert.uris)}, not ${expected}` };
};

const validNow: Check = (input, _secret, cert) => {
  const now = input.policy.clock.now().getTime();
  if (now >= cert.notAfter.getTime()) return { reason: CHECK_REASONS.NotValidNow, message: `the certificate expired at ${cert.notAfter.toISOString()}` };
  if (now < cert.notBefore.getTime()) return { reason: CHECK_REASONS.NotValidNow, message: `the certificate is valid only from ${cert.notBefore.toISOString()}` };
  return undefined;
};

const ownedByGateway: Check = (input, secret) =>
  input.gateway.uid === undefined || secret.ownerUids.includes(input.gateway.uid)
    ? undefined
    : { reason: CHECK_REASONS.OwnerMismatch, message: `the Secret is not owned by Gateway uid ${input.gateway.uid}` };

const bundleCurrent: Check = (input, secret) =>
  secret.data[BOOTSTRAP_CA_KEY] === input.caBundlePem ? undefined : { reason: CHECK_REASONS.BundleOutdated, message: 'ca.crt is not the current CA bundle' };

const sdsCurrent: Check = (input, secret) => {
  const stale = ([BOOTSTRAP_TLS_SDS_KEY, BOOTSTRAP_CA_SDS_KEY] as const).filter((key) => secret.data[key] !== input.sdsFiles[key]);
  return stale.length === 0 ? undefined : { reason: CHECK_REASONS.SdsOutdated, message: `${stale.join(', ')} differ from the expected SDS files` };
};

/** In order: the first violation decides. Each is a repair: the Secret exists but cannot be trusted as is. */
const REPAIR_CHECKS: readonly Check[] = [signedByCurrentCa, keyMatches, namesGateway, validNow, ownedByGateway, bundleCurrent, sdsCurrent];

function parse(secret: ObservedSecret): CertificateFacts | Violation {
  const missing = BOOTSTRAP_SECRET_KEYS.filter((key) => !secret.data[key]);
  if (missing.length > 0) return { reason: CHECK_REASONS.SecretIncomplete, message: `missing ${missing.join(', ')}` };
  try {
    const facts = inspectCertificate(secret.data[BOOTSTRAP_CERT_KEY] ?? '');
    keyMatchesCertificate(secret.data[BOOTSTRAP_CERT_KEY] ?? '', secret.data[BOOTSTRAP_KEY_KEY] ?? '');
    return facts;
  } catch (error) {
    return { reason: CHECK_REASONS.CertificateUnparseable, message: `cannot parse tls.crt/tls.key: ${(error as Error).message}` };
  }
}

export function evaluateBootstrapSecret(input: CheckInput): Verdict {
  const secret = input.secret;
  if (!secret) return { action: 'issue', reason: CHECK_REASONS.SecretMissing, message: 'no bootstrap Secret' };
  const parsed = parse(secret);
  if ('reason' in parsed) return { action: 'repair', ...parsed };
  for (const check of REPAIR_CHECKS) {
    const violation = check(input, secret, parsed);
    if (violation) return { action: 'repair', ...violation };
  }
  const renewal = renewalTime(parsed, input.policy);
  if (renewal.due) return { action: 'renew', reason: CHECK_REASONS.RenewalDue, message: `renewal was due at ${renewal.renewAt.toISOString()}`, certificate: parsed };
  return { action: 'keep', certificate: parsed, renewAt: renewal.renewAt };
}

/** Verdicts that follow from the CA Secret (its signer or bundle): worth confirming against its latest version before acting. */
export function dependsOnTrust(verdict: { action: string; reason?: string }): boolean {
  return verdict.action === 'repair' && (verdict.reason === CHECK_REASONS.ForeignIssuer || verdict.reason === CHECK_REASONS.BundleOutdated);
}
