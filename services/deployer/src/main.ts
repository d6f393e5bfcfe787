// Composition root of the deployer: the only place its configuration sources (argv, environment) are read.
import { packageVersion, runService, setupKubeConfig } from '@microgateway/runtime';
import { deployerConfigSchema } from './config.js';

await runService(
  {
    name: 'deployer',
    version: packageVersion(import.meta.url),
    configSchema: deployerConfigSchema,
    start: async ({ config, logger }) => {
      // Only loads the client configuration; nothing talks to the API server yet.
      setupKubeConfig(config.kubernetes, logger);
      return { stop: async () => {} };
    },
  },
  { argv: process.argv.slice(2), env: process.env },
);
