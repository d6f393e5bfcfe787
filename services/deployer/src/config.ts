import { baseServiceConfigSchema, kubernetesConfigSchema } from '@microgateway/runtime';
import type { z } from 'zod';

/** The deployer's configuration: the common settings plus where it finds the Kubernetes API. */
export const deployerConfigSchema = baseServiceConfigSchema.extend({
  kubernetes: kubernetesConfigSchema.prefault({}),
});
export type DeployerConfig = z.infer<typeof deployerConfigSchema>;
