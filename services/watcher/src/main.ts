// Composition root of the watcher: the only place its configuration sources (argv, environment) are read.
import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { ensureEventsStream, packageVersion, runService, setupKubeConfig } from '@microgateway/runtime';
import { watcherConfigSchema } from './config.js';
import { createKubeHttp } from './kube/http.js';
import { LeaderElector } from './kube/leader.js';
import { createWatcherMetrics } from './metrics.js';
import { openBuckets } from './nats/layout.js';
import { MirrorWriter } from './nats/mirror.js';
import { Watcher } from './watcher.js';

await runService(
  {
    name: 'watcher',
    version: packageVersion(import.meta.url),
    configSchema: watcherConfigSchema,
    start: async ({ config, logger, metrics, nats }) => {
      const kubeConfig = setupKubeConfig(config.kubernetes, logger);
      if (!kubeConfig) throw new Error('the watcher needs the Kubernetes API: set kubernetes.kubeconfig (MGW_KUBECONFIG) or kubernetes.inCluster');
      const settings = config.watcher;
      const js = jetstream(nats.connection);
      await ensureEventsStream(await jetstreamManager(nats.connection), config.instance, { maxAgeMs: settings.eventsMaxAgeHours * 3_600_000 });
      const buckets = await openBuckets(js, config.instance);
      const http = createKubeHttp(kubeConfig);
      const watcher = new Watcher({
        instance: config.instance,
        http,
        buckets,
        writer: new MirrorWriter({ js, buckets, instance: config.instance, newId: randomUUID, now: () => new Date() }),
        logger,
        metrics: createWatcherMetrics(metrics),
        writeConcurrency: settings.writeConcurrency,
        listPageSize: settings.listPageSize,
        watchTimeoutSeconds: settings.watchTimeoutSeconds,
        discoveryIntervalMs: settings.discoveryIntervalMs,
      });
      await watcher.start();

      const election = settings.leaderElection;
      let elector: LeaderElector | undefined;
      if (election.enabled) {
        // Unique per process: a restarted Pod with the same name must not inherit the old lease blindly.
        const identity = `${process.env.POD_NAME ?? hostname()}_${randomBytes(4).toString('hex')}`;
        elector = new LeaderElector({
          http,
          logger,
          namespace: election.namespace,
          name: election.leaseName ?? `mgw-${config.instance}-watcher`,
          identity,
          leaseDurationSeconds: election.leaseDurationSeconds,
          renewDeadlineMs: election.renewDeadlineMs,
          retryPeriodMs: election.retryPeriodMs,
          onStartedLeading: () => watcher.startLeading(),
          onStoppedLeading: () => watcher.stopLeading(),
        });
        elector.start();
      } else {
        logger.warn('leader election is disabled: run exactly one watcher replica per instance');
        watcher.startLeading();
      }
      return {
        readinessChecks: { kubernetes: watcher.readinessCheck },
        // Writes end before the Lease is released, so the successor never overlaps with us.
        stop: async () => {
          await watcher.stopWriting();
          await elector?.stop();
          await watcher.stop();
        },
      };
    },
  },
  { argv: process.argv.slice(2), env: process.env },
);
