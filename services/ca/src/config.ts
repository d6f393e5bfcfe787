import { BOOTSTRAP_MOUNT_PATH } from '@microgateway/contracts';
import { baseServiceConfigSchema, kubernetesConfigSchema } from '@microgateway/runtime';
import { z } from 'zod';

const HOUR = 3_600;
const DAY = 24 * HOUR;
/** Bootstrap certificates live a few days at most: a stolen Engine key is useless within a week. */
export const MAX_BOOTSTRAP_LIFETIME_SECONDS = 7 * DAY;

const seconds = z.number().int().positive();

/**
 * Certificate lifetimes and renewal, in seconds. Defaults: CA 5 years, rotated at 2/3 of its
 * lifetime (or on demand, see docs/adr/0009-ca-rotation.md), each rotation phase lasting 5 minutes at least;
 * bootstrap and serving certificates 4 days, renewed every 48 hours — an Engine whose renewals keep
 * failing still has two days before its certificate expires.
 */
export const certificatesConfigSchema = z
  .strictObject({
    caLifetimeSeconds: seconds.default(5 * 365 * DAY),
    /** Start a CA rotation once this fraction of the CA's lifetime has passed (like leaves: 2/3). */
    caRotateAtFraction: z.number().gt(0).lt(1).default(2 / 3),
    /**
     * The least time each rotation phase lasts. The kubelet refreshes mounted Secrets about a minute
     * after they change (sync period plus cache TTL): the default leaves every Engine and the
     * renderer time to load the new bundle or certificate before the next phase relies on it.
     */
    caRotationMinPhaseSeconds: z.number().int().min(0).default(300),
    /** Lifetime of Engine client certificates; at most 7 days. */
    bootstrapLifetimeSeconds: seconds.max(MAX_BOOTSTRAP_LIFETIME_SECONDS).default(4 * DAY),
    /** Lifetime of the renderer's xDS serving certificate; at most 7 days. */
    servingLifetimeSeconds: seconds.max(MAX_BOOTSTRAP_LIFETIME_SECONDS).default(4 * DAY),
    /** Renew this long after a certificate's notBefore (capped at 2/3 of its lifetime). */
    renewEverySeconds: seconds.default(2 * DAY),
    /** RSA modulus of the CA key (Engine and serving keys are ECDSA P-256). 3072 bits suits a CA living past 2030. */
    caRsaKeyBits: z.union([z.literal(2048), z.literal(3072), z.literal(4096)]).default(3072),
  })
  .refine((c) => c.renewEverySeconds < c.bootstrapLifetimeSeconds, {
    message: 'must be shorter than bootstrapLifetimeSeconds',
    path: ['renewEverySeconds'],
  });

export const bootstrapConfigSchema = z.strictObject({
  /** Where Engines mount their bootstrap Secret; the SDS files name files there. Must match the deployer. */
  mountPath: z.string().startsWith('/').default(BOOTSTRAP_MOUNT_PATH),
  /** The names Engines dial for xDS; default: the renderer Service's in-cluster names. */
  xdsServerNames: z.array(z.string().min(1)).optional(),
});

export const jobsConfigSchema = z.strictObject({
  /** How long a replica may hold a cert job before JetStream gives it to another (a killed replica's jobs return after this). */
  ackWaitSeconds: seconds.default(30),
  /** Retry delays of failed jobs: initial * 2^(attempt-1), capped. */
  backoffInitialSeconds: seconds.default(1),
  backoffMaxSeconds: seconds.default(300),
  /** Jobs in flight per replica. */
  concurrency: z.number().int().min(1).max(64).default(4),
  /** Window in which the same job (same message id) from several replicas is enqueued once. */
  duplicateWindowSeconds: seconds.default(120),
});

/** The ca's configuration: the common settings, the Kubernetes API, certificates and jobs. */
export const caConfigSchema = baseServiceConfigSchema.extend({
  kubernetes: kubernetesConfigSchema.prefault({}),
  certificates: certificatesConfigSchema.prefault({}),
  bootstrap: bootstrapConfigSchema.prefault({}),
  jobs: jobsConfigSchema.prefault({}),
});
export type CaConfig = z.infer<typeof caConfigSchema>;
