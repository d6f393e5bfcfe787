// The container backend for real: a Docker engine (the user's, or a private dockerd installed and
// started on the spot), locally imported images, NATS and Envoy containers reached from this
// process, and Envoy's validation in a one-shot container.
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, describe, expect, test } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { engineDirs } from './dockerd.js';
import { containerImage, containerRuntimeAvailable, ensureDockerEngine, startEnvoyContainer, startNatsContainer, validateEnvoyConfigInContainer } from './index.js';

const available = await containerRuntimeAvailable();
const engine = available ? await ensureDockerEngine() : undefined;
let engineStopped = false;
const title = available
  ? 'container backend'
  : 'container backend — SKIPPED: no Docker engine answers and none could be started (see the [mgw containers] lines, or MGW_TEST_BACKENDS)';

const LISTENER_PORT = 10_000;

function directResponseBootstrap(body: string): object {
  return {
    admin: { address: { socket_address: { address: '127.0.0.1', port_value: 0 } } },
    static_resources: {
      listeners: [
        {
          name: 'hello',
          address: { socket_address: { address: '127.0.0.1', port_value: LISTENER_PORT } },
          filter_chains: [
            {
              filters: [
                {
                  name: 'envoy.filters.network.http_connection_manager',
                  typed_config: {
                    '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
                    stat_prefix: 'hello',
                    route_config: {
                      virtual_hosts: [{ name: 'all', domains: ['*'], routes: [{ match: { prefix: '/' }, direct_response: { status: 200, body: { inline_string: body } } }] }],
                    },
                    http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } }],
                  },
                },
              ],
            },
          ],
        },
      ],
    },
  };
}

/** Processes whose command line names the private engine's state directory: dockerd, containerd, shims. */
function privateEngineProcesses(): string[] {
  const state = engineDirs().state;
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(state) && Number(pid) !== process.pid) found.push(`${pid} ${cmdline}`);
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

describe.skipIf(!available)(title, () => {
  afterAll(async () => {
    if (!engineStopped) await engine?.stop();
  });

  test('builds each local image once per engine', async () => {
    const first = await containerImage('nats-server');
    const started = performance.now();
    expect(await containerImage('nats-server')).toBe(first);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  test('NATS: JetStream reachable from the host, store kept across restart', async () => {
    const nats = await startNatsContainer({ users: [{ user: 'reader', password: 'reader-pw', permissions: { publish: { deny: ['>'] } } }] });
    try {
      expect(nats.backend).toBe('container');
      expect(nats.url).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
      const nc = await connect({ servers: nats.url, user: nats.admin.user, pass: nats.admin.password });
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'EVENTS', subjects: ['events.>'] });
      await jetstream(nc).publish('events.one', 'kept');
      await nc.close();

      const urlBefore = nats.url;
      await nats.restart();
      expect(nats.url).toBe(urlBefore);

      const again = await connect({ servers: nats.url, user: nats.admin.user, pass: nats.admin.password });
      const message = await (await jetstreamManager(again)).streams.getMessage('EVENTS', { seq: 1 });
      expect(message?.string()).toBe('kept');
      await again.close();

      await expect(connect({ servers: nats.url, user: 'reader', pass: 'wrong', reconnect: false })).rejects.toThrow(/Authorization/i);
    } finally {
      await nats.stop();
    }
  });

  test('Envoy: a direct_response served through a published port', async () => {
    const envoy = await startEnvoyContainer({ bootstrap: directResponseBootstrap('hello from a container\n'), name: 'hello' });
    try {
      expect(envoy.backend).toBe('container');
      const { host, port } = envoy.address(LISTENER_PORT);
      const response = await fetch(`http://${host}:${port}/anything`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('hello from a container\n');
      expect((await fetch(`${envoy.adminUrl}/ready`)).status).toBe(200);
      expect(envoy.logs()).toMatch(/starting main dispatch loop/);
      expect(() => envoy.address(12_345)).toThrow(/not a static listener/);
    } finally {
      await envoy.stop();
    }
  });

  test('Envoy validation in a one-shot container', async () => {
    const good = await validateEnvoyConfigInContainer(directResponseBootstrap('ok'));
    expect(good.output).not.toMatch(/error/i);
    expect(good.ok).toBe(true);

    const bad = await validateEnvoyConfigInContainer('static_resources:\n  listeners:\n  - name: broken\n    no_such_field: 1\n');
    expect(bad.ok).toBe(false);
    expect(bad.output).toMatch(/no_such_field/);
  });

  test('stopping a private engine this process started leaves no dockerd, containerd or shim behind', async () => {
    if (engine?.socket !== engineDirs().socket) return; // the user's engine: not ours to stop
    expect(privateEngineProcesses().length).toBeGreaterThan(0);
    engineStopped = true;
    await engine.stop();
    expect(privateEngineProcesses()).toEqual([]);
  });
});
