// Composition root of the watcher: the only place its configuration sources (argv, environment) are read.
import { packageVersion, runService, setupKubeConfig } from '@microgateway/runtime';
import { watcherConfigSchema } from './config.js';

await runService(
  {
    name: 'watcher',
    version: packageVersion(import.meta.url),
    configSchema: watcherConfigSchema,
    start: async ({ config, logger }) => {
      // Only loads the client configuration; nothing talks to the API server yet.
      setupKubeConfig(config.kubernetes, logger);
      return { stop: async () => {} };
    },
  },
  { argv: process.argv.slice(2), env: process.env },
);
