// Composition root of the ca: the only place its configuration sources (argv, environment) are read.
import { packageVersion, runService, setupKubeConfig } from '@microgateway/runtime';
import { caConfigSchema } from './config.js';
import { startCa } from './service.js';

await runService(
  {
    name: 'ca',
    version: packageVersion(import.meta.url),
    configSchema: caConfigSchema,
    start: async (context) => {
      const kubeConfig = setupKubeConfig(context.config.kubernetes, context.logger);
      // The ca's whole job is writing Secrets: running without a cluster would only look healthy.
      if (!kubeConfig) throw new Error('the ca needs the Kubernetes API: set kubernetes.kubeconfig (MGW_KUBECONFIG) or kubernetes.inCluster');
      return startCa(context, kubeConfig);
    },
  },
  { argv: process.argv.slice(2), env: process.env },
);
