// The images the container backend runs. Where registries answer, the official images at the
// pinned versions (MGW_CONTAINER_IMAGES=official). By default, images made on the spot with the
// equivalent of `docker import` from the provisioned binaries: nats-server is static; Envoy is
// dynamically linked, so its image also carries the host's loader and the libraries `ldd` names.
import { execFile } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { loadPins, toolPaths } from '../../toolchain/paths.js';
import type { Dockerode } from './engine.js';
import { dockerClient } from './engine.js';
import { info, timed } from './log.js';
import type { TarEntry } from './tar.js';
import { tarStream } from './tar.js';

const execFileAsync = promisify(execFile);

export type ImageSource = 'official' | 'local';
export type ImageKind = 'nats-server' | 'envoy';

/** Both kinds of image put the binary on PATH under these names, so containers start them the same way. */
export const IMAGE_BINARY: Record<ImageKind, string> = { 'nats-server': 'nats-server', envoy: 'envoy' };

export function imageSource(value: string | undefined = process.env.MGW_CONTAINER_IMAGES): ImageSource {
  if (value === undefined || value === '' || value === 'local') return 'local';
  if (value === 'official') return 'official';
  throw new Error(`MGW_CONTAINER_IMAGES must be "official" or "local", not "${value}"`);
}

export function imageName(kind: ImageKind, source: ImageSource, pins = loadPins()): string {
  if (source === 'official') {
    return kind === 'envoy' ? `envoyproxy/envoy:v${pins.envoy}` : `nats:${pins.natsServer}-alpine`;
  }
  return `microgateway.local/${kind}:${kind === 'envoy' ? pins.envoy : pins.natsServer}`;
}

const ready = new Map<string, Promise<string>>();

/**
 * The image to run for `kind`. A local image is built once per engine (kept in its data root);
 * an official one is left to testcontainers to pull.
 */
export function containerImage(kind: ImageKind): Promise<string> {
  const source = imageSource();
  const name = imageName(kind, source);
  if (source === 'official') return Promise.resolve(name);
  let image = ready.get(name);
  if (!image) {
    image = ensureLocalImage(kind, name);
    image.catch(() => ready.delete(name));
    ready.set(name, image);
  }
  return image;
}

async function ensureLocalImage(kind: ImageKind, name: string): Promise<string> {
  const docker = (await dockerClient()).container.dockerode;
  if (await imageExists(docker, name)) return name;
  const binary = kind === 'envoy' ? toolPaths().envoy : toolPaths().natsServer;
  if (!existsSync(binary)) throw new Error(`${binary} is missing: provision the toolchain before building ${name}`);
  const entries = rootfs(IMAGE_BINARY[kind], binary, await sharedLibraries(binary));
  await timed(`docker import ${name}`, () => importImage(docker, name, entries));
  return name;
}

async function imageExists(docker: Dockerode, name: string): Promise<boolean> {
  try {
    await docker.getImage(name).inspect();
    return true;
  } catch {
    return false;
  }
}

/** The rootfs of a one-binary image: the binary on PATH, its libraries at the paths the loader expects, /tmp. */
export function rootfs(binaryName: string, binary: string, libraries: string[]): TarEntry[] {
  const dirs = new Set<string>(['/usr', '/usr/local', '/usr/local/bin', '/etc']);
  for (const lib of libraries) {
    for (let dir = dirname(lib); dir !== '/'; dir = dirname(dir)) dirs.add(dir);
  }
  return [
    { type: 'dir', path: '/tmp', mode: 0o1777 },
    ...[...dirs].sort().map((path): TarEntry => ({ type: 'dir', path })),
    { type: 'hostFile', path: `/usr/local/bin/${binaryName}`, source: binary, mode: 0o755 },
    // Libraries are stored under the name the loader looks for, with the content of the file it points to.
    ...libraries.map((lib): TarEntry => ({ type: 'hostFile', path: lib, source: realpathSync(lib), mode: 0o755 })),
  ];
}

/** The libraries (and loader) a binary needs, from `ldd`; none for a static binary. */
export async function sharedLibraries(binary: string): Promise<string[]> {
  try {
    const { stdout } = await execFileAsync('ldd', [binary]);
    return parseLdd(stdout);
  } catch (error) {
    const output = `${(error as { stdout?: string }).stdout ?? ''}${(error as { stderr?: string }).stderr ?? ''}`;
    if (/not a dynamic executable|statically linked/.test(output)) return [];
    throw new Error(`ldd ${binary} failed: ${output || String(error)}`);
  }
}

/** Absolute paths in `ldd` output: "libm.so.6 => /lib/.../libm.so.6 (0x..)" and "/lib64/ld-linux-x86-64.so.2 (0x..)". */
export function parseLdd(output: string): string[] {
  const paths: string[] = [];
  for (const line of output.split('\n')) {
    if (/=> not found/.test(line)) throw new Error(`a library is missing: ${line.trim()}`);
    const match = /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line);
    if (match?.[1]) paths.push(match[1]);
  }
  return [...new Set(paths)];
}

async function importImage(docker: Dockerode, name: string, entries: TarEntry[]): Promise<void> {
  const colon = name.lastIndexOf(':');
  info(`building ${name} from the provisioned binary (docker import, once per engine)`);
  const progress = await docker.importImage(tarStream(entries), {
    repo: name.slice(0, colon),
    tag: name.slice(colon + 1),
    changes: ['ENV PATH=/usr/local/bin:/usr/bin:/bin', 'LABEL io.microgateway.harness=image'],
  });
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(progress, (error: Error | null, events: { error?: string }[]) => {
      const failed = error ?? events.find((event) => event.error);
      if (failed) reject(new Error(`docker import ${name}: ${failed instanceof Error ? failed.message : failed.error}`));
      else resolve();
    });
  });
}
