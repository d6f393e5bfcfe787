import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** Every metric of every service starts with this, so one selector finds the control plane's. */
export const METRIC_PREFIX = 'mgw_';

export interface ServiceIdentity {
  service: string;
  instance: string;
  version: string;
}

/** A service's metrics registry with the process defaults and the info gauge already on it. */
export interface ServiceMetrics {
  readonly registry: Registry;
  /** Adds a gauge to this service's registry (name without the mgw_ prefix). */
  gauge<L extends string>(name: string, help: string, labelNames?: readonly L[]): Gauge<L>;
  /** Adds a counter to this service's registry (name without the mgw_ prefix; end it in _total). */
  counter<L extends string>(name: string, help: string, labelNames?: readonly L[]): Counter<L>;
}

/**
 * One registry per service (not prom-client's global one), so tests can run several in one process
 * and a library can never register metrics behind the service's back.
 */
export function createServiceMetrics(identity: ServiceIdentity): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  const info = new Gauge({
    name: `${METRIC_PREFIX}service_info`,
    help: 'Always 1; labels say which service, instance and version this process is.',
    labelNames: ['service', 'instance', 'version'] as const,
    registers: [registry],
  });
  info.set({ service: identity.service, instance: identity.instance, version: identity.version }, 1);
  return {
    registry,
    gauge: (name, help, labelNames = []) =>
      new Gauge({ name: `${METRIC_PREFIX}${name}`, help, labelNames: [...labelNames], registers: [registry] }),
    counter: (name, help, labelNames = []) =>
      new Counter({ name: `${METRIC_PREFIX}${name}`, help, labelNames: [...labelNames], registers: [registry] }),
  };
}
