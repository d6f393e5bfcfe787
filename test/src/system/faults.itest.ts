// The whole pipeline under faults (issue 10): services SIGKILLed during a churn of route changes,
// NATS and the kube-apiserver restarted, the renderer scaled out, and an auditor reading every
// change as a CloudEvent. Throughout, a steady request loop on an unchanged route must not see a
// single failure: Engines keep their last good config while the control plane is away.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDITOR_CONSUMER_NAME, INSTANCE_LABEL, NATS_SERVICE_ROLES, bootstrapSecretName, eventsStreamName } from '@microgateway/contracts';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../cluster/rest.js';
import { isNotFound } from '../cluster/rest.js';
import type { ProcessHandle } from '../harness/index.js';
import { freePort, waitFor } from '../harness/index.js';
import { natsRoleUser } from '../harness/nats-users.js';
import { SERVICE_NAMES } from './control-plane.js';
import type { RunningService } from './control-plane.js';
import type { TrafficLoop } from './fault-kit.js';
import { restartApiserver, routeHeader, startRendererReplica, startSecondInstance, startTraffic, taggedRoute, validateWithPython } from './fault-kit.js';
import type { Installation } from './system-fixture.js';
import { apply, condition, httpGet, manifest, readGateway, startInstallation, waitProgrammed } from './system-fixture.js';

const NS = 'demo';
const AUDITOR_PASSWORD = 'auditor-secret-password';
const WRITTEN = 'mgw_renderer_renders_total';

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Owned extends KubeObject {
  metadata: KubeObject['metadata'] & { labels?: Record<string, string>; resourceVersion?: string };
}

/** The auditor's NATS user with the permissions deploy/ ships (libs/contracts natsIdentity). */
const auditorUser = natsRoleUser('default', 'auditor', AUDITOR_PASSWORD);

describe('the system under faults', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'mgw-faults-'));
  let install: Installation;
  let base = '';
  const extraProcs: ProcessHandle[] = [];

  const routePath = (name: string): string => `/apis/gateway.networking.k8s.io/v1/namespaces/${NS}/httproutes/${name}`;
  const deleteRoute = async (name: string): Promise<void> => {
    await install.rest.request('DELETE', routePath(name)).catch((error: unknown) => {
      if (!isNotFound(error)) throw error;
    });
  };
  /** Waits until `path` is served by the route tagged `tag`; returns how long that took. */
  const waitServed = async (path: string, tag: string, timeoutMs = 60_000): Promise<number> => {
    const started = Date.now();
    await waitFor(async () => routeHeader(await httpGet(`${base}${path}`)) === tag || undefined, { timeoutMs, what: `${path} served with x-route ${tag}`, intervalMs: 100 });
    return Date.now() - started;
  };
  const steadyTraffic = (): TrafficLoop => startTraffic(`${base}/steady`, (r) => routeHeader(r) === 'steady');
  const allReady = async (): Promise<boolean> => {
    for (const service of install.control.services.values()) {
      if ((await fetch(`${service.url}/readyz`).catch(() => undefined))?.status !== 200) return false;
    }
    return true;
  };

  beforeAll(async () => {
    const started = Date.now();
    // The second instance's services (started later) log in as blue's own users.
    const blueUsers = NATS_SERVICE_ROLES.map((role) => natsRoleUser('blue', role));
    install = await startInstallation({ workDir, name: `flt-${process.pid}`, users: [auditorUser, ...blueUsers] });
    // The quickstart without its catch-all route: a path no route matches must answer 404.
    const objects = manifest('deploy/examples/quickstart.yaml').filter((o) => !(o.kind === 'HTTPRoute' && o.metadata.name === 'echo'));
    await apply(install.rest, [...objects, taggedRoute(NS, 'steady', '/steady', 'steady')]);
    const { address } = await waitProgrammed(install.rest, NS, 'edge', 180_000);
    base = `http://${address}`;
    await waitServed('/steady', 'steady', 90_000);
    console.log(`[faults] installation + Gateway serving: ${seconds(Date.now() - started)}`);
  }, 360_000);

  afterAll(async () => {
    for (const proc of extraProcs) await proc.stop().catch(() => undefined);
    await install?.stop();
    if (process.env['MGW_KEEP_TEST_DIRS'] === '1') console.log(`kept ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  }, 180_000);

  it('loses no request and converges when each service is SIGKILLed during a churn of route changes', async () => {
    const steady = steadyTraffic();
    // churn-NNN → its current tag, or undefined once deleted. Fixed-width names: no path is a prefix of another.
    const expected = new Map<string, string | undefined>();
    let churning = true;
    let changes = 0;
    const churn = (async () => {
      for (let i = 0; churning; i += 1) {
        const name = `churn-${String(i).padStart(3, '0')}`;
        await apply(install.rest, [taggedRoute(NS, name, `/${name}`, `${name}-v1`)]);
        expected.set(name, `${name}-v1`);
        changes += 1;
        const previous = `churn-${String(i - 1).padStart(3, '0')}`;
        if (i % 2 === 1 && expected.get(previous) !== undefined) {
          await apply(install.rest, [taggedRoute(NS, previous, `/${previous}`, `${previous}-v2`)]);
          expected.set(previous, `${previous}-v2`);
          changes += 1;
        }
        const older = `churn-${String(i - 2).padStart(3, '0')}`;
        if (i % 3 === 2 && expected.get(older) !== undefined) {
          await deleteRoute(older);
          expected.set(older, undefined);
          changes += 1;
        }
        await sleep(400);
      }
    })();

    const recoveries: string[] = [];
    for (const name of SERVICE_NAMES) {
      await sleep(2_500);
      const service = install.control.services.get(name) as RunningService;
      const killedAt = Date.now();
      process.kill(-service.proc.pid, 'SIGKILL');
      await service.proc.exited;
      await install.control.restart(name);
      recoveries.push(`${name} ready ${seconds(Date.now() - killedAt)} after SIGKILL`);
    }
    await sleep(2_000);
    churning = false;
    await churn;
    const churnEnded = Date.now();

    // Every surviving route serves its last version, every deleted one is gone.
    await waitFor(async () => {
      for (const [name, tag] of expected) {
        const r = await httpGet(`${base}/${name}`);
        if (tag === undefined ? r.status !== 404 : routeHeader(r) !== tag) return undefined;
      }
      return true;
    }, { timeoutMs: 90_000, what: 'every churn route in its final state', intervalMs: 500 });
    const converged = Date.now() - churnEnded;
    const result = await steady.stop();
    const deleted = [...expected.values()].filter((t) => t === undefined).length;
    console.log(`[faults] kills: ${recoveries.join('; ')}`);
    console.log(`[faults] churn: ${changes} changes on ${expected.size} routes (${deleted} deleted); converged ${seconds(converged)} after the churn; steady ${result.ok} ok, ${result.failures.length} failed`);
    expect(result.failures).toEqual([]);
    expect(result.ok).toBeGreaterThan(20);
    expect(deleted).toBeGreaterThan(0);
  }, 240_000);

  it('recovers by itself from a NATS restart and a kube-apiserver restart, without failing traffic', async () => {
    const steady = steadyTraffic();
    const natsStarted = Date.now();
    await install.nats.restart();
    const natsDown = Date.now() - natsStarted;
    await waitFor(allReady, { timeoutMs: 60_000, what: 'every service ready after the NATS restart', intervalMs: 250 });
    const servicesBack = Date.now() - natsStarted;
    await apply(install.rest, [taggedRoute(NS, 'after-nats', '/after-nats', 'after-nats')]);
    const natsRoute = await waitServed('/after-nats', 'after-nats', 90_000);
    console.log(`[faults] NATS restart took ${seconds(natsDown)}; services ready ${seconds(servicesBack)} after it began; new route served ${seconds(natsRoute)} after apply`);

    const api = await restartApiserver(install.cluster, install.rest, join(workDir, 'kube'));
    extraProcs.push(api.proc);
    const apiApplied = Date.now();
    await apply(install.rest, [taggedRoute(NS, 'after-api', '/after-api', 'after-api')]);
    const apiRoute = await waitServed('/after-api', 'after-api', 120_000);
    console.log(`[faults] kube-apiserver down ${seconds(api.downMs)}; new route served ${seconds(apiRoute)} after apply (${seconds(Date.now() - apiApplied)})`);

    const gateway = await readGateway(install.rest, NS, 'edge');
    expect(condition(gateway, 'Programmed')?.status).toBe('True');
    expect(await allReady()).toBe(true);
    const result = await steady.stop();
    console.log(`[faults] during restarts: steady ${result.ok} ok, ${result.failures.length} failed`);
    expect(result.failures).toEqual([]);
  }, 240_000);

  it('renders every change once with 2 and 3 renderer replicas, and any replica serves the Engine', async () => {
    const replicas: RunningService[] = [install.control.services.get('renderer') as RunningService];
    const written = async (): Promise<number[]> => Promise.all(replicas.map((r) => r.metric(WRITTEN, 'result="written"')));
    const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
    let change = 0;
    const oneChange = async (): Promise<void> => {
      change += 1;
      const before = sum(await written());
      await apply(install.rest, [taggedRoute(NS, 'scaled', '/scaled', `scaled-v${change}`)]);
      await waitServed('/scaled', `scaled-v${change}`);
      // Leave room for a duplicate render to show up before counting.
      await sleep(1_500);
      expect(sum(await written()) - before, `renders written for change ${change} with ${replicas.length} replicas`).toBe(1);
    };
    const distribution: string[] = [];
    for (const count of [2, 3]) {
      const replica = await startRendererReplica(install, `r${count}`, 0);
      extraProcs.push(replica.proc);
      replicas.push(replica);
      for (let i = 0; i < 3; i += 1) await oneChange();
      distribution.push(`${count} replicas: written per replica ${(await written()).join('/')}`);
    }
    console.log(`[faults] renderer scale-out: ${distribution.join('; ')}`);

    // The Engine moves to another replica: the first one dies and replica r2 takes over its xDS address.
    const steady = steadyTraffic();
    const first = replicas[0] as RunningService;
    process.kill(-first.proc.pid, 'SIGKILL');
    await first.proc.exited;
    const r2 = replicas[1] as RunningService;
    await r2.proc.stop();
    const takeover = Date.now();
    const r2b = await startRendererReplica(install, 'r2b', install.control.xds.port);
    extraProcs.push(r2b.proc);
    await waitFor(async () => (await r2b.metric('mgw_renderer_xds_streams')) >= 1 || undefined, { timeoutMs: 60_000, what: 'the Engine connected to replica r2b', intervalMs: 250 });
    const reconnected = Date.now() - takeover;
    await apply(install.rest, [taggedRoute(NS, 'scaled', '/scaled', 'scaled-moved')]);
    const moved = await waitServed('/scaled', 'scaled-moved');
    const result = await steady.stop();
    console.log(`[faults] Engine reconnected to replica r2b ${seconds(reconnected)} after it started; change served ${seconds(moved)} after apply; steady ${result.ok} ok, ${result.failures.length} failed`);
    expect(result.failures).toEqual([]);

    // Back to one renderer in its original slot for the tests that follow.
    for (const proc of [r2b.proc, (replicas[2] as RunningService).proc]) await proc.stop();
    await install.control.restart('renderer');
  }, 240_000);

  it('shows an auditor every change as a CloudEvent valid against the published JSON Schema, and lets it do nothing else', async () => {
    await apply(install.rest, [taggedRoute(NS, 'audited', '/audited', 'audited-v1')]);
    await waitServed('/audited', 'audited-v1');
    await apply(install.rest, [taggedRoute(NS, 'audited', '/audited', 'audited-v2')]);
    await waitServed('/audited', 'audited-v2');
    await deleteRoute('audited');
    await waitFor(async () => (await httpGet(`${base}/audited`)).status === 404 || undefined, { timeoutMs: 60_000, what: '/audited gone' });

    const auditor = await connect({ servers: install.nats.url, user: auditorUser.user, pass: AUDITOR_PASSWORD, inboxPrefix: auditorUser.inboxPrefix });
    try {
      const stream = eventsStreamName(install.instance);
      const jsm = await jetstreamManager(auditor, { checkAPI: false });
      await jsm.consumers.add(stream, { durable_name: AUDITOR_CONSUMER_NAME, ack_policy: AckPolicy.Explicit });
      const consumer = await jetstream(auditor).consumers.get(stream, AUDITOR_CONSUMER_NAME);
      const events: { type: string; subject?: string; data: Record<string, unknown> }[] = [];
      for (;;) {
        const batch = await consumer.fetch({ max_messages: 500, expires: 2_000 });
        let got = 0;
        for await (const message of batch) {
          events.push(message.json());
          message.ack();
          got += 1;
        }
        if (got === 0) break;
      }
      const about = (type: string, subject: string): number => events.filter((e) => e.type === type && e.subject === subject).length;
      const perType = new Map<string, number>();
      for (const e of events) perType.set(e.type, (perType.get(e.type) ?? 0) + 1);
      console.log(`[faults] auditor read ${events.length} events: ${[...perType].sort().map(([t, n]) => `${t.replace('dev.microgateway.', '')} ${n}`).join(', ')}`);
      expect(about('dev.microgateway.resource.changed', `HTTPRoute/${NS}/audited`)).toBeGreaterThanOrEqual(2);
      expect(about('dev.microgateway.resource.deleted', `HTTPRoute/${NS}/audited`)).toBe(1);
      expect(about('dev.microgateway.config.rendered', `Gateway/${NS}/edge`)).toBeGreaterThanOrEqual(3);

      const validation = validateWithPython(events);
      console.log(`[faults] python jsonschema: ${validation.checked} events checked, ${validation.errors.length} errors`);
      expect(validation.errors).toEqual([]);
      expect(validation.checked).toBe(events.length);

      const refusal = async (what: string, attempt: () => Promise<unknown>): Promise<string> => {
        try {
          await attempt();
        } catch (error) {
          return `${what}: ${(error as Error).message}`;
        }
        throw new Error(`${what} was allowed`);
      };
      const refusals = [
        await refusal('publish an event', () => jetstream(auditor).publish('mgw.default.events.resource.changed.HTTPRoute.demo.x', '{}', { timeout: 2_000 })),
        await refusal('read the resources bucket', async () => (await new Kvm(jetstream(auditor)).open('mgw-default-resources')).get(`HTTPRoute.${NS}.steady`)),
        await refusal('read the xds bucket', async () => (await new Kvm(jetstream(auditor)).open('mgw-default-xds')).keys()),
      ];
      console.log(`[faults] auditor refusals:\n  ${refusals.join('\n  ')}`);
      for (const line of refusals) expect(line).toMatch(/permission/i);
    } finally {
      await auditor.close();
    }
  }, 120_000);

  describe('two instances side by side on one cluster and one NATS', () => {
    const BLUE_NS = 'blue-demo';
    const gw = '/apis/gateway.networking.k8s.io/v1/namespaces';
    let blueAddress = '';
    const defaultObjects = [
      `/apis/apps/v1/namespaces/${NS}/deployments/edge-engine`, `/api/v1/namespaces/${NS}/configmaps/edge-engine`,
      `/api/v1/namespaces/${NS}/services/edge-engine`, `/api/v1/namespaces/${NS}/secrets/${bootstrapSecretName('edge')}`,
    ];
    const versions = async (paths: string[]): Promise<string[]> =>
      Promise.all(paths.map(async (p) => (await install.rest.request<Owned>('GET', p)).metadata.resourceVersion ?? ''));

    it('runs a blue instance without touching the default one, and each keeps its own objects, events and xDS', async () => {
      const steady = steadyTraffic();
      const before = await versions(defaultObjects);
      const started = Date.now();
      const blue = await startSecondInstance(install, 'blue', await freePort());
      extraProcs.push(...blue.map((s) => s.proc));
      const quickstart = manifest('deploy/examples/quickstart.yaml');
      const inBlue = (o: KubeObject): KubeObject => ({ ...o, metadata: { ...o.metadata, namespace: BLUE_NS } });
      await apply(install.rest, [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: BLUE_NS } } as KubeObject,
        { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'microgateway-blue' }, spec: { controllerName: 'microgateway.dev/blue' } } as KubeObject,
        ...quickstart.filter((o) => o.kind === 'Deployment' || o.kind === 'Service').map(inBlue),
        { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'edge', namespace: BLUE_NS }, spec: { gatewayClassName: 'microgateway-blue', listeners: [{ name: 'http', protocol: 'HTTP', port: 80 }] } } as KubeObject,
        taggedRoute(BLUE_NS, 'blue-route', '/blue', 'blue'),
      ]);
      blueAddress = (await waitProgrammed(install.rest, BLUE_NS, 'edge', 180_000)).address;
      await waitFor(async () => routeHeader(await httpGet(`http://${blueAddress}/blue`)) === 'blue' || undefined, { timeoutMs: 90_000, what: 'blue serving /blue', intervalMs: 200 });
      console.log(`[faults] blue instance started and serving ${seconds(Date.now() - started)} after launch`);
      const result = await steady.stop();
      expect(result.failures).toEqual([]);

      // Kubernetes: the default Engine's objects untouched, blue's labelled blue, route status per controller.
      expect(await versions(defaultObjects)).toEqual(before);
      const blueDeployment = await install.rest.request<Owned>('GET', `/apis/apps/v1/namespaces/${BLUE_NS}/deployments/edge-engine`);
      expect(blueDeployment.metadata.labels?.[INSTANCE_LABEL]).toBe('blue');
      const controllers = async (ns: string, route: string): Promise<string[]> =>
        ((await install.rest.request<{ status?: { parents?: { controllerName: string }[] } }>('GET', `${gw}/${ns}/httproutes/${route}`)).status?.parents ?? []).map((p) => p.controllerName);
      expect(await controllers(NS, 'steady')).toEqual(['microgateway.dev/default']);
      expect(await controllers(BLUE_NS, 'blue-route')).toEqual(['microgateway.dev/blue']);
      // The default Engine does not serve blue's route, and blue's does not serve default's.
      expect((await httpGet(`${base}/blue`)).status).toBe(404);
      expect((await httpGet(`http://${blueAddress}/steady`)).status).toBe(404);

      // NATS: each instance's events and xDS keys are about its own objects only.
      const nc = await connect({ servers: install.nats.url, user: install.nats.admin.user, pass: install.nats.admin.password });
      try {
        const subjects = async (instance: 'default' | 'blue'): Promise<string[]> => {
          const consumer = await jetstream(nc).consumers.get(eventsStreamName(instance));
          const out: string[] = [];
          for (;;) {
            let got = 0;
            for await (const m of await consumer.fetch({ max_messages: 500, expires: 1_000 })) {
              out.push(m.subject);
              got += 1;
            }
            if (got === 0) return out;
          }
        };
        const [defaultEvents, blueEvents] = [await subjects('default'), await subjects('blue')];
        console.log(`[faults] events: default ${defaultEvents.length}, blue ${blueEvents.length}`);
        expect(defaultEvents.filter((s) => s.includes(BLUE_NS) || !s.startsWith('mgw.default.'))).toEqual([]);
        expect(blueEvents.length).toBeGreaterThan(0);
        expect(blueEvents.filter((s) => !s.startsWith('mgw.blue.') || s.includes(`.${NS}.`))).toEqual([]);
        const keys = async (bucket: string): Promise<string[]> => {
          const kv = await new Kvm(jetstream(nc)).open(bucket);
          const out: string[] = [];
          for await (const key of await kv.keys()) out.push(key);
          return out;
        };
        const [defaultXds, blueXds] = [await keys('mgw-default-xds'), await keys('mgw-blue-xds')];
        expect(defaultXds.filter((k) => !k.startsWith(`${NS}.`))).toEqual([]);
        expect(blueXds.length).toBeGreaterThan(0);
        expect(blueXds.filter((k) => !k.startsWith(`${BLUE_NS}.`))).toEqual([]);
      } finally {
        await nc.close();
      }
    }, 240_000);

    it('gives each instance its own CA: the blue ca neither reads nor signs with the default instance\'s CA Secret', async () => {
      const bundle = async (ns: string): Promise<string> =>
        (await install.rest.request<{ data?: Record<string, string> }>('GET', `/api/v1/namespaces/${ns}/secrets/${bootstrapSecretName('edge')}`)).data?.['ca.crt'] ?? '';
      const [defaultCa, blueCa] = [await bundle(NS), await bundle(BLUE_NS)];
      expect(defaultCa).not.toBe('');
      expect(blueCa, 'the blue Engine trusts the same CA as the default one').not.toBe(defaultCa);
    });
  });
});
