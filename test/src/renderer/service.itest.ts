// The renderer service on real NATS: Gateway API objects written into KV `resources` (as the
// watcher would) become keys in `xds`, `infra` and `status`; a change rewrites only what it
// affects; deletes remove keys; a malformed value is reported while the rest keeps working; and two
// replicas render each job once, losing none when one is SIGKILLed mid-burst.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { controllerName, infraKey, parseStatusKey, resourceKey, statusKey, rendererStatusReporter, xdsManifestKey, xdsResourceKey } from '@microgateway/contracts';
import type { GatewayRef, InstanceName } from '@microgateway/contracts';
import * as b from '@microgateway/contracts/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNats, waitFor } from '../harness/index.js';
import type { NatsHandle } from '../harness/index.js';
import { InstanceKv, startRenderer } from './service-fixture.js';
import type { RendererProcess } from './service-fixture.js';

const FAST_JOBS = '{jobs: {ackWaitSeconds: 3, retryDelayMs: 200}}';

function route(name: string, gateway: string, path: string, service: string, resourceVersion = '1'): ReturnType<typeof b.httpRoute> {
  return b.httpRoute({
    name,
    resourceVersion,
    spec: { parentRefs: [{ name: gateway }], rules: [b.httpRouteRule({ matches: [{ path: { type: 'PathPrefix', value: path } }], backendRefs: [b.backendRef({ name: service })] })] },
  });
}

async function putBackend(kv: InstanceKv, name: string, address: string): Promise<void> {
  await kv.put(b.service({ name }));
  await kv.put(b.endpointSlice({ name: `${name}-abcde`, serviceName: name, addresses: [address] }));
}

/** Keys that differ between two revision snapshots (changed, added or removed). */
function changedKeys(before: Map<string, number>, after: Map<string, number>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((k) => before.get(k) !== after.get(k)).sort();
}

describe('renderer service', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'mgw-renderer-itest-'));
  const instance: InstanceName = 'rit';
  const gw: GatewayRef = { namespace: 'default', name: 'gw' };
  let nats: NatsHandle;
  let kv: InstanceKv;
  let renderer: RendererProcess;

  beforeAll(async () => {
    nats = await startNats({ name: 'renderer-itest' });
    kv = await InstanceKv.open(nats, instance);
    renderer = await startRenderer({ name: 'renderer', instance, nats, workDir, rendererYaml: FAST_JOBS, logLevel: 'debug' });
  }, 120_000);

  afterAll(async () => {
    await renderer?.proc.stop();
    await kv?.close();
    await nats?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  const written = (): Promise<number> => renderer.metric('mgw_renderer_renders_total', 'result="written"');
  const unchanged = (): Promise<number> => renderer.metric('mgw_renderer_renders_total', 'result="unchanged"');

  it('publishes xds keys, a manifest, infra, status facts and a config.rendered event', async () => {
    await kv.put(b.gatewayClass({ controllerName: controllerName(instance) }));
    await kv.put(b.gateway());
    await putBackend(kv, 'one', '10.0.0.1');
    await putBackend(kv, 'two', '10.0.0.2');
    await kv.put(route('r1', 'gw', '/one', 'one'));
    await kv.put(route('r2', 'gw', '/two', 'two'));

    const manifest = await waitFor(async () => {
      const m = await kv.manifest(gw);
      return m !== undefined && m.resources.filter((r) => r.type === 'cluster').length === 2 ? m : undefined;
    }, { timeoutMs: 30_000, what: 'the manifest with both clusters', process: renderer.proc });
    const xdsKeys = await kv.revisions(kv.xds);
    expect([...xdsKeys.keys()].sort()).toEqual(
      [xdsManifestKey(gw), ...manifest.resources.map((r) => xdsResourceKey(gw, r.type, r.name))].sort(),
    );
    expect(manifest.resources.map((r) => r.type)).toEqual(expect.arrayContaining(['listener', 'route', 'cluster', 'endpoint']));
    expect((await kv.infra.get(infraKey(gw)))?.json()).toMatchObject({ gateway: gw, ports: [{ port: 80, containerPort: 10080 }] });
    const reporter = rendererStatusReporter(gw);
    const facts = [...(await kv.revisions(kv.status)).keys()].sort();
    expect(facts).toEqual(
      [
        statusKey({ kind: 'Gateway', namespace: 'default', name: 'gw' }, reporter),
        statusKey({ kind: 'GatewayClass', name: 'microgateway' }, reporter),
        statusKey({ kind: 'GatewayClass', name: 'microgateway' }, 'renderer@class'),
        statusKey({ kind: 'HTTPRoute', namespace: 'default', name: 'r1' }, reporter),
        statusKey({ kind: 'HTTPRoute', namespace: 'default', name: 'r2' }, reporter),
      ].sort(),
    );
    const rendered = await waitFor(async () => (await kv.events()).flatMap((e) => (e.type === 'dev.microgateway.config.rendered' && e.data.version === manifest.version ? [e] : [])), {
      timeoutMs: 10_000,
      what: 'the config.rendered event of the manifest version',
    });
    expect(rendered).toHaveLength(1);
    expect(rendered[0]?.data).toMatchObject({ gateway: gw, digest: manifest.digest });
    expect(rendered[0]?.data.inputs).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'HTTPRoute', name: 'r1', resourceVersion: '1' })]));
  });

  it('rewrites only the keys a route change affects, and nothing for an unchanged result', async () => {
    const before = await kv.revisions(kv.xds);
    const statusBefore = await kv.revisions(kv.status);
    const infraBefore = (await kv.infra.get(infraKey(gw)))?.revision;
    const version = (await kv.manifest(gw))?.version;
    await kv.put(route('r2', 'gw', '/two-v2', 'two'));
    await waitFor(async () => (await kv.manifest(gw))?.version !== version, { timeoutMs: 15_000, what: 'a new manifest version', process: renderer.proc });
    const after = await kv.revisions(kv.xds);
    const routeKeys = [...after.keys()].filter((k) => k.startsWith('default.gw.route.'));
    expect(changedKeys(before, after)).toEqual([xdsManifestKey(gw), ...routeKeys].sort());
    // Only r2's status fact would change if its observedGeneration did; here none did.
    expect(changedKeys(statusBefore, await kv.revisions(kv.status))).toEqual([]);
    expect((await kv.infra.get(infraKey(gw)))?.revision).toBe(infraBefore);

    // The same route again (a new resourceVersion only): rendered, and nothing written.
    const unchangedBefore = await unchanged();
    await kv.put(route('r2', 'gw', '/two-v2', 'two', '2'));
    await waitFor(async () => (await unchanged()) > unchangedBefore, { timeoutMs: 15_000, what: 'an unchanged render' });
    expect(changedKeys(after, await kv.revisions(kv.xds))).toEqual([]);
  });

  it('deletes the keys of removed resources and routes', async () => {
    const clusterKeys = async (): Promise<string[]> => [...(await kv.revisions(kv.xds)).keys()].filter((k) => k.includes('.cluster.') || k.includes('.endpoint.'));
    expect(await clusterKeys()).toHaveLength(4);
    await kv.delete({ kind: 'HTTPRoute', namespace: 'default', name: 'r2' });
    await waitFor(async () => (await clusterKeys()).length === 2, { timeoutMs: 15_000, what: "r2's cluster and endpoints keys to go", process: renderer.proc });
    const r2Fact = statusKey({ kind: 'HTTPRoute', namespace: 'default', name: 'r2' }, rendererStatusReporter(gw));
    await waitFor(async () => (await kv.status.get(r2Fact))?.operation !== 'PUT', { timeoutMs: 5_000, what: "r2's status fact to go" });
    expect((await kv.manifest(gw))?.resources.some((r) => r.name.includes('two'))).toBe(false);
  });

  it('reports a malformed value and keeps rendering the rest', async () => {
    const invalidBefore = await renderer.metric('mgw_renderer_invalid_values_total', 'bucket="resources"');
    await kv.resources.put(resourceKey({ kind: 'HTTPRoute', namespace: 'default', name: 'broken' }), '{"kind": "HTTPRoute", "oops');
    await kv.resources.put(resourceKey({ kind: 'HTTPRoute', namespace: 'default', name: 'mislabelled' }), JSON.stringify(route('other-name', 'gw', '/x', 'one')));
    await waitFor(async () => (await renderer.metric('mgw_renderer_invalid_values_total', 'bucket="resources"')) >= invalidBefore + 2, {
      timeoutMs: 10_000,
      what: 'two invalid values reported',
    });
    expect(renderer.proc.logs()).toContain('KV value does not satisfy its contract');
    expect(renderer.proc.hasExited()).toBe(false);
    const version = (await kv.manifest(gw))?.version;
    await kv.put(route('r1', 'gw', '/one-v2', 'one'));
    await waitFor(async () => (await kv.manifest(gw))?.version !== version, { timeoutMs: 15_000, what: 'r1 rendered after the bad values', process: renderer.proc });
  });

  it('removes every key of a deleted Gateway', async () => {
    const writtenBefore = await written();
    await kv.delete({ kind: 'Gateway', namespace: 'default', name: 'gw' });
    await waitFor(async () => (await kv.revisions(kv.xds)).size === 0, { timeoutMs: 15_000, what: 'the xds keys to go', process: renderer.proc });
    // Only the GatewayClass's own fact stays: the class still exists.
    await waitFor(async () => [...(await kv.revisions(kv.status)).keys()].every((k) => parseStatusKey(k).reporter === 'renderer@class') || undefined, { timeoutMs: 5_000, what: 'the status facts to go' });
    expect((await kv.infra.get(infraKey(gw)))?.operation).not.toBe('PUT');
    expect(await written()).toBeGreaterThan(writtenBefore);
  });

  it('gives a GatewayClass without Gateways its own fact, following its generation', async () => {
    const key = statusKey({ kind: 'GatewayClass', name: 'lonely' }, 'renderer@class');
    await kv.put(b.gatewayClass({ name: 'lonely', controllerName: controllerName(instance), generation: 1 }));
    const first = await waitFor(async () => (await kv.status.get(key))?.json<{ conditions: { type: string; status: string; observedGeneration: number }[] }>(), {
      timeoutMs: 15_000, what: 'the class fact', process: renderer.proc,
    });
    expect(first.conditions[0]).toMatchObject({ type: 'Accepted', status: 'True', observedGeneration: 1 });
    await kv.put(b.gatewayClass({ name: 'lonely', controllerName: controllerName(instance), generation: 2 }));
    await waitFor(async () => (await kv.status.get(key))?.json<{ conditions: { observedGeneration: number }[] }>().conditions[0]?.observedGeneration === 2 || undefined, {
      timeoutMs: 15_000, what: 'observedGeneration 2', process: renderer.proc,
    });
    // Not ours any more: the fact goes.
    await kv.put(b.gatewayClass({ name: 'lonely', controllerName: 'example.com/other', generation: 3 }));
    await waitFor(async () => { const e = await kv.status.get(key); return e === null || e.operation !== 'PUT' || undefined; }, { timeoutMs: 15_000, what: 'the class fact removed' });
  });
});

describe('two renderer replicas', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'mgw-renderer-replicas-'));
  const instance: InstanceName = 'burst';
  const GATEWAYS = 40;
  const gateways = Array.from({ length: GATEWAYS }, (_, i) => ({ namespace: 'default', name: `gw-${i}` }));
  let nats: NatsHandle;
  let kv: InstanceKv;
  const replicas: RendererProcess[] = [];

  beforeAll(async () => {
    nats = await startNats({ name: 'renderer-replicas' });
    kv = await InstanceKv.open(nats, instance);
    await kv.put(b.gatewayClass({ controllerName: controllerName(instance) }));
    await putBackend(kv, 'echo', '10.0.0.1');
    for (const g of gateways) {
      await kv.put(b.gateway({ name: g.name }));
      await kv.put(route(`r-${g.name}`, g.name, '/v0', 'echo'));
    }
    for (const name of ['replica-a', 'replica-b']) replicas.push(await startRenderer({ name, instance, nats, workDir, rendererYaml: FAST_JOBS }));
    await waitFor(async () => (await Promise.all(gateways.map((g) => kv.manifest(g)))).every((m) => m !== undefined), {
      timeoutMs: 60_000,
      what: 'every Gateway rendered',
    });
  }, 180_000);

  afterAll(async () => {
    for (const replica of replicas) await replica.proc.stop().catch(() => undefined);
    await kv?.close();
    await nats?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  const renders = async (): Promise<number> => {
    let sum = 0;
    for (const replica of replicas.filter((r) => !r.proc.hasExited())) {
      for (const result of ['written', 'unchanged', 'stale', 'conflict', 'failed']) sum += await replica.metric('mgw_renderer_renders_total', `result="${result}"`);
    }
    return sum;
  };

  async function routePaths(): Promise<string[]> {
    return Promise.all(
      gateways.map(async (g) => {
        const manifest = await kv.manifest(g);
        const routeConfig = manifest?.resources.find((r) => r.type === 'route');
        if (routeConfig === undefined) return '';
        const entry = await kv.xds.get(xdsResourceKey(g, 'route', routeConfig.name));
        return entry?.string() ?? '';
      }),
    );
  }

  it('renders each job exactly once across the replicas', async () => {
    // Let the startup resyncs settle, then count renders from here.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const before = await renders();
    for (const g of gateways) await kv.put(route(`r-${g.name}`, g.name, '/v1', 'echo'));
    await waitFor(async () => (await routePaths()).every((text) => text.includes('"/v1"')), { timeoutMs: 60_000, what: 'every Gateway at /v1' });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await renders()) - before).toBe(GATEWAYS);
    const perReplica = await Promise.all(replicas.map((r) => r.metric('mgw_renderer_renders_total', 'result="written"')));
    expect(perReplica.every((n) => n > 0)).toBe(true);
  }, 120_000);

  it('loses no job when a replica is SIGKILLed mid-burst', async () => {
    const victim = replicas[1] as RendererProcess;
    const survivor = replicas[0] as RendererProcess;
    const redeliveredBefore = await survivor.metric('mgw_renderer_jobs_redelivered_total');
    for (let round = 2; round <= 3; round++) {
      for (const g of gateways) await kv.put(route(`r-${g.name}`, g.name, `/v${round}`, 'echo'));
    }
    await waitFor(async () => (await routePaths()).every((text) => text.includes('"/v3"')), { timeoutMs: 30_000, what: 'every Gateway at /v3' });
    // Freeze the victim: its open pull request still gets a share of the next jobs, which it takes
    // and never acks (the consumer's ack-pending count shows them). Then kill it: the last version
    // of those Gateways can only be rendered through redelivery to the survivor. Should the victim
    // have had no pull open at that instant, let it run briefly and try the next round.
    let round = 4;
    for (; round < 10; round++) {
      process.kill(victim.proc.pid, 'SIGSTOP');
      for (const g of gateways) await kv.put(route(`r-${g.name}`, g.name, `/v${round}`, 'echo'));
      await new Promise((resolve) => setTimeout(resolve, 500));
      if ((await kv.renderConsumer()).num_ack_pending > 0) break;
      process.kill(victim.proc.pid, 'SIGCONT');
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(round, 'the frozen victim never held a job').toBeLessThan(10);
    process.kill(victim.proc.pid, 'SIGKILL');
    const last = `"/v${round}"`;
    const pending = (await routePaths()).filter((text) => !text.includes(last)).length;
    console.log(`killed a replica mid-burst with ${pending}/${GATEWAYS} Gateways not yet at their last version`);
    const started = Date.now();
    await waitFor(async () => (await routePaths()).every((text) => text.includes(last)), {
      timeoutMs: 60_000,
      what: 'every Gateway at the last version of its route',
      process: survivor.proc,
    });
    console.log(`the survivor finished them ${Date.now() - started} ms later`);
    expect(await survivor.metric('mgw_renderer_jobs_redelivered_total')).toBeGreaterThan(redeliveredBefore);
  }, 120_000);
});
