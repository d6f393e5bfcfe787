import { API_GROUP } from '@microgateway/contracts';
import type { Clock } from './clock.js';
import type { CertificateAuthority } from './certificates.js';
import { inspectCertificate, issuedBy, splitPemBundle } from './inspect.js';

/**
 * CA rotation as explicit phases persisted in the CA Secret (docs/adr/0009-ca-rotation.md), so every
 * replica, and a replica restarted mid-rotation, agree on where the rotation stands:
 *
 *   stable ──stage──▶ staged ──promote──▶ promoted ──retire──▶ retired (stable again)
 *
 * - staged: a next CA exists; every bundle is [current, next]; the current CA still signs.
 * - promoted: only once every bundle carries next: next signs, bundles are [new, old], and every
 *   leaf is re-issued by the new CA (the ForeignIssuer repair).
 * - retired: only once every leaf is signed by the new CA: the old CA leaves the bundles.
 * Each phase also lasts at least `minPhaseMs`, so mounted Secret volumes (which the kubelet
 * refreshes on its own schedule) reach the Engines before the next step relies on them.
 */

/** An operator sets this annotation on the CA Secret to a new value to request a rotation. */
export const ROTATE_CA_ANNOTATION = `${API_GROUP}/rotate-ca`;
/** The rotation's phase; absent on a CA that was never rotated. */
export const ROTATION_PHASE_ANNOTATION = `${API_GROUP}/ca-rotation-phase`;
/** When the current phase began (RFC 3339). */
export const ROTATION_SINCE_ANNOTATION = `${API_GROUP}/ca-rotation-since`;
/** The last value of ROTATE_CA_ANNOTATION a rotation was started for. */
export const ROTATION_HANDLED_ANNOTATION = `${API_GROUP}/ca-rotation-handled`;

/** The CA Secret's data keys: the signer, the bundle, and the rotation's other CA. */
export const CA_CERT_KEY = 'tls.crt';
export const CA_KEY_KEY = 'tls.key';
export const CA_BUNDLE_KEY = 'ca.crt';
export const NEXT_CA_CERT_KEY = 'next.crt';
export const NEXT_CA_KEY_KEY = 'next.key';
export const PREVIOUS_CA_CERT_KEY = 'previous.crt';

export const ROTATION_PHASES = ['none', 'staged', 'promoted', 'retired'] as const;
export type RotationPhase = (typeof ROTATION_PHASES)[number];

/** The CA Secret's data and annotations, decoded. */
export interface CaSecretContent {
  data: Readonly<Record<string, string | undefined>>;
  annotations: Readonly<Record<string, string | undefined>>;
}

/** What the leaf Secrets (every bootstrap Secret of a Gateway in infra, and the serving Secret) hold now. */
export interface LeafFacts {
  /** Each Secret's `ca.crt`. */
  bundles: readonly string[];
  /** Each Secret's `tls.crt`. */
  leaves: readonly string[];
}

export interface RotationPolicy {
  /** Rotate automatically once this fraction of the CA's lifetime has passed. */
  rotateAtFraction: number;
  /** The least time each phase lasts. */
  minPhaseMs: number;
  clock: Clock;
}

export type RotationDecision =
  | { action: 'wait'; why: string; recheckAt?: Date }
  | { action: 'stage'; trigger: 'requested' | 'lifetime'; why: string }
  | { action: 'promote'; why: string }
  | { action: 'retire'; why: string };

export function rotationPhase(content: CaSecretContent): RotationPhase {
  const value = content.annotations[ROTATION_PHASE_ANNOTATION];
  return (ROTATION_PHASES as readonly string[]).includes(value ?? '') ? (value as RotationPhase) : 'none';
}

/** A bundle of PEM certificates, in order, each ending in a newline. */
export function joinPems(...pems: string[]): string {
  return pems.map((pem) => `${pem.trim()}\n`).join('');
}

function samePem(a: string, b: string): boolean {
  return a.trim() === b.trim();
}

function bundleHolds(bundle: string, caPem: string): boolean {
  return splitPemBundle(bundle).some((pem) => samePem(pem, caPem));
}

function signedBy(leafPem: string, caPem: string): boolean {
  try {
    return issuedBy(leafPem, caPem);
  } catch {
    // An unparseable leaf is not (yet) re-signed; the issuer repairs it.
    return false;
  }
}

/** The phase began at least minPhaseMs ago, or when it may move on. */
function dwellOver(content: CaSecretContent, policy: RotationPolicy): Date | undefined {
  const since = Date.parse(content.annotations[ROTATION_SINCE_ANNOTATION] ?? '');
  if (Number.isNaN(since)) return undefined;
  const until = since + policy.minPhaseMs;
  return policy.clock.now().getTime() >= until ? undefined : new Date(until);
}

function decideWhenStable(content: CaSecretContent, policy: RotationPolicy): RotationDecision {
  const requested = content.annotations[ROTATE_CA_ANNOTATION];
  if (requested !== undefined && requested !== '' && requested !== content.annotations[ROTATION_HANDLED_ANNOTATION]) {
    return { action: 'stage', trigger: 'requested', why: `${ROTATE_CA_ANNOTATION} is ${JSON.stringify(requested)}` };
  }
  const ca = inspectCertificate(content.data[CA_CERT_KEY] ?? '');
  const start = ca.notBefore.getTime();
  const rotateAt = new Date(start + (ca.notAfter.getTime() - start) * policy.rotateAtFraction);
  if (policy.clock.now() >= rotateAt) return { action: 'stage', trigger: 'lifetime', why: `the CA passed ${policy.rotateAtFraction} of its lifetime at ${rotateAt.toISOString()}` };
  return { action: 'wait', why: 'no rotation due', recheckAt: rotateAt };
}

/**
 * What the rotation does next, from the CA Secret, what the leaf Secrets hold and the clock. Never
 * promotes before every bundle carries the next CA; never retires before every leaf is signed by
 * the new one.
 */
export function decideRotation(content: CaSecretContent, facts: LeafFacts, policy: RotationPolicy): RotationDecision {
  const phase = rotationPhase(content);
  if (phase === 'none' || phase === 'retired') return decideWhenStable(content, policy);
  const dwellUntil = dwellOver(content, policy);
  if (dwellUntil) return { action: 'wait', why: `${phase} until ${dwellUntil.toISOString()} at least`, recheckAt: dwellUntil };
  if (phase === 'staged') {
    const next = content.data[NEXT_CA_CERT_KEY] ?? '';
    const lacking = facts.bundles.filter((bundle) => !bundleHolds(bundle, next)).length;
    if (next === '' || lacking > 0) return { action: 'wait', why: `${lacking} of ${facts.bundles.length} bundles lack the next CA` };
    return { action: 'promote', why: `all ${facts.bundles.length} bundles carry the next CA` };
  }
  const signer = content.data[CA_CERT_KEY] ?? '';
  const stale = facts.leaves.filter((leaf) => !signedBy(leaf, signer)).length;
  if (stale > 0) return { action: 'wait', why: `${stale} of ${facts.leaves.length} certificates are not signed by the new CA yet` };
  return { action: 'retire', why: `all ${facts.leaves.length} certificates are signed by the new CA` };
}

/** The CA Secret's new data and annotations after a step (annotations not named here are kept). */
export interface CaSecretStep {
  data: Record<string, string>;
  annotations: Record<string, string>;
}

function stepAnnotations(content: CaSecretContent, phase: RotationPhase, now: Date, extra: Record<string, string> = {}): Record<string, string> {
  const kept = Object.fromEntries(Object.entries(content.annotations).filter((entry): entry is [string, string] => entry[1] !== undefined));
  return { ...kept, ...extra, [ROTATION_PHASE_ANNOTATION]: phase, [ROTATION_SINCE_ANNOTATION]: now.toISOString() };
}

/** staged: the next CA joins the bundle after the current one; the current CA keeps signing. */
export function stageRotation(content: CaSecretContent, next: CertificateAuthority, trigger: 'requested' | 'lifetime', now: Date): CaSecretStep {
  const current = content.data[CA_CERT_KEY] ?? '';
  const requested = content.annotations[ROTATE_CA_ANNOTATION];
  return {
    data: {
      [CA_CERT_KEY]: current,
      [CA_KEY_KEY]: content.data[CA_KEY_KEY] ?? '',
      [CA_BUNDLE_KEY]: joinPems(current, next.certificatePem),
      [NEXT_CA_CERT_KEY]: next.certificatePem,
      [NEXT_CA_KEY_KEY]: next.privateKeyPem,
    },
    annotations: stepAnnotations(content, 'staged', now, trigger === 'requested' && requested !== undefined ? { [ROTATION_HANDLED_ANNOTATION]: requested } : {}),
  };
}

/** promoted: the next CA signs; the bundle is [new, old]; the old CA's key is dropped (it signs nothing more). */
export function promoteRotation(content: CaSecretContent, now: Date): CaSecretStep {
  const next = content.data[NEXT_CA_CERT_KEY] ?? '';
  const old = content.data[CA_CERT_KEY] ?? '';
  return {
    data: { [CA_CERT_KEY]: next, [CA_KEY_KEY]: content.data[NEXT_CA_KEY_KEY] ?? '', [CA_BUNDLE_KEY]: joinPems(next, old), [PREVIOUS_CA_CERT_KEY]: old },
    annotations: stepAnnotations(content, 'promoted', now),
  };
}

/** retired: the old CA leaves the bundle. */
export function retireRotation(content: CaSecretContent, now: Date): CaSecretStep {
  const current = content.data[CA_CERT_KEY] ?? '';
  return {
    data: { [CA_CERT_KEY]: current, [CA_KEY_KEY]: content.data[CA_KEY_KEY] ?? '', [CA_BUNDLE_KEY]: current },
    annotations: stepAnnotations(content, 'retired', now),
  };
}
