import { baseServiceConfigSchema, kubernetesConfigSchema } from '@microgateway/runtime';
import { z } from 'zod';
import { engineSettingsSchema } from './render/index.js';

/** The deploy work queue: how jobs are retried and how many one replica handles at once. */
export const deployJobsConfigSchema = z.strictObject({
  /** A job a replica holds this long without acking (it died, or hangs) goes to another replica. */
  ackWaitSeconds: z.number().int().min(1).default(60),
  /** Jobs with the same message id within this window are one job (every replica enqueues the same ids). */
  duplicateWindowSeconds: z.number().int().min(1).default(120),
  concurrency: z.number().int().min(1).max(64).default(4),
  /** Retries of a failed apply back off from this delay, doubling up to maxRetryDelayMs. */
  retryDelayMs: z.number().int().min(0).default(1_000),
  maxRetryDelayMs: z.number().int().min(0).default(60_000),
});

export const deployerSettingsSchema = z.strictObject({
  /** The GatewayClass controllerName this instance claims; `microgateway.dev/<instance>` when absent. */
  controllerName: z.string().min(1).optional(),
  /** How every Engine runs: image, xDS server, drain and shutdown timing. */
  engine: engineSettingsSchema.prefault({}),
  jobs: deployJobsConfigSchema.prefault({}),
  /** Status writes in flight at once in this replica. */
  statusConcurrency: z.number().int().min(1).max(64).default(4),
  /** Age-based retention of the events stream when the deployer is the one that creates it. */
  eventsMaxAgeHours: z.number().positive().default(24 * 7),
});

/** The deployer's configuration: the common settings, the Kubernetes API, Engines and jobs. */
export const deployerConfigSchema = baseServiceConfigSchema.extend({
  kubernetes: kubernetesConfigSchema.prefault({}),
  deployer: deployerSettingsSchema.prefault({}),
});
export type DeployerConfig = z.infer<typeof deployerConfigSchema>;
