import { XDS_SERVER_PORT } from '@microgateway/contracts';
import { baseServiceConfigSchema } from '@microgateway/runtime';
import { z } from 'zod';

/** The render work queue: how jobs are retried and how many one replica renders at once. */
export const renderJobsConfigSchema = z.strictObject({
  /** A job a replica holds this long without acking (it died, or hangs) goes to another replica. */
  ackWaitSeconds: z.number().int().min(1).default(30),
  /** Jobs with the same message id within this window are one job (every replica enqueues the same ids). */
  duplicateWindowSeconds: z.number().int().min(1).default(120),
  /** Renders in flight at once in this replica. */
  concurrency: z.number().int().min(1).max(256).default(4),
  /** Delay before a retryable failure is retried (NATS unavailable, a concurrent writer). */
  retryDelayMs: z.number().int().min(0).default(1_000),
  /** How long a job waits for this replica's cache to reach the revisions it names before it is retried. */
  cacheWaitMs: z.number().int().min(0).default(5_000),
});

export const rendererSettingsSchema = z.strictObject({
  /** The GatewayClass controllerName this instance claims; `microgateway.dev/<instance>` when absent. */
  controllerName: z.string().min(1).optional(),
  jobs: renderJobsConfigSchema.prefault({}),
  /** Age-based retention of the events stream when the renderer is the one that creates it. */
  eventsMaxAgeHours: z.number().positive().default(24 * 7),
});
export type RendererSettings = z.infer<typeof rendererSettingsSchema>;

/**
 * The xDS server every replica runs. It needs the serving certificate the ca writes into the
 * Secret `microgateway-<instance>-renderer-xds-tls`, mounted as a directory (`tls.crt`, `tls.key`,
 * `ca.crt`); without `tlsDir` the replica renders but serves no Engines (there is no plaintext mode).
 */
export const xdsServerConfigSchema = z.strictObject({
  tlsDir: z.string().min(1).optional(),
  host: z.string().min(1).default('0.0.0.0'),
  port: z.number().int().min(0).max(65535).default(XDS_SERVER_PORT),
  /** Connections are closed after this age (±10 % jitter) so Engines spread over replicas. */
  maxConnectionAgeSeconds: z.number().int().min(1).default(1_800),
  /** How long a closing connection may finish its stream before it is cut. */
  maxConnectionAgeGraceSeconds: z.number().int().min(1).default(60),
  keepaliveSeconds: z.number().int().min(1).default(30),
  /** How often the mounted serving certificate is checked for a renewal. */
  certificateReloadSeconds: z.number().int().min(1).default(10),
  /** On SIGTERM, how long open streams get before they are closed. */
  shutdownGraceSeconds: z.number().int().min(0).default(5),
});
export type XdsServerConfig = z.infer<typeof xdsServerConfigSchema>;

/** The renderer's configuration. It has no Kubernetes access at all (DESIGN §1), so no kubernetes section. */
export const rendererConfigSchema = baseServiceConfigSchema.extend({
  renderer: rendererSettingsSchema.prefault({}),
  xds: xdsServerConfigSchema.prefault({}),
});
export type RendererConfig = z.infer<typeof rendererConfigSchema>;
