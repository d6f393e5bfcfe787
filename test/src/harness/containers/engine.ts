// Which Docker engine the container backend talks to: the user's (DOCKER_HOST or a default
// socket), else a private one this harness starts (dockerd.ts). testcontainers reads its
// configuration once per process, so the environment is settled here before its first use.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { getContainerRuntimeClient } from 'testcontainers';
import { acquirePrivateEngine } from './dockerd.js';
import { info } from './log.js';
import { pingDocker } from './socket-api.js';

export interface DockerEngine {
  socket: string;
  stop(): Promise<void>;
}

type RuntimeClient = Awaited<ReturnType<typeof getContainerRuntimeClient>>;
export type Dockerode = RuntimeClient['container']['dockerode'];

const PROBE_TIMEOUT_MS = 10_000;

/** MGW_TEST_BACKENDS=process,container; unset means every backend may be used. */
export function containerBackendAllowed(value: string | undefined = process.env.MGW_TEST_BACKENDS): boolean {
  if (value === undefined || value.trim() === '') return true;
  return value.split(',').map((part) => part.trim()).includes('container');
}

let engine: Promise<DockerEngine | undefined> | undefined;
let available: Promise<boolean> | undefined;

/**
 * A Docker engine for testcontainers: the user's when one answers, else a private dockerd
 * (installing Debian's docker.io first when needed and possible). undefined, with the reason
 * logged, when none can be had. One answer per process; stop() releases it (a no-op for an
 * engine this harness did not start).
 */
export function ensureDockerEngine(): Promise<DockerEngine | undefined> {
  engine ??= findOrStartEngine().then((found) => {
    // A stopped engine must not be handed out again: the next call starts or joins a new one.
    if (found) return { socket: found.socket, stop: () => { engine = undefined; available = undefined; return found.stop(); } };
    return undefined;
  });
  return engine;
}

/** True when containers can run: an engine answers, or (when MGW_TEST_BACKENDS allows) one can be started. */
export function containerRuntimeAvailable(): Promise<boolean> {
  available ??= (async () => {
    const existing = await existingEngine();
    if (existing) {
      engine ??= Promise.resolve(existing);
      return true;
    }
    if (!containerBackendAllowed()) return false;
    return (await ensureDockerEngine()) !== undefined;
  })();
  return available;
}

/** The testcontainers client of the engine (which it starts when needed); throws when there is none. */
export async function dockerClient(): Promise<RuntimeClient> {
  if (!(await ensureDockerEngine())) {
    throw new Error('no Docker engine is available for the container backend (see the [mgw containers] lines above)');
  }
  return getContainerRuntimeClient();
}

async function findOrStartEngine(): Promise<DockerEngine | undefined> {
  const existing = await existingEngine();
  if (existing) return existing;
  if (process.env.DOCKER_HOST) {
    // The user chose an engine; starting another one behind their back would hide the problem.
    info(`DOCKER_HOST=${process.env.DOCKER_HOST} does not answer; not starting a private engine`);
    return undefined;
  }
  const privateEngine = await acquirePrivateEngine();
  if (!privateEngine) return undefined;
  process.env.DOCKER_HOST = `unix://${privateEngine.socket}`;
  // The reaper image cannot be pulled here; the harness removes its containers itself and
  // stopping the private engine removes whatever a crashed test left.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  // testcontainers would look for the bridge gateway when it sees /.dockerenv; the private
  // engine publishes ports on this machine.
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
  return privateEngine;
}

/** The user's engine, if one answers: DOCKER_HOST, else the sockets testcontainers looks at. */
async function existingEngine(): Promise<DockerEngine | undefined> {
  const dockerHost = process.env.DOCKER_HOST;
  if (dockerHost?.startsWith('unix://')) {
    const socket = dockerHost.slice('unix://'.length);
    return (await pingDocker(socket)) ? notOurs(socket) : undefined;
  }
  if (dockerHost || existsSync(join(homedir(), '.testcontainers.properties'))) {
    // tcp://, ssh:// or a properties file: only testcontainers knows how to reach it (TLS, ...).
    return (await probeWithTestcontainers()) ? notOurs(dockerHost ?? 'testcontainers.properties') : undefined;
  }
  for (const socket of defaultSockets()) {
    if (await pingDocker(socket)) return notOurs(socket);
  }
  return undefined;
}

function defaultSockets(): string[] {
  const sockets = ['/var/run/docker.sock', join(homedir(), '.docker', 'run', 'docker.sock')];
  if (process.env.XDG_RUNTIME_DIR) sockets.push(join(process.env.XDG_RUNTIME_DIR, 'docker.sock'));
  return sockets;
}

async function probeWithTestcontainers(): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS)));
  try {
    return await Promise.race([getContainerRuntimeClient().then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function notOurs(socket: string): DockerEngine {
  return { socket, stop: () => Promise.resolve() };
}
