// Composition root of the renderer: the only place its configuration sources (argv, environment) are read.
import { packageVersion, runService } from '@microgateway/runtime';
import { rendererConfigSchema } from './config.js';
import { startRenderer } from './service.js';

await runService(
  {
    name: 'renderer',
    version: packageVersion(import.meta.url),
    configSchema: rendererConfigSchema,
    start: startRenderer,
  },
  { argv: process.argv.slice(2), env: process.env },
);
