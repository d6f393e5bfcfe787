// Which local binary plays which container image. No image is ever pulled: a container whose image
// has no entry gets the Waiting reason ErrImagePull with the list of images this node can run.
import { join } from 'node:path';
import { repoRoot, toolPaths } from '../toolchain/paths.js';

export interface ImageBinary {
  /** Matched against the image reference without tag or digest, e.g. `registry.k8s.io/coredns/coredns`. */
  repository: RegExp;
  /** The executable that stands in for the image's entrypoint. */
  binary: string;
  /** Arguments the image's entrypoint starts with (a Node service's main script). */
  entrypointArgs?: readonly string[];
  /** Names under which a container's `command[0]` means the entrypoint (`/echo-basic`, `envoy`, …). */
  entrypointNames: readonly string[];
}

/** Microgateway's own service images (deploy/ names them `ghcr.io/microgateway/<service>`). */
export const SERVICE_IMAGES = ['watcher', 'renderer', 'ca', 'deployer'] as const;

export function defaultImageBinaries(): ImageBinary[] {
  const tools = toolPaths();
  return [
    { repository: /(^|\/)echo-basic$|(^|\/)echoserver$/, binary: tools.echoBasic, entrypointNames: ['echo-basic', 'echoserver'] },
    { repository: /(^|\/)envoyproxy\/envoy(-[a-z]+)?$/, binary: tools.envoy, entrypointNames: ['envoy', 'docker-entrypoint.sh'] },
    { repository: /(^|\/)coredns\/coredns$|(^|\/)coredns$/, binary: tools.coredns, entrypointNames: ['coredns'] },
    { repository: /(^|\/)nats$/, binary: tools.natsServer, entrypointNames: ['nats-server'] },
    // Each service image is its built dist/main.js on the Node running the agent.
    ...SERVICE_IMAGES.map((service) => ({
      repository: new RegExp(`(^|/)microgateway/${service}$`),
      binary: process.execPath,
      entrypointArgs: [join(repoRoot(), 'services', service, 'dist', 'main.js')],
      entrypointNames: ['node'],
    })),
    // The sidecar's initContainer (it runs iptables of the host, in the Pod's network namespace).
    {
      repository: /(^|\/)microgateway\/network-manager$/,
      binary: process.execPath,
      entrypointArgs: [join(repoRoot(), 'engine', 'network-manager', 'dist', 'main.js')],
      entrypointNames: ['node', 'network-manager'],
    },
  ];
}

/** `registry.k8s.io/x/y:v1@sha256:…` → `registry.k8s.io/x/y` */
export function imageRepository(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  return colon >= 0 ? withoutDigest.slice(0, colon) : withoutDigest;
}

export function resolveImage(map: readonly ImageBinary[], image: string): ImageBinary | undefined {
  const repository = imageRepository(image);
  return map.find((entry) => entry.repository.test(repository));
}

/**
 * The argv of a container: the image's binary with `args` when `command` is absent or names the
 * entrypoint; otherwise `command` itself (a shell, say) run from the host, followed by `args`.
 */
export function containerArgv(entry: ImageBinary, command: readonly string[] | undefined, args: readonly string[] | undefined): string[] {
  const rest = args ?? [];
  const entrypoint = [entry.binary, ...(entry.entrypointArgs ?? [])];
  if (!command || command.length === 0) return [...entrypoint, ...rest];
  const first = command[0] ?? '';
  const base = first.slice(first.lastIndexOf('/') + 1);
  if (entry.entrypointNames.includes(base)) return [...entrypoint, ...command.slice(1), ...rest];
  return [...command, ...rest];
}

export function describeKnownImages(map: readonly ImageBinary[]): string {
  return map.map((entry) => entry.repository.source).join(', ');
}
