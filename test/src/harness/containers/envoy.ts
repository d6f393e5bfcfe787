// Envoy in a container: the bootstrap's listener ports and admin port are published on random
// host ports; address(port) translates. Upstreams in the test process are reachable from the
// container as host.docker.internal when they listen on an address the bridge can reach.
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { GenericContainer, ImageName, Wait } from 'testcontainers';
import { bootstrapObject } from '../envoy.js';
import { tail } from '../process.js';
import type { EnvoyHandle, EnvoyOptions, EnvoyValidation } from '../types.js';
import { containerBootstrap } from './envoy-bootstrap.js';
import { dockerClient } from './engine.js';
import { containerImage, IMAGE_BINARY, imageSource } from './images.js';
import { HARNESS_LABEL } from './labels.js';
import { timed } from './log.js';
import { tarBuffer } from './tar.js';

const BOOTSTRAP_PATH = '/etc/envoy/bootstrap.json';
const READY_TIMEOUT_MS = 60_000;
const VALIDATE_TIMEOUT_MS = 120_000;

export async function startEnvoyContainer(opts: EnvoyOptions): Promise<EnvoyHandle> {
  await dockerClient();
  const image = await containerImage('envoy');
  const name = opts.name ?? 'envoy';
  const { bootstrap, adminPort, listenerPorts } = containerBootstrap(bootstrapObject(opts.bootstrap));
  const output: string[] = [];
  let container;
  try {
    container = await timed(`envoy container ${name} start`, () => new GenericContainer(image)
      .withName(`mgw-${name}-${randomBytes(3).toString('hex')}`)
      .withLabels({ [HARNESS_LABEL]: 'envoy' })
      .withEntrypoint([IMAGE_BINARY.envoy])
      .withCommand(['-c', BOOTSTRAP_PATH, ...(opts.args ?? [])])
      .withCopyContentToContainer([{ content: JSON.stringify(bootstrap, null, 2), target: BOOTSTRAP_PATH }])
      .withExposedPorts(adminPort, ...listenerPorts.filter((port) => port !== adminPort))
      .withExtraHosts([{ host: 'host.docker.internal', ipAddress: 'host-gateway' }])
      .withWaitStrategy(Wait.forHttp('/ready', adminPort).forStatusCode(200))
      .withStartupTimeout(READY_TIMEOUT_MS)
      .withLogConsumer((stream: Readable) => stream.on('data', (chunk: Buffer | string) => output.push(chunk.toString())))
      .start());
  } catch (error) {
    throw new Error(`${name} (container) did not become ready: ${error instanceof Error ? error.message : String(error)}\n--- container output ---\n${tail(output.join(''))}`, { cause: error });
  }
  const started = container;
  const host = started.getHost();
  return {
    backend: 'container',
    adminUrl: `http://${host}:${started.getMappedPort(adminPort)}`,
    address(listenerPort) {
      if (listenerPort !== adminPort && !listenerPorts.includes(listenerPort)) {
        throw new Error(`${name}: port ${listenerPort} is not a static listener of the bootstrap (published: ${listenerPorts.join(', ') || 'none'})`);
      }
      return { host, port: started.getMappedPort(listenerPort) };
    },
    logs: () => output.join(''),
    async stop() {
      await started.stop({ remove: true, removeVolumes: true, timeout: 5_000 });
    },
  };
}

/** `envoy --mode validate` in a one-shot container: Envoy's verdict and its own words. */
export async function validateEnvoyConfigInContainer(config: object | string): Promise<EnvoyValidation> {
  const client = await dockerClient();
  const docker = client.container.dockerode;
  const image = await containerImage('envoy');
  if (imageSource() === 'official' && !(await client.image.exists(ImageName.fromString(image)))) {
    await client.image.pull(ImageName.fromString(image));
  }
  // Text keeps its exact form (Envoy reads .yaml as YAML and JSON is YAML), so errors point at what was written.
  const file = typeof config === 'string' ? '/etc/envoy/config.yaml' : '/etc/envoy/config.json';
  const content = typeof config === 'string' ? config : JSON.stringify(config, null, 2);
  const container = await docker.createContainer({
    Image: image,
    Entrypoint: [IMAGE_BINARY.envoy],
    Cmd: ['--mode', 'validate', '-c', file, '--log-level', 'warning'],
    Labels: { [HARNESS_LABEL]: 'envoy-validate' },
    HostConfig: { NetworkMode: 'none' },
  });
  try {
    await container.putArchive(await tarBuffer([{ type: 'dir', path: '/etc/envoy' }, { type: 'file', path: file, content }]), { path: '/' });
    await container.start();
    const exit = await withTimeout(container.wait() as Promise<{ StatusCode: number }>, VALIDATE_TIMEOUT_MS, 'envoy --mode validate');
    const logs = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    return { ok: exit.StatusCode === 0, output: demuxDockerLogs(logs) };
  } finally {
    await container.remove({ force: true });
  }
}

/**
 * The logs of a container without a TTY come framed: [stream, 0, 0, 0, size (4 bytes, big endian)]
 * then `size` bytes. stdout and stderr are kept in the order Envoy wrote them.
 */
export function demuxDockerLogs(buffer: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4);
    parts.push(buffer.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000}s`)), ms)));
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
