// Which backend(s) the suites run on, and one entry point per component that dispatches to it.
// The container backend is loaded only when asked for, so a machine without Docker never
// loads testcontainers.
import { startEnvoy, validateEnvoyConfig } from './envoy.js';
import { startNats } from './nats.js';
import type * as ContainerBackend from './containers/index.js';
import type { Backend, EnvoyHandle, EnvoyOptions, EnvoyValidation, NatsHandle, NatsServerOptions } from './types.js';

const BACKENDS: readonly Backend[] = ['process', 'container'];

let resolved: Promise<Backend[]> | undefined;

/**
 * `MGW_TEST_BACKENDS` (comma list of 'process', 'container') when set; else 'process', plus
 * 'container' when a container runtime answers. Announced once per test process.
 */
export function resolveBackends(): Promise<Backend[]> {
  resolved ??= chooseBackends().then((backends) => {
    const source = process.env.MGW_TEST_BACKENDS ? 'from MGW_TEST_BACKENDS' : 'detected; set MGW_TEST_BACKENDS to choose';
    console.info(`[harness] backends: ${backends.join(', ')} (${source})`);
    return backends;
  });
  return resolved;
}

async function chooseBackends(): Promise<Backend[]> {
  const requested = parseBackends(process.env.MGW_TEST_BACKENDS);
  if (requested) {
    if (requested.includes('container') && !(await containerRuntimeAvailable())) {
      throw new Error('MGW_TEST_BACKENDS asks for "container" but no container runtime answers (is DOCKER_HOST set and dockerd running?)');
    }
    return requested;
  }
  return (await containerRuntimeAvailable()) ? ['process', 'container'] : ['process'];
}

/** The backends named in a comma list; undefined when the list is empty or absent. */
export function parseBackends(value: string | undefined): Backend[] | undefined {
  const names = (value ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '');
  if (names.length === 0) return undefined;
  const unknown = names.filter((name) => !BACKENDS.includes(name as Backend));
  if (unknown.length > 0) throw new Error(`MGW_TEST_BACKENDS: unknown backend(s) ${unknown.join(', ')}; known: ${BACKENDS.join(', ')}`);
  return [...new Set(names as Backend[])];
}

async function containerRuntimeAvailable(): Promise<boolean> {
  try {
    return await (await containers()).containerRuntimeAvailable();
  } catch (error) {
    console.info(`[harness] container backend unavailable: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
}

function containers(): Promise<typeof ContainerBackend> {
  return import('./containers/index.js');
}

export async function startNatsOn(backend: Backend, opts: NatsServerOptions = {}): Promise<NatsHandle> {
  return backend === 'process' ? startNats(opts) : (await containers()).startNatsContainer(opts);
}

export async function startEnvoyOn(backend: Backend, opts: EnvoyOptions): Promise<EnvoyHandle> {
  return backend === 'process' ? startEnvoy(opts) : (await containers()).startEnvoyContainer(opts);
}

export async function validateEnvoyOn(backend: Backend, config: object | string): Promise<EnvoyValidation> {
  return backend === 'process' ? validateEnvoyConfig(config) : (await containers()).validateEnvoyConfigInContainer(config);
}
