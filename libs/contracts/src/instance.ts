import { z } from 'zod';

/**
 * An installation of Microgateway is an *instance*. Its name appears in the GatewayClass
 * controllerName, in labels, in NATS subjects and in bucket/stream names, so it must be valid
 * in all of them at once: a DNS-1123 label short enough to leave room for prefixes.
 */
export const instanceNameSchema = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a lowercase DNS-1123 label (a-z, 0-9, "-")');

export type InstanceName = z.infer<typeof instanceNameSchema>;

export const DEFAULT_INSTANCE: InstanceName = 'default';
export const SYSTEM_NAMESPACE = 'microgateway-system';
export const API_GROUP = 'microgateway.dev';
export const INSTANCE_LABEL = 'microgateway.dev/instance';

/** The GatewayClass `spec.controllerName` that this instance claims. */
export function controllerName(instance: InstanceName): string {
  return `${API_GROUP}/${instance}`;
}
