// Composition root of the deployer: the only place its configuration sources (argv, environment) are read.
import { packageVersion, runService, setupKubeConfig } from '@microgateway/runtime';
import { deployerConfigSchema } from './config.js';
import { startDeployer } from './service.js';

await runService(
  {
    name: 'deployer',
    version: packageVersion(import.meta.url),
    configSchema: deployerConfigSchema,
    start: async (context) => {
      const kubeConfig = setupKubeConfig(context.config.kubernetes, context.logger);
      // The deployer's whole job is writing to the cluster: running without one would only look healthy.
      if (!kubeConfig) throw new Error('the deployer needs the Kubernetes API: set kubernetes.kubeconfig (MGW_KUBECONFIG) or kubernetes.inCluster');
      return startDeployer(context, kubeConfig);
    },
  },
  { argv: process.argv.slice(2), env: process.env },
);
