import { baseServiceConfigSchema, kubernetesConfigSchema } from '@microgateway/runtime';
import type { z } from 'zod';

/** The watcher's configuration: the common settings plus where it finds the Kubernetes API. */
export const watcherConfigSchema = baseServiceConfigSchema.extend({
  kubernetes: kubernetesConfigSchema.prefault({}),
});
export type WatcherConfig = z.infer<typeof watcherConfigSchema>;
