// Envoy as the Engine will run it: Envoy's own validation of a config, and a started Envoy
// serving a listener. Runs once per available backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, resolveBackends, startEnvoyOn, validateEnvoyOn } from '../harness/index.js';
import type { EnvoyHandle } from '../harness/index.js';

/** A static bootstrap: one listener answering every request with a fixed direct response. */
function directResponseBootstrap(listenerPort: number, extraListenerFields: Record<string, unknown> = {}): object {
  return {
    admin: { address: { socket_address: { address: '127.0.0.1', port_value: 0 } } },
    static_resources: {
      listeners: [
        {
          name: 'smoke',
          address: { socket_address: { address: '0.0.0.0', port_value: listenerPort } },
          ...extraListenerFields,
          filter_chains: [
            {
              filters: [
                {
                  name: 'envoy.filters.network.http_connection_manager',
                  typed_config: {
                    '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
                    stat_prefix: 'smoke',
                    route_config: {
                      virtual_hosts: [
                        {
                          name: 'all',
                          domains: ['*'],
                          routes: [{ match: { prefix: '/' }, direct_response: { status: 203, body: { inline_string: 'hello from envoy' } } }],
                        },
                      ],
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

const backends = await resolveBackends();

describe.each(backends)('Envoy on the %s backend', (backend) => {
  it('validate accepts a good static config', async () => {
    const result = await validateEnvoyOn(backend, directResponseBootstrap(10080));
    expect(result.output).not.toMatch(/error initializing configuration/);
    expect(result.ok).toBe(true);
  });

  it('validate rejects a bad config in Envoy own words', async () => {
    const result = await validateEnvoyOn(backend, directResponseBootstrap(10080, { no_such_listener_field: true }));
    expect(result.ok).toBe(false);
    // protobuf's JSON parser deliberately varies the whitespace in its messages.
    expect(result.output.replace(/\s+/g, ' ')).toContain("no such field: 'no_such_listener_field'");
  });

  it('validate reads YAML text as given', async () => {
    const result = await validateEnvoyOn(backend, 'static_resources:\n  clusters:\n  - name: c\n    connect_timeout: not-a-duration\n');
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/connect_timeout|Duration/);
  });

  describe('a started Envoy', () => {
    let envoy: EnvoyHandle;
    let listenerPort: number;

    beforeAll(async () => {
      listenerPort = await freePort();
      const started = Date.now();
      envoy = await startEnvoyOn(backend, { bootstrap: directResponseBootstrap(listenerPort), name: `smoke-envoy-${backend}` });
      console.info(`[smoke] Envoy (${backend}) ready in ${Date.now() - started} ms, admin ${envoy.adminUrl}`);
    });

    afterAll(async () => {
      await envoy?.stop();
    });

    it('serves a direct_response on its listener', async () => {
      const { host, port } = envoy.address(listenerPort);
      const response = await fetch(`http://${host}:${port}/anything`);
      expect(response.status).toBe(203);
      expect(await response.text()).toBe('hello from envoy');
    });

    it('answers on its admin interface', async () => {
      const response = await fetch(`${envoy.adminUrl}/server_info`);
      expect(response.status).toBe(200);
      const info = (await response.json()) as { state?: string };
      expect(info.state).toBe('LIVE');
      expect(envoy.logs()).toMatch(/starting main dispatch loop|all clusters initialized/);
    });
  });
});
