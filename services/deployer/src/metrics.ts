import type { ServiceMetrics } from '@microgateway/runtime';
import type { Counter } from 'prom-client';

export interface DeployerMetrics {
  /** Deploy jobs by outcome: applied, removed, refused (objects of another owner), retry, failed, invalid. */
  deploys: Counter<'outcome'>;
  /** Status writes by kind and result: written, unchanged (nothing to write), failed. */
  statusWrites: Counter<'kind' | 'result'>;
  invalidValues: Counter<'bucket'>;
  eventFailures: Counter;
}

export function createDeployerMetrics(metrics: ServiceMetrics): DeployerMetrics {
  return {
    deploys: metrics.counter('deployer_deploys_total', 'Deploy jobs by outcome (applied, removed, refused, retry, failed).', ['outcome']),
    statusWrites: metrics.counter('deployer_status_writes_total', 'Status reconciles by object kind and result (written, unchanged, failed).', ['kind', 'result']),
    invalidValues: metrics.counter('deployer_invalid_values_total', 'KV values that failed their contract (reported and ignored).', ['bucket']),
    eventFailures: metrics.counter('deployer_event_publish_failures_total', 'infra.applied events that could not be published.'),
  };
}
