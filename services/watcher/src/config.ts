import { SYSTEM_NAMESPACE } from '@microgateway/contracts';
import { baseServiceConfigSchema, kubernetesConfigSchema } from '@microgateway/runtime';
import { z } from 'zod';

/** One active watcher per instance: a Lease in the system namespace says which replica it is. */
export const leaderElectionConfigSchema = z
  .strictObject({
    /** Off only for a single replica that must not need Lease rights. */
    enabled: z.boolean().default(true),
    namespace: z.string().min(1).default(SYSTEM_NAMESPACE),
    /** Defaults to mgw-<instance>-watcher. */
    leaseName: z.string().min(1).optional(),
    /** A dead leader's Lease is taken over after this long. */
    leaseDurationSeconds: z.number().int().min(2).default(6),
    /** The leader stops writing when it could not renew for this long; below the lease duration. */
    renewDeadlineMs: z.number().int().positive().default(4_000),
    retryPeriodMs: z.number().int().positive().default(1_000),
  })
  .refine((le) => le.renewDeadlineMs < le.leaseDurationSeconds * 1000, {
    message: 'must be shorter than leaseDurationSeconds',
    path: ['renewDeadlineMs'],
  })
  .refine((le) => le.retryPeriodMs < le.renewDeadlineMs, { message: 'must be shorter than renewDeadlineMs', path: ['retryPeriodMs'] });

export const watcherSettingsSchema = z.strictObject({
  leaderElection: leaderElectionConfigSchema.prefault({}),
  /** Age-based retention of the events stream when the watcher creates it. */
  eventsMaxAgeHours: z.number().positive().default(24 * 7),
  /** How often microgateway.dev kinds are looked for (CRDs installed or removed later). */
  discoveryIntervalMs: z.number().int().positive().default(30_000),
  /** KV writes in flight at once while mirroring a burst. */
  writeConcurrency: z.number().int().min(1).max(1024).default(64),
  /** Objects per page when listing. */
  listPageSize: z.number().int().min(1).max(10_000).default(500),
  /** Server-side timeout of each watch request; watches resume from their last version after it. */
  watchTimeoutSeconds: z.number().int().min(10).default(300),
});
export type WatcherSettings = z.infer<typeof watcherSettingsSchema>;

/** The watcher's configuration: the common settings, where it finds the Kubernetes API, and its own. */
export const watcherConfigSchema = baseServiceConfigSchema.extend({
  kubernetes: kubernetesConfigSchema.prefault({}),
  watcher: watcherSettingsSchema.prefault({}),
});
export type WatcherConfig = z.infer<typeof watcherConfigSchema>;
