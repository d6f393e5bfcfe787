import { DEFAULT_INSTANCE, instanceNameSchema } from '@microgateway/contracts';
import { z } from 'zod';

// Strict objects everywhere: a misspelt key in an operator's config file is an error that names
// the key, not a setting silently ignored.

export const logLevelSchema = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
export type LogLevel = z.infer<typeof logLevelSchema>;

export const httpConfigSchema = z.strictObject({
  /** Address of the health/metrics server. */
  host: z.string().min(1).default('0.0.0.0'),
  /** 0 picks a free port (useful in tests); the chosen port is logged. */
  port: z.number().int().min(0).max(65535).default(8080),
});

const natsUrlSchema = z
  .string()
  .regex(/^(nats|tls|ws|wss):\/\/[^\s]+$|^[^\s:/]+(:\d+)?$/, 'must be a NATS URL like nats://host:4222 or host:port');

export const natsConfigSchema = z
  .strictObject({
    servers: z.array(natsUrlSchema).min(1).default(['nats://127.0.0.1:4222']),
    user: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    /** A NATS .creds file (JWT + nkey seed); exclusive with user/password. */
    credsFile: z.string().min(1).optional(),
    /** Client name shown in NATS monitoring; defaults to mgw-<instance>-<service>. */
    name: z.string().min(1).optional(),
  })
  .superRefine((nats, ctx) => {
    if (nats.user !== undefined && nats.password === undefined) {
      ctx.addIssue({ code: 'custom', path: ['password'], message: 'is required when nats.user is set' });
    }
    if (nats.password !== undefined && nats.user === undefined) {
      ctx.addIssue({ code: 'custom', path: ['user'], message: 'is required when nats.password is set' });
    }
    if (nats.credsFile !== undefined && nats.user !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['credsFile'], message: 'cannot be combined with nats.user/nats.password' });
    }
  });
export type NatsConfig = z.infer<typeof natsConfigSchema>;

/** Where a service that talks to Kubernetes finds the API server. Neither set: no client is built. */
export const kubernetesConfigSchema = z
  .strictObject({
    /** Path of a kubeconfig file (its current context is used). */
    kubeconfig: z.string().min(1).optional(),
    /** Use the Pod's service account (KUBERNETES_SERVICE_HOST/PORT and the mounted token). */
    inCluster: z.boolean().default(false),
  })
  .refine((kube) => !(kube.inCluster && kube.kubeconfig !== undefined), {
    message: 'set either kubeconfig or inCluster, not both',
    path: ['inCluster'],
  });
export type KubernetesConfig = z.infer<typeof kubernetesConfigSchema>;

/** What every service is configured with; services `.extend()` it with their own sections. */
export const baseServiceConfigSchema = z.strictObject({
  instance: instanceNameSchema.default(DEFAULT_INSTANCE),
  logLevel: logLevelSchema.default('info'),
  // prefault: an absent section is parsed as {} so the defaults inside it apply.
  http: httpConfigSchema.prefault({}),
  nats: natsConfigSchema.prefault({}),
  /** Upper bound for draining on SIGTERM; keep it below the Pod's terminationGracePeriodSeconds. */
  shutdownTimeoutMs: z.number().int().positive().default(20_000),
});
export type BaseServiceConfig = z.infer<typeof baseServiceConfigSchema>;
