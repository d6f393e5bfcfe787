// NATS with JetStream in a container: the same config as the process backend (renderNatsConfig),
// listening on 0.0.0.0 inside the container, its store in the container's own filesystem.
//
// The host port is chosen here and bound explicitly, so the url stays the same across restart():
// clients reconnect to the address they know, as they would to a restarted process.
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { GenericContainer, Wait } from 'testcontainers';
import type { StartedTestContainer } from 'testcontainers';
import { jetStreamAnswers, renderNatsConfig } from '../nats.js';
import type { NatsCredentials } from '../nats.js';
import { freePort, tail, waitFor } from '../process.js';
import type { NatsHandle, NatsServerOptions } from '../types.js';
import { dockerClient } from './engine.js';
import { containerImage, IMAGE_BINARY } from './images.js';
import { HARNESS_LABEL } from './labels.js';
import { timed } from './log.js';

const CLIENT_PORT = 4222;
const CONFIG_PATH = '/etc/nats/nats.conf';
const STORE_DIR = '/data/jetstream';
const READY_TIMEOUT_MS = 60_000;
/** docker stop's grace period: nats-server flushes JetStream on SIGTERM. */
const STOP_GRACE_MS = 10_000;
const PORT_ATTEMPTS = 3;

export async function startNatsContainer(opts: NatsServerOptions = {}): Promise<NatsHandle> {
  await dockerClient();
  const image = await containerImage('nats-server');
  const name = opts.name ?? `mgw-nats-${randomBytes(3).toString('hex')}`;
  const admin = { user: 'admin', password: randomBytes(18).toString('base64url') };
  const config = renderNatsConfig(opts, {
    port: CLIENT_PORT,
    host: '0.0.0.0',
    storeDir: STORE_DIR,
    serverName: name,
    admin,
    system: { user: 'system', password: randomBytes(18).toString('base64url') },
  });
  const output: string[] = [];
  const container = await timed(`nats container ${name} start`, () => startWithFreePort(async (hostPort) =>
    new GenericContainer(image)
      .withName(`${name}-${randomBytes(3).toString('hex')}`)
      .withLabels({ [HARNESS_LABEL]: 'nats' })
      .withEntrypoint([IMAGE_BINARY['nats-server']])
      .withCommand(['-c', CONFIG_PATH])
      .withCopyContentToContainer([{ content: config, target: CONFIG_PATH, mode: 0o600 }])
      .withExposedPorts({ container: CLIENT_PORT, host: hostPort })
      .withWaitStrategy(Wait.forLogMessage(/Server is ready/))
      .withStartupTimeout(READY_TIMEOUT_MS)
      .withLogConsumer((stream: Readable) => stream.on('data', (chunk: Buffer | string) => output.push(chunk.toString())))
      .start(),
  ));
  const url = `nats://${container.getHost()}:${container.getMappedPort(CLIENT_PORT)}`;
  const ready = (): Promise<void> => waitForJetStream(url, admin, () => output.join(''));
  try {
    await ready();
  } catch (error) {
    await container.stop({ remove: true });
    throw error;
  }
  return {
    backend: 'container',
    url,
    admin,
    async restart() {
      // docker restart: the same container, so the store in its filesystem and the port binding survive.
      await container.restart({ timeout: STOP_GRACE_MS });
      await ready();
    },
    async stop() {
      await container.stop({ remove: true, removeVolumes: true, timeout: STOP_GRACE_MS });
    },
  };
}

/** The chosen port was free a moment ago; another process may take it first, so try a few. */
async function startWithFreePort(start: (hostPort: number) => Promise<StartedTestContainer>): Promise<StartedTestContainer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await freePort());
    } catch (error) {
      const taken = /port is already allocated|address already in use/i.test(String(error));
      if (!taken || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}

/** Ready means: a client can log in and the JetStream API of the application account answers. */
async function waitForJetStream(url: string, admin: NatsCredentials, logs: () => string): Promise<void> {
  try {
    await waitFor(() => jetStreamAnswers(url, admin), { timeoutMs: READY_TIMEOUT_MS, what: `NATS JetStream at ${url} (container)` });
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- container output ---\n${tail(logs())}`, { cause: error });
  }
}
