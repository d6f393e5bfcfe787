// The renderer's xDS server with real Envoys: mutual TLS with certificates from the ca's pki code,
// the bootstrap the deployer renders, config from the renderer's own translation through NATS KV.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatewayRef, InstanceName, XdsManifest } from '@microgateway/contracts';
import { XDS_STATUS_REPORTER, XDS_TYPE_URLS, containerPortOf, controllerName, engineNodeId, statusKey, xdsManifestKey, xdsOutcomeFactSchema, xdsResourceKey } from '@microgateway/contracts';
import * as b from '@microgateway/contracts/testing';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startNats, waitFor } from '../harness/index.js';
import type { EnvoyHandle, NatsHandle } from '../harness/index.js';
import { NamedBackend, startLocalEngine } from './engine-fixture.js';
import { InstanceKv, startRenderer } from './service-fixture.js';
import type { RendererProcess } from './service-fixture.js';
import { DeltaXdsClient } from './xds-client.js';
import { TestPki } from './xds-pki.js';

const instance: InstanceName = 'xdstest';
const SERVER_NAME = 'localhost';
const gwA: GatewayRef = { namespace: 'default', name: 'gw-a' };
const gwB: GatewayRef = { namespace: 'default', name: 'gw-b' };
/** Listener ports well away from other suites' (each Gateway port P is bound as 10000 + P). */
const PORT_A = 21_080;
const PORT_B = 21_081;

function route(name: string, gateway: string, rules: { path: string; service: string }[]): ReturnType<typeof b.httpRoute> {
  return b.httpRoute({
    name,
    spec: {
      parentRefs: [{ name: gateway }],
      rules: rules.map((r) => b.httpRouteRule({ matches: [{ path: { type: 'PathPrefix', value: r.path } }], backendRefs: [b.backendRef({ name: r.service })] })),
    },
  });
}

async function putBackend(kv: InstanceKv, backend: NamedBackend): Promise<void> {
  await kv.put(b.service({ name: backend.name }));
  const slice = b.endpointSlice({ name: `${backend.name}-abcde`, serviceName: backend.name, addresses: ['127.0.0.1'] });
  await kv.put({ ...slice, ports: [{ name: 'port-8080', port: backend.port, protocol: 'TCP' }] });
}

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  try {
    const res = await fetch(`http://127.0.0.1:${containerPortOf(port)}${path}`, { signal: AbortSignal.timeout(3_000) });
    return { status: res.status, body: await res.text() };
  } catch (error) {
    return { status: 0, body: String(error) };
  }
}

/** Requests `path` in a loop until stopped; every answer that is not a 200 is a failure. */
function steadyTraffic(port: number, path: string): { stop: () => Promise<{ ok: number; failed: string[] }> } {
  let running = true;
  const failed: string[] = [];
  let ok = 0;
  const loop = (async () => {
    while (running) {
      const res = await get(port, path);
      if (res.status === 200) ok += 1;
      else failed.push(`${res.status} ${res.body.slice(0, 120)}`);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { ok, failed };
    },
  };
}

describe('renderer xDS server', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'mgw-xds-itest-'));
  const pki = new TestPki(instance, workDir);
  let nats: NatsHandle;
  let kv: InstanceKv;
  let one: NamedBackend;
  let two: NamedBackend;
  const renderers: { proc: RendererProcess; xdsPort: number }[] = [];
  const engines: EnvoyHandle[] = [];

  async function startReplica(name: string): Promise<{ proc: RendererProcess; xdsPort: number }> {
    const xdsPort = await freePort();
    const tlsDir = pki.servingDir([SERVER_NAME], `serving-${name}`);
    const proc = await startRenderer({
      name, instance, nats, workDir,
      extraYaml: `xds:\n  tlsDir: ${tlsDir}\n  port: ${xdsPort}\n  host: 127.0.0.1\n  shutdownGraceSeconds: 1\n  certificateReloadSeconds: 1\n`,
    });
    const replica = { proc, xdsPort };
    renderers.push(replica);
    return replica;
  }

  async function engine(gateway: GatewayRef, name: string, extra: { nodeGateway?: GatewayRef; waitReady?: boolean; xdsPorts?: number[]; apiType?: 'GRPC' } = {}): Promise<EnvoyHandle> {
    const handle = await startLocalEngine({
      instance, gateway, name, workDir, xdsServerName: SERVER_NAME,
      bootstrapDir: pki.bootstrapDir(gateway, [SERVER_NAME]),
      xdsPorts: extra.xdsPorts ?? renderers.map((r) => r.xdsPort),
      ...(extra.nodeGateway ? { nodeGateway: extra.nodeGateway } : {}),
      ...(extra.waitReady === undefined ? {} : { waitReady: extra.waitReady }),
      ...(extra.apiType === undefined ? {} : { apiType: extra.apiType }),
    });
    engines.push(handle);
    return handle;
  }

  beforeAll(async () => {
    nats = await startNats({ name: 'nats-xds' });
    kv = await InstanceKv.open(nats, instance);
    [one, two] = await Promise.all([NamedBackend.start('one'), NamedBackend.start('two')]);
    await kv.put(b.gatewayClass({ controllerName: controllerName(instance) }));
    await kv.put(b.gateway({ name: gwA.name, spec: { listeners: [b.listener({ port: PORT_A })] } }));
    await kv.put(b.gateway({ name: gwB.name, spec: { listeners: [b.listener({ port: PORT_B })] } }));
    await putBackend(kv, one);
    await putBackend(kv, two);
    await kv.put(route('a-one', gwA.name, [{ path: '/one', service: 'one' }]));
    await kv.put(route('b-two', gwB.name, [{ path: '/two', service: 'two' }]));
    await startReplica('renderer-1');
  }, 120_000);

  afterAll(async () => {
    for (const e of engines) await e.stop().catch(() => undefined);
    for (const r of renderers) await r.proc.proc.stop().catch(() => undefined);
    await one?.stop();
    await two?.stop();
    await kv?.nc.close();
    await nats?.stop();
    if (process.env['MGW_KEEP_TEST_DIRS'] === '1') console.log(`kept ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  });

  it('gives an Envoy holding its Gateway certificate that Gateway config, and it serves it', async () => {
    await waitFor(() => kv.manifest(gwA), { timeoutMs: 30_000, what: 'the manifest of gw-a' });
    await engine(gwA, 'engine-a');
    const res = await waitFor(async () => {
      const r = await get(PORT_A, '/one/x');
      return r.status === 200 ? r : undefined;
    }, { timeoutMs: 20_000, what: 'a 200 through engine-a' });
    expect(res.body).toBe('one /one/x');
    // Gateway B's route is not part of A's config.
    expect((await get(PORT_A, '/two')).status).toBe(404);
    const fact = await waitFor(async () => {
      const entry = await kv.status.get(statusKey({ kind: 'Gateway', ...gwA }, XDS_STATUS_REPORTER));
      return entry?.operation === 'PUT' ? xdsOutcomeFactSchema.parse(entry.json()) : undefined;
    }, { timeoutMs: 10_000, what: 'the EngineConfig fact of gw-a' });
    expect(fact).toMatchObject({ outcome: 'applied', version: (await kv.manifest(gwA))?.version });
    const accepted = await waitFor(async () => (await kv.events()).filter((e) => e.type === 'dev.microgateway.config.accepted'), { timeoutMs: 10_000, what: 'config.accepted events' });
    expect(accepted.some((e) => e.data.gateway.name === gwA.name)).toBe(true);
  });

  it('brings a route change to traffic without one failed request on the unchanged route', async () => {
    const traffic = steadyTraffic(PORT_A, '/one/steady');
    await new Promise((r) => setTimeout(r, 500));
    await kv.put(route('a-one', gwA.name, [{ path: '/one', service: 'one' }, { path: '/new', service: 'two' }]));
    const res = await waitFor(async () => {
      const r = await get(PORT_A, '/new/path');
      return r.status === 200 ? r : undefined;
    }, { timeoutMs: 20_000, what: 'the new route serving' });
    expect(res.body).toBe('two /new/path');
    await new Promise((r) => setTimeout(r, 500));
    const { ok, failed } = await traffic.stop();
    expect(failed).toEqual([]);
    expect(ok).toBeGreaterThan(10);
  });

  it('refuses a client without a certificate, and gives Gateway B nothing to a Gateway A certificate', async () => {
    const xdsPort = renderers[0]?.xdsPort ?? 0;
    const anonymous = new DeltaXdsClient({ port: xdsPort, ca: pki.ca.certificatePem, serverName: SERVER_NAME, nodeId: engineNodeId(gwA, 'anon'), types: [XDS_TYPE_URLS.listener] });
    const anonymousEnd = await anonymous.closed;
    expect(anonymousEnd.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(anonymous.responses).toEqual([]);
    anonymous.stop();

    const credsA = pki.engineCredentials(gwA);
    const impostor = new DeltaXdsClient({ port: xdsPort, ...credsA, serverName: SERVER_NAME, nodeId: engineNodeId(gwB, 'impostor'), types: [XDS_TYPE_URLS.cluster, XDS_TYPE_URLS.listener] });
    const end = await impostor.closed;
    expect(end.code).toBe(GrpcStatus.PERMISSION_DENIED);
    expect(end.details).toContain('gw-b');
    expect(impostor.responses).toEqual([]);
    impostor.stop();

    // The same through a real Envoy: it never receives a config (never becomes ready), B serves nothing.
    const envoy = await engine(gwA, 'engine-impostor', { nodeGateway: gwB, waitReady: false });
    await new Promise((r) => setTimeout(r, 2_000));
    const ready = await fetch(`${envoy.adminUrl}/ready`).then((r) => r.status).catch(() => 0);
    expect(ready).not.toBe(200);
    expect((await get(PORT_B, '/two')).status).toBe(0);
    const [replica] = renderers;
    expect(await replica?.proc.metric('mgw_renderer_xds_refused_streams_total', 'reason="wrong-gateway"')).toBeGreaterThan(0);
    await envoy.stop();
    engines.splice(engines.indexOf(envoy), 1);

    // A control: B's own certificate gets B's listener.
    const owner = new DeltaXdsClient({ port: xdsPort, ...pki.engineCredentials(gwB), serverName: SERVER_NAME, nodeId: engineNodeId(gwB, 'owner'), types: [XDS_TYPE_URLS.listener] });
    const listeners = await owner.waitFor((r) => r.type_url === XDS_TYPE_URLS.listener, 10_000);
    expect(listeners.resources.length).toBeGreaterThan(0);
    owner.stop();
  });

  it('reports a config Envoy rejects, while Envoy keeps serving the last good one', async () => {
    const manifest = (await kv.manifest(gwA)) as XdsManifest;
    const routeEntry = manifest.resources.find((r) => r.type === 'route');
    if (routeEntry === undefined) throw new Error('gw-a has no route configuration');
    const key = xdsResourceKey(gwA, 'route', routeEntry.name);
    const good = (await kv.xds.get(key))?.json<Record<string, unknown>>();
    // A RouteConfiguration Envoy refuses: a regex RE2 does not compile.
    const bad = JSON.stringify({ ...good, virtual_hosts: [{ name: 'bad', domains: ['*'], routes: [{ match: { safe_regex: { regex: '(' } }, direct_response: { status: 200 } }] }] });
    const { createHash } = await import('node:crypto');
    const digest = `sha256:${createHash('sha256').update(bad).digest('hex')}`;
    await kv.xds.put(key, bad);
    const badVersion = 'rejected-by-envoy-1';
    await kv.xds.put(xdsManifestKey(gwA), JSON.stringify({ ...manifest, version: badVersion, resources: manifest.resources.map((r) => (r.name === routeEntry.name && r.type === 'route' ? { ...r, digest } : r)) }));

    const fact = await waitFor(async () => {
      const entry = await kv.status.get(statusKey({ kind: 'Gateway', ...gwA }, XDS_STATUS_REPORTER));
      const parsed = entry?.operation === 'PUT' ? xdsOutcomeFactSchema.parse(entry.json()) : undefined;
      return parsed?.outcome === 'rejected' ? parsed : undefined;
    }, { timeoutMs: 15_000, what: 'the rejected EngineConfig fact' });
    expect(fact.version).toBe(badVersion);
    expect(fact.message).toMatch(/regex|missing \)|missing closing/i);
    const rejected = await waitFor(async () => (await kv.events()).filter((e) => e.type === 'dev.microgateway.config.rejected' && e.data.version === badVersion), { timeoutMs: 10_000, what: 'config.rejected' });
    expect(rejected.length).toBeGreaterThan(0);
    expect((await get(PORT_A, '/one/still')).body).toBe('one /one/still');
    expect(await renderers[0]?.proc.metric('mgw_renderer_xds_nacks_total', 'type="route"')).toBeGreaterThan(0);

    // Put the good config back (as the renderer's next render would).
    await kv.xds.put(key, JSON.stringify(good));
    await kv.xds.put(xdsManifestKey(gwA), JSON.stringify({ ...manifest, version: `${manifest.version}-restored` }));
    await waitFor(async () => {
      const entry = await kv.status.get(statusKey({ kind: 'Gateway', ...gwA }, XDS_STATUS_REPORTER));
      return entry?.operation === 'PUT' && xdsOutcomeFactSchema.parse(entry.json()).outcome === 'applied';
    }, { timeoutMs: 15_000, what: 'applied again' });
  });

  it('serves state-of-the-world xDS too', async () => {
    const sotw = await engine(gwB, 'engine-b-sotw', { apiType: 'GRPC' });
    await waitFor(async () => (await get(PORT_B, '/two/sotw')).body === 'two /two/sotw' || undefined, { timeoutMs: 20_000, what: 'a 200 through the SotW Engine' });
    expect(await renderers[0]?.proc.metric('mgw_renderer_xds_streams', 'protocol="sotw"')).toBe(1);
    await sotw.stop();
    engines.splice(engines.indexOf(sotw), 1);
  });

  it('presents a renewed serving certificate to new connections without a restart', async () => {
    const replica = renderers[0];
    if (replica === undefined) throw new Error('no replica');
    const creds = pki.engineCredentials(gwA);
    const serial = (): Promise<string> =>
      new Promise((resolve, reject) => {
        const socket = tlsConnect({ host: '127.0.0.1', port: replica.xdsPort, servername: SERVER_NAME, ca: creds.ca, cert: creds.cert, key: creds.key, ALPNProtocols: ['h2'] }, () => {
          const { serialNumber } = socket.getPeerCertificate();
          expect(socket.getProtocol()).toBe('TLSv1.3');
          socket.destroy();
          resolve(serialNumber);
        });
        socket.on('error', reject);
      });
    const before = await serial();
    pki.servingDir([SERVER_NAME], 'serving-renderer-1');
    const after = await waitFor(async () => {
      const now = await serial();
      return now !== before ? now : undefined;
    }, { timeoutMs: 10_000, what: 'the renewed serving certificate' });
    expect(after).not.toBe(before);
    // Engines connected before the renewal keep their streams and their traffic.
    expect((await get(PORT_A, '/one/after-renewal')).status).toBe(200);
  });

  it('moves an Envoy to another replica when its replica is killed, and it keeps serving', async () => {
    const second = await startReplica('renderer-2');
    const engineB = await engine(gwB, 'engine-b', { xdsPorts: renderers.map((r) => r.xdsPort) });
    await waitFor(async () => (await get(PORT_B, '/two/x')).status === 200, { timeoutMs: 20_000, what: 'engine-b serving' });
    const streamsOf = async (r: { proc: RendererProcess }): Promise<number> =>
      (await r.proc.metric('mgw_renderer_xds_streams', 'protocol="delta"').catch(() => 0));
    // engine-a knows only renderer-1; engine-b knows both: the replica engine-b is on is the one
    // to kill (renderer-2 when it has a stream, renderer-1 otherwise).
    const first = renderers[0];
    if (first === undefined) throw new Error('renderer-1 is gone');
    await waitFor(async () => (await streamsOf(first)) + (await streamsOf(second)) >= 2, { timeoutMs: 10_000, what: 'both Engines connected' });
    const onSecond = (await streamsOf(second)) > 0;
    const [connected, survivor] = onSecond ? [second, first] : [first, second];
    const traffic = steadyTraffic(PORT_B, '/two/steady');
    const survivorBefore = await streamsOf(survivor);
    process.kill(-connected.proc.proc.pid, 'SIGKILL');
    await connected.proc.proc.exited;
    renderers.splice(renderers.indexOf(connected), 1);
    await waitFor(async () => (await streamsOf(survivor)) > survivorBefore, { timeoutMs: 30_000, what: 'engine-b reconnected to the surviving replica' });
    // A change after the move reaches traffic through the surviving replica.
    await kv.put(route('b-two', gwB.name, [{ path: '/two', service: 'two' }, { path: '/moved', service: 'one' }]));
    await waitFor(async () => (await get(PORT_B, '/moved')).status === 200, { timeoutMs: 20_000, what: 'a change served after the move' });
    const { failed } = await traffic.stop();
    expect(failed).toEqual([]);
    expect(engineB).toBeDefined();
  });
});
