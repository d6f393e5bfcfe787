import { describe, expect, test } from 'vitest';
import { containerBootstrap, DEFAULT_ADMIN_PORT } from './envoy-bootstrap.js';
import { demuxDockerLogs } from './envoy.js';
import { containerBackendAllowed } from './engine.js';
import { imageName, imageSource, parseLdd, rootfs } from './images.js';
import { tarBuffer, tarHeader } from './tar.js';
import type { Pins } from '../../toolchain/paths.js';

describe('tar', () => {
  const field = (block: Buffer, offset: number, length: number): string => block.subarray(offset, offset + length).toString('ascii').replace(/\0.*$/s, '');

  test('a ustar header carries name, mode, size and a checksum that sums right', () => {
    const block = tarHeader({ path: 'etc/nats/nats.conf', mode: 0o600, size: 1234, typeflag: '0' });
    expect(block.length).toBe(512);
    expect(field(block, 0, 100)).toBe('etc/nats/nats.conf');
    expect(parseInt(field(block, 100, 8), 8)).toBe(0o600);
    expect(parseInt(field(block, 124, 12), 8)).toBe(1234);
    expect(field(block, 257, 6)).toBe('ustar');
    const stored = parseInt(field(block, 148, 8), 8);
    const copy = Buffer.from(block);
    copy.fill(' ', 148, 156);
    expect(stored).toBe(copy.reduce((sum, byte) => sum + byte, 0));
  });

  test('long paths are split into prefix and name', () => {
    const path = `${'d'.repeat(80)}/${'e'.repeat(80)}/file`;
    const block = tarHeader({ path, mode: 0o644, size: 0, typeflag: '0' });
    expect(field(block, 345, 155)).toBe(`${'d'.repeat(80)}`);
    expect(field(block, 0, 100)).toBe(`${'e'.repeat(80)}/file`);
  });

  test('an archive is whole blocks: headers, padded content, two zero blocks', async () => {
    const archive = await tarBuffer([{ type: 'dir', path: '/etc/envoy/' }, { type: 'file', path: '/etc/envoy/a.yaml', content: 'x: 1\n' }]);
    expect(archive.length).toBe(512 * 5);
    expect(field(archive, 0, 100)).toBe('etc/envoy/');
    expect(field(archive, 156, 1)).toBe('5');
    expect(field(archive, 512, 100)).toBe('etc/envoy/a.yaml');
    expect(archive.subarray(1024, 1029).toString()).toBe('x: 1\n');
    expect(archive.subarray(1536).every((byte) => byte === 0)).toBe(true);
  });
});

describe('images', () => {
  const LDD = [
    '\tlinux-vdso.so.1 (0x00007ffd)',
    '\tlibm.so.6 => /lib/x86_64-linux-gnu/libm.so.6 (0x00007f9ef6520000)',
    '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f9ef633e000)',
    '\t/lib64/ld-linux-x86-64.so.2 (0x00007f9efd686000)',
  ].join('\n');

  test('ldd output gives the libraries and the loader, not the vDSO', () => {
    expect(parseLdd(LDD)).toEqual(['/lib/x86_64-linux-gnu/libm.so.6', '/lib/x86_64-linux-gnu/libc.so.6', '/lib64/ld-linux-x86-64.so.2']);
  });

  test('a library ldd cannot find is an error, not a broken image', () => {
    expect(() => parseLdd('\tlibfoo.so.1 => not found')).toThrow(/libfoo/);
  });

  test('a static binary gets a rootfs with the binary on PATH and a world-writable /tmp', () => {
    const entries = rootfs('nats-server', '/cache/nats-server', []);
    expect(entries).toContainEqual({ type: 'hostFile', path: '/usr/local/bin/nats-server', source: '/cache/nats-server', mode: 0o755 });
    expect(entries).toContainEqual({ type: 'dir', path: '/tmp', mode: 0o1777 });
  });

  test('image names: local ones from the pins, official ones at the same versions', () => {
    const pins = { natsServer: '2.15.2', envoy: '1.40.0' } as Pins;
    expect(imageName('envoy', 'local', pins)).toBe('microgateway.local/envoy:1.40.0');
    expect(imageName('nats-server', 'local', pins)).toBe('microgateway.local/nats-server:2.15.2');
    expect(imageName('envoy', 'official', pins)).toBe('envoyproxy/envoy:v1.40.0');
    expect(imageName('nats-server', 'official', pins)).toBe('nats:2.15.2-alpine');
  });

  test('MGW_CONTAINER_IMAGES defaults to local and rejects anything else', () => {
    expect(imageSource(undefined)).toBe('local');
    expect(imageSource('official')).toBe('official');
    expect(() => imageSource('dockerhub')).toThrow(/official.*local/);
  });
});

describe('MGW_TEST_BACKENDS', () => {
  test('the container backend is allowed unless the list leaves it out', () => {
    expect(containerBackendAllowed(undefined)).toBe(true);
    expect(containerBackendAllowed('process, container')).toBe(true);
    expect(containerBackendAllowed('process')).toBe(false);
  });
});

describe('Envoy bootstrap in a container', () => {
  const listener = (port: number, address = '127.0.0.1'): object => ({ name: `l${port}`, address: { socket_address: { address, port_value: port } } });

  test('loopback listeners listen on the wildcard, and their ports are published', () => {
    const input = { static_resources: { listeners: [listener(10_000), listener(10_001, '0.0.0.0')] } };
    const { bootstrap, listenerPorts, adminPort } = containerBootstrap(input);
    expect(listenerPorts).toEqual([10_000, 10_001]);
    expect(adminPort).toBe(DEFAULT_ADMIN_PORT);
    expect(bootstrap).toMatchObject({
      admin: { address: { socket_address: { address: '0.0.0.0', port_value: DEFAULT_ADMIN_PORT } } },
      static_resources: { listeners: [{ address: { socket_address: { address: '0.0.0.0' } } }, {}] },
    });
    expect(input.static_resources.listeners[0]).toEqual(listener(10_000)); // the caller's object is untouched
  });

  test('an admin on port 0 gets a fixed port; a fixed one is kept', () => {
    expect(containerBootstrap({ admin: { address: { socket_address: { address: '127.0.0.1', port_value: 0 } } } }).adminPort).toBe(DEFAULT_ADMIN_PORT);
    expect(containerBootstrap({ admin: { address: { socket_address: { address: '::1', port_value: 19_000 } } } })).toMatchObject({
      adminPort: 19_000,
      bootstrap: { admin: { address: { socket_address: { address: '::' } } } },
    });
  });

  test('a listener on port 0 cannot be published', () => {
    expect(() => containerBootstrap({ static_resources: { listeners: [listener(0)] } })).toThrow(/l0: port_value 0/);
  });
});

describe('docker log frames', () => {
  test('stdout and stderr frames are joined in order without their headers', () => {
    const frame = (stream: number, text: string): Buffer => {
      const header = Buffer.alloc(8);
      header[0] = stream;
      header.writeUInt32BE(Buffer.byteLength(text), 4);
      return Buffer.concat([header, Buffer.from(text)]);
    };
    expect(demuxDockerLogs(Buffer.concat([frame(1, 'one\n'), frame(2, 'two: error\n'), frame(1, 'three')]))).toBe('one\ntwo: error\nthree');
  });
});
