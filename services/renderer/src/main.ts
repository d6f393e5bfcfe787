// Composition root of the renderer: the only place its configuration sources (argv, environment) are read.
import { packageVersion, runService } from '@microgateway/runtime';
import { rendererConfigSchema } from './config.js';

await runService(
  {
    name: 'renderer',
    version: packageVersion(import.meta.url),
    configSchema: rendererConfigSchema,
    // Nothing of its own to start yet: runService already connected NATS and serves the probes.
    start: async () => ({ stop: async () => {} }),
  },
  { argv: process.argv.slice(2), env: process.env },
);
