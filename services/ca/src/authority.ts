import {
  CA_COMPONENT,
  caSecretName,
  COMPONENT_LABEL,
  INSTANCE_LABEL,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  SYSTEM_NAMESPACE,
  type InstanceName,
} from '@microgateway/contracts';
import { createHash } from 'node:crypto';
import type { Logger } from '@microgateway/runtime';
import { SecretConflictError, type SecretStore, type StoredSecret } from './adapters/secrets.js';
import {
  CA_BUNDLE_KEY,
  CA_CERT_KEY,
  CA_KEY_KEY,
  buildCaCertificate,
  inspectCertificate,
  keyMatchesCertificate,
  splitPemBundle,
  type CertificateAuthority,
  type Clock,
  type KeyPairPem,
  type RandomBytes,
} from './pki/index.js';

/** The signing CA and the bundle every Engine must trust (the CA's own certificate, plus any CA being rotated). */
export interface TrustState {
  ca: CertificateAuthority;
  bundlePem: string;
}

export interface AuthorityDeps {
  store: SecretStore;
  instance: InstanceName;
  clock: Clock;
  random: RandomBytes;
  generateKeys: () => Promise<KeyPairPem>;
  caLifetimeMs: number;
  logger: Logger;
}

const MAX_ATTEMPTS = 5;

/** Why the CA in the Secret cannot sign, or undefined when it can. */
function unusable(secret: StoredSecret, now: Date): string | undefined {
  const certPem = secret.data[CA_CERT_KEY];
  const keyPem = secret.data[CA_KEY_KEY];
  if (!certPem || !keyPem) return 'tls.crt or tls.key is missing';
  try {
    const facts = inspectCertificate(certPem);
    if (!facts.isCa) return 'tls.crt is not a CA certificate';
    if (facts.notAfter <= now) return `the CA expired at ${facts.notAfter.toISOString()}`;
    if (!keyMatchesCertificate(certPem, keyPem)) return 'tls.key does not belong to tls.crt';
  } catch (error) {
    return `cannot parse the CA: ${(error as Error).message}`;
  }
  return undefined;
}

function trustFrom(secret: StoredSecret): TrustState {
  const certificatePem = secret.data[CA_CERT_KEY] ?? '';
  const bundle = secret.data[CA_BUNDLE_KEY] ?? '';
  // The bundle must contain the signing CA; an absent or foreign bundle falls back to the CA alone.
  const bundlePem = splitPemBundle(bundle).some((pem) => pem.trim() === certificatePem.trim()) ? bundle : certificatePem;
  return { ca: { certificatePem, privateKeyPem: secret.data[CA_KEY_KEY] ?? '' }, bundlePem };
}

async function newCaData(deps: AuthorityDeps): Promise<Record<string, string>> {
  const keys = await deps.generateKeys();
  const certificatePem = buildCaCertificate({
    instance: deps.instance,
    keys,
    validity: { notBefore: deps.clock.now(), lifetimeMs: deps.caLifetimeMs },
    random: deps.random,
  });
  return { [CA_CERT_KEY]: certificatePem, [CA_KEY_KEY]: keys.privateKeyPem, [CA_BUNDLE_KEY]: certificatePem };
}

/**
 * The instance's CA Secret (`caSecretName`) in the system namespace, created when absent. Replicas
 * starting together all try to create it; exactly one create succeeds and the others read the
 * winner's CA, so every replica signs with the same CA.
 */
export async function ensureCertificateAuthority(deps: AuthorityDeps): Promise<TrustState> {
  const labels = { [INSTANCE_LABEL]: deps.instance, [COMPONENT_LABEL]: CA_COMPONENT, [MANAGED_BY_LABEL]: MANAGED_BY_VALUE };
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const name = caSecretName(deps.instance);
    const existing = await deps.store.get(SYSTEM_NAMESPACE, name);
    const owner = existing?.labels[INSTANCE_LABEL];
    // Never adopt (or overwrite) a CA that another instance, or a person, put under this name.
    if (existing && owner !== deps.instance) throw new Error(`the Secret ${SYSTEM_NAMESPACE}/${name} is not this instance's CA (${INSTANCE_LABEL}=${owner ?? '<none>'}); refusing to use or replace it`);
    const problem = existing ? unusable(existing, deps.clock.now()) : undefined;
    if (existing && problem === undefined) return trustFrom(existing);
    if (existing) deps.logger.error({ problem }, 'the CA Secret cannot be used; replacing it with a new CA (every bootstrap Secret will be reissued)');
    const write = { namespace: SYSTEM_NAMESPACE, name, labels, data: await newCaData(deps) };
    try {
      const stored = await deps.store.write(write, existing);
      deps.logger.info({ serial: inspectCertificate(stored.data[CA_CERT_KEY] ?? '').serial }, 'created the CA');
      return trustFrom(stored);
    } catch (error) {
      if (!(error instanceof SecretConflictError)) throw error;
      deps.logger.info('another replica wrote the CA first; using theirs');
    }
  }
  throw new Error(`could not settle the CA Secret after ${MAX_ATTEMPTS} attempts`);
}

/**
 * The trust state every worker signs with. The CA Secret is watched: when another replica replaced
 * an unusable CA, this replica switches to it instead of signing with (and "repairing" towards) a
 * CA the others no longer use.
 */
export class TrustHolder {
  private changeListeners: (() => void)[] = [];

  constructor(
    private state: TrustState,
    /** The instance's CA Secret name (see caSecretName). */
    private readonly secretName: string,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  current(): TrustState {
    return this.state;
  }

  /** A short digest of the signer and the bundle: the same on every replica that sees the same CA Secret. */
  fingerprint(): string {
    return createHash('sha256').update(this.state.ca.certificatePem).update(this.state.bundlePem).digest('hex').slice(0, 16);
  }

  /**
   * Reads the CA Secret now. A worker about to replace a certificate because of its issuer or bundle
   * calls this first: a replica whose watch lags behind a rotation step must not re-sign with the
   * CA the others have moved on from.
   */
  async refresh(store: SecretStore): Promise<void> {
    const secret = await store.get(SYSTEM_NAMESPACE, this.secretName);
    if (secret) this.observe(secret);
  }

  onChange(listener: () => void): void {
    this.changeListeners.push(listener);
  }

  /** A version of the CA Secret was seen. */
  observe(secret: StoredSecret): void {
    if (secret.namespace !== SYSTEM_NAMESPACE || secret.name !== this.secretName) return;
    const problem = unusable(secret, this.clock.now());
    if (problem) {
      this.logger.error({ problem }, 'the CA Secret changed and cannot be used; still signing with the previous CA');
      return;
    }
    const next = trustFrom(secret);
    if (next.ca.certificatePem === this.state.ca.certificatePem && next.bundlePem === this.state.bundlePem) return;
    this.state = next;
    this.logger.warn('the CA changed; certificates signed by the previous CA will be reissued');
    for (const listener of this.changeListeners) listener();
  }
}
