import { BOOTSTRAP_CA_KEY, BOOTSTRAP_CERT_KEY, SYSTEM_NAMESPACE, caSecretName, type InstanceName } from '@microgateway/contracts';
import type { Logger } from '@microgateway/runtime';
import { SecretConflictError, type SecretStore, type StoredSecret } from './adapters/secrets.js';
import {
  CA_CERT_KEY,
  ROTATION_PHASE_ANNOTATION,
  buildCaCertificate,
  decideRotation,
  inspectCertificate,
  promoteRotation,
  retireRotation,
  stageRotation,
  type CaSecretStep,
  type Clock,
  type KeyPairPem,
  type RandomBytes,
  type RotationDecision,
} from './pki/index.js';

export interface RotatorDeps {
  store: SecretStore;
  instance: InstanceName;
  clock: Clock;
  random: RandomBytes;
  generateCaKeys: () => Promise<KeyPairPem>;
  caLifetimeMs: number;
  rotateAtFraction: number;
  minPhaseMs: number;
  /** The bootstrap Secrets of the Gateways in infra (the tracker's view); undefined until known. */
  bootstrapSecrets: () => StoredSecret[] | undefined;
  /** The serving Secrets in the system namespace (the renderer's xDS one, the deployer's webhook one): leaves like the bootstrap Secrets. */
  servingSecretNames: readonly string[];
  /**
   * CA bundles (PEM) held outside Secrets, which must carry the next CA before it signs: the
   * sidecar injector's webhook caBundles. Undefined until known; an absent configuration holds none.
   */
  otherBundles: () => readonly string[] | undefined;
  /** A CA Secret version this replica wrote (handed to the TrustHolder at once, ahead of the watch). */
  onCaWritten: (secret: StoredSecret) => void;
  logger: Logger;
}

const DEBOUNCE_MS = 100;
const RETRY_MS = 5_000;
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Moves a CA rotation through its phases (pki/rotation.ts decides, this acts). Every replica runs
 * one and looks again whenever the CA Secret, a serving Secret, a bootstrap Secret or the webhook
 * configuration's caBundle changes, or
 * when a wait it was told about ends. Steps are written with the CA Secret's resourceVersion, so
 * when replicas race, one step is taken once and the others re-read and find it done.
 */
export class CaRotator {
  private caSecret: StoredSecret | undefined;
  private readonly servingSecrets = new Map<string, StoredSecret>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private lookAgain = false;
  private stopped = false;
  private lastWait = '';

  constructor(private readonly deps: RotatorDeps) {}

  /** A version of a system-namespace Secret was seen (the CA Secret or a serving Secret). */
  observe(secret: StoredSecret): void {
    if (secret.namespace !== SYSTEM_NAMESPACE) return;
    if (secret.name === caSecretName(this.deps.instance)) this.caSecret = secret;
    else if (this.deps.servingSecretNames.includes(secret.name)) this.servingSecrets.set(secret.name, secret);
    else return;
    this.poke();
  }

  /** Something the decision depends on changed: look again shortly (changes come in bursts). */
  poke(delayMs = DEBOUNCE_MS): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), Math.min(MAX_TIMER_MS, Math.max(0, delayMs)));
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async run(): Promise<void> {
    if (this.running) {
      this.lookAgain = true;
      return;
    }
    this.running = true;
    try {
      await this.step();
    } catch (error) {
      this.deps.logger.warn({ err: error, retryInMs: RETRY_MS }, 'CA rotation step failed; retrying');
      this.poke(RETRY_MS);
    } finally {
      this.running = false;
      if (this.lookAgain) {
        this.lookAgain = false;
        this.poke();
      }
    }
  }

  private async step(): Promise<void> {
    const ca = this.caSecret;
    const serving = this.deps.servingSecretNames.map((name) => this.servingSecrets.get(name));
    const bootstrap = this.deps.bootstrapSecrets();
    const otherBundles = this.deps.otherBundles();
    // Without every leaf Secret and bundle in view, "all bundles carry the next CA" would be vacuously true.
    if (!ca || !bootstrap || !otherBundles || serving.some((s) => s === undefined)) return;
    // The serving Secrets use the bootstrap Secret's key names for their certificate and bundle.
    const holders = [...bootstrap, ...(serving as StoredSecret[])];
    const facts = { bundles: [...holders.map((s) => s.data[BOOTSTRAP_CA_KEY] ?? ''), ...otherBundles], leaves: holders.map((s) => s.data[BOOTSTRAP_CERT_KEY] ?? '') };
    const policy = { rotateAtFraction: this.deps.rotateAtFraction, minPhaseMs: this.deps.minPhaseMs, clock: this.deps.clock };
    const decision = decideRotation(ca, facts, policy);
    if (decision.action === 'wait') return this.waiting(decision);
    this.lastWait = '';
    const step = await this.stepFor(ca, decision);
    try {
      const stored = await this.deps.store.replace({ namespace: ca.namespace, name: ca.name, labels: ca.labels, annotations: step.annotations, data: step.data }, ca.resourceVersion);
      this.caSecret = stored;
      const phase = step.annotations[ROTATION_PHASE_ANNOTATION];
      this.deps.logger.warn({ phase, why: decision.why, signer: inspectCertificate(step.data[CA_CERT_KEY] ?? '').serial }, `CA rotation: ${phase ?? decision.action}`);
      this.deps.onCaWritten(stored);
      this.poke();
    } catch (error) {
      if (!(error instanceof SecretConflictError)) throw error;
      // Another replica took a step (or someone edited the Secret): decide again on what is there now.
      this.caSecret = await this.deps.store.get(ca.namespace, ca.name);
      this.poke();
    }
  }

  private waiting(decision: Extract<RotationDecision, { action: 'wait' }>): void {
    if (decision.why !== this.lastWait) this.deps.logger.debug({ why: decision.why, recheckAt: decision.recheckAt }, 'CA rotation waits');
    this.lastWait = decision.why;
    if (decision.recheckAt) this.poke(decision.recheckAt.getTime() - this.deps.clock.now().getTime());
  }

  private async stepFor(ca: StoredSecret, decision: Exclude<RotationDecision, { action: 'wait' }>): Promise<CaSecretStep> {
    const now = this.deps.clock.now();
    switch (decision.action) {
      case 'stage': {
        const keys = await this.deps.generateCaKeys();
        const certificatePem = buildCaCertificate({ instance: this.deps.instance, keys, validity: { notBefore: now, lifetimeMs: this.deps.caLifetimeMs }, random: this.deps.random });
        return stageRotation(ca, { certificatePem, privateKeyPem: keys.privateKeyPem }, decision.trigger, now);
      }
      case 'promote':
        return promoteRotation(ca, now);
      case 'retire':
        return retireRotation(ca, now);
    }
  }
}
