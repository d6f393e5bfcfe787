import { describe, expect, it } from 'vitest';
import type { ImageBinary } from './images.js';
import { containerArgv, imageRepository, resolveImage } from './images.js';

const map: ImageBinary[] = [{ repository: /(^|\/)echo-basic$/, binary: '/cache/echo-basic', entrypointNames: ['echo-basic'] }];

describe('image → binary map', () => {
  it('strips tags, digests and keeps registry ports', () => {
    expect(imageRepository('gcr.io/k8s-staging-gateway-api/echo-basic:v1@sha256:abc')).toBe('gcr.io/k8s-staging-gateway-api/echo-basic');
    expect(imageRepository('localhost:5000/echo-basic')).toBe('localhost:5000/echo-basic');
    expect(imageRepository('localhost:5000/echo-basic:1')).toBe('localhost:5000/echo-basic');
  });

  it('resolves known images and nothing else', () => {
    expect(resolveImage(map, 'registry.k8s.io/gateway-api/echo-basic:v1.2')?.binary).toBe('/cache/echo-basic');
    expect(resolveImage(map, 'example.com/not-echo-basic:1')).toBeUndefined();
  });

  it('replaces an entrypoint command by the binary and runs other commands as given', () => {
    const entry = map[0]!;
    expect(containerArgv(entry, undefined, ['-v'])).toEqual(['/cache/echo-basic', '-v']);
    expect(containerArgv(entry, ['/echo-basic', '--x'], ['y'])).toEqual(['/cache/echo-basic', '--x', 'y']);
    expect(containerArgv(entry, ['sh', '-c'], ['sleep 1'])).toEqual(['sh', '-c', 'sleep 1']);
  });
});

describe('service images', () => {
  it('run a Node script as the entrypoint, before the container args', () => {
    const node: ImageBinary = { repository: /(^|\/)microgateway\/watcher$/, binary: '/usr/bin/node', entrypointArgs: ['/repo/watcher/main.js'], entrypointNames: ['node'] };
    expect(containerArgv(node, undefined, ['--config', '/etc/c.yaml'])).toEqual(['/usr/bin/node', '/repo/watcher/main.js', '--config', '/etc/c.yaml']);
    expect(resolveImage([node], 'ghcr.io/microgateway/watcher:0.1.0')?.binary).toBe('/usr/bin/node');
  });
});
