import { baseServiceConfigSchema } from '@microgateway/runtime';
import type { z } from 'zod';

/** The renderer's configuration. It has no Kubernetes access at all (DESIGN §1), so no kubernetes section. */
export const rendererConfigSchema = baseServiceConfigSchema.extend({});
export type RendererConfig = z.infer<typeof rendererConfigSchema>;
