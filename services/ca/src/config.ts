import { baseServiceConfigSchema, kubernetesConfigSchema } from '@microgateway/runtime';
import type { z } from 'zod';

/** The ca's configuration: the common settings plus where it finds the Kubernetes API. */
export const caConfigSchema = baseServiceConfigSchema.extend({
  kubernetes: kubernetesConfigSchema.prefault({}),
});
export type CaConfig = z.infer<typeof caConfigSchema>;
