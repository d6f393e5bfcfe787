import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { Gateway, IrSecret, SecretObjectReference } from '@microgateway/contracts';
import { GATEWAY_API_GROUP, ListenerReason } from '@microgateway/contracts';
import type { ResourceIndex } from '../resources.js';
import { referencePermitted } from './referencegrant.js';

/**
 * Listener TLS certificateRefs (Gateway API, Listener `tls.certificateRefs`): each reference must
 * name a core `Secret` of type `kubernetes.io/tls` holding a PEM certificate and its private key;
 * a Secret in another namespace needs a ReferenceGrant from the Gateway. A bad reference sets the
 * listener's ResolvedRefs=False (InvalidCertificateRef, or RefNotPermitted for a missing grant).
 * node:crypto parses the PEM here (pure computation, no I/O) so a malformed certificate becomes a
 * condition instead of a configuration that Envoy would reject as a whole.
 */

export interface CertificateProblem {
  reason: typeof ListenerReason.InvalidCertificateRef | typeof ListenerReason.RefNotPermitted;
  message: string;
}

export interface ResolvedCertificates {
  secrets: IrSecret[];
  problems: CertificateProblem[];
}

export const TLS_SECRET_TYPE = 'kubernetes.io/tls';

function decodePem(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Buffer.from(value, 'base64').toString('utf8');
}

/** Why a Secret's certificate and key are unusable, or undefined when they are a valid pair. */
export function certificateDataProblem(type: string | undefined, data: Record<string, string> | undefined): string | undefined {
  if (type !== TLS_SECRET_TYPE) return `has type ${JSON.stringify(type ?? '')}, want ${TLS_SECRET_TYPE}`;
  const cert = decodePem(data?.['tls.crt']);
  const key = decodePem(data?.['tls.key']);
  if (!cert || !key) return 'lacks tls.crt or tls.key';
  try {
    const x509 = new X509Certificate(cert);
    if (!x509.checkPrivateKey(createPrivateKey(key))) return 'has a tls.key that does not match tls.crt';
  } catch {
    // The parser's message names OpenSSL internals that change between Node releases; keep the condition stable.
    return 'holds malformed PEM data';
  }
  return undefined;
}

function resolveOne(index: ResourceIndex, gateway: Gateway, ref: SecretObjectReference): IrSecret | CertificateProblem {
  const namespace = ref.namespace ?? gateway.metadata.namespace;
  const label = `Secret ${namespace}/${ref.name}`;
  if ((ref.group ?? '') !== '' || (ref.kind ?? 'Secret') !== 'Secret') {
    return { reason: ListenerReason.InvalidCertificateRef, message: `certificateRef ${ref.group ?? ''}/${ref.kind ?? ''} ${ref.name} is not a core Secret` };
  }
  const from = { group: GATEWAY_API_GROUP, kind: 'Gateway', namespace: gateway.metadata.namespace };
  if (!referencePermitted(index, from, { group: '', kind: 'Secret', namespace, name: ref.name })) {
    return { reason: ListenerReason.RefNotPermitted, message: `${label} is in another namespace and no ReferenceGrant allows it` };
  }
  const secret = index.secret(namespace, ref.name);
  if (secret === undefined) return { reason: ListenerReason.InvalidCertificateRef, message: `${label} does not exist` };
  const problem = certificateDataProblem(secret.type, secret.data);
  if (problem !== undefined) return { reason: ListenerReason.InvalidCertificateRef, message: `${label} ${problem}` };
  return { name: `${namespace}/${ref.name}`, certificateChain: secret.data?.['tls.crt'] ?? '', privateKey: secret.data?.['tls.key'] ?? '' };
}

export function resolveCertificates(index: ResourceIndex, gateway: Gateway, refs: readonly SecretObjectReference[]): ResolvedCertificates {
  const secrets: IrSecret[] = [];
  const problems: CertificateProblem[] = [];
  for (const ref of refs) {
    const result = resolveOne(index, gateway, ref);
    if ('reason' in result) problems.push(result);
    else secrets.push(result);
  }
  return { secrets, problems };
}
