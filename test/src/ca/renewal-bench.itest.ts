// Benchmark (opt-in: MGW_CA_BENCH=1, ~4 minutes): N Gateways (1,000 by default) on two ca replicas,
// each certificate renewed once, end to end — renewal timer, cert job, new key and certificate,
// Secret written, `certificate.renewed` event. Reports issuance throughput and how far each
// renewal landed behind its scheduled time; fails if a renewal is missing or issued twice.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { infraKey, type InstanceName } from '@microgateway/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts, waitFor, type ProcessHandle } from '../harness/index.js';
import { CaTestEnvironment, ignoreConflict, prepareInstance, readEvents, startCa, type InstanceNats } from './setup.js';

const GATEWAYS = Number(process.env.MGW_CA_BENCH_GATEWAYS ?? 1_000);
const NAMESPACES = 20;
const RENEW_EVERY_S = 90;
const LIFETIME_S = 240;

interface CertEvent {
  type: string;
  time: string;
  data: { gateway?: { namespace: string; name: string }; serial: string; notBefore: string };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

describe.skipIf(!process.env.MGW_CA_BENCH)(`benchmark: ${GATEWAYS} renewals end to end`, () => {
  const workDir = mkdtempSync(join(tmpdir(), 'mgw-ca-bench-'));
  const instance: InstanceName = 'bench';
  let env: CaTestEnvironment;
  let inst: InstanceNats;
  const replicas: ProcessHandle[] = [];

  beforeAll(async () => {
    env = await CaTestEnvironment.start(workDir);
    inst = await prepareInstance(env.nats, instance);
    const configYaml = `certificates: {bootstrapLifetimeSeconds: ${LIFETIME_S}, renewEverySeconds: ${RENEW_EVERY_S}}`;
    const ports = await freePorts(2);
    replicas.push(...(await Promise.all(ports.map((port, i) => startCa({ instance, workDir, nats: env.nats, kubeconfig: env.kubeconfig, port, configYaml, name: `bench-${i}`, logLevel: 'warn' })))));
    for (let n = 0; n < NAMESPACES; n++) await ignoreConflict(env.core.createNamespace({ body: { metadata: { name: `bench-${n}` } } }));
  });

  afterAll(async () => {
    for (const replica of replicas) await replica.stop().catch(() => undefined);
    await inst?.nc.close();
    await env?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  async function events(type: string): Promise<CertEvent[]> {
    return (await readEvents(inst.nc, instance)).map((text) => JSON.parse(text) as CertEvent).filter((e) => e.type === type && e.data.gateway);
  }

  it('renews every certificate once, close to its renewal time', { timeout: 900_000 }, async () => {
    const started = Date.now();
    const gateways = Array.from({ length: GATEWAYS }, (_, i) => ({ namespace: `bench-${i % NAMESPACES}`, name: `gw-${i}` }));
    await Promise.all(gateways.map((g, i) => inst.infra.put(infraKey(g), JSON.stringify({ gateway: { ...g, uid: `uid-${i}` } }))));
    const issued = await waitFor(async () => ((await events('dev.microgateway.certificate.issued')).length >= GATEWAYS ? events('dev.microgateway.certificate.issued') : undefined), {
      timeoutMs: 600_000, what: `${GATEWAYS} issued events`, intervalMs: 1_000,
    });
    const issuedSpanS = (Math.max(...issued.map((e) => Date.parse(e.time))) - started) / 1_000;
    console.log(`issued ${GATEWAYS} certificates in ${issuedSpanS.toFixed(1)} s: ${(GATEWAYS / issuedSpanS).toFixed(1)} certificates/s (2 replicas)`);

    const renewed = await waitFor(async () => ((await events('dev.microgateway.certificate.renewed')).length >= GATEWAYS ? events('dev.microgateway.certificate.renewed') : undefined), {
      timeoutMs: 600_000, what: `${GATEWAYS} renewed events`, intervalMs: 1_000,
    });
    const key = (e: CertEvent): string => `${e.data.gateway?.namespace}/${e.data.gateway?.name}`;
    const firstByGateway = new Map(issued.map((e) => [key(e), e]));
    const renewalsPerGateway = new Map<string, CertEvent[]>();
    for (const event of renewed) renewalsPerGateway.set(key(event), [...(renewalsPerGateway.get(key(event)) ?? []), event]);
    const lagsS: number[] = [];
    for (const [gateway, [firstRenewal]] of renewalsPerGateway) {
      const first = firstByGateway.get(gateway);
      if (first && firstRenewal) lagsS.push((Date.parse(firstRenewal.time) - (Date.parse(first.data.notBefore) + RENEW_EVERY_S * 1_000)) / 1_000);
    }
    lagsS.sort((a, b) => a - b);
    const windowS = (Math.max(...renewed.map((e) => Date.parse(e.time))) - Math.min(...renewed.map((e) => Date.parse(e.time)))) / 1_000;
    console.log(
      `renewed ${renewed.length} certificates over ${windowS.toFixed(1)} s; lag behind schedule p50 ${percentile(lagsS, 50).toFixed(2)} s, ` +
        `p99 ${percentile(lagsS, 99).toFixed(2)} s, max ${(lagsS.at(-1) ?? Number.NaN).toFixed(2)} s`,
    );
    expect(renewalsPerGateway.size).toBe(GATEWAYS);
    expect(firstByGateway.size).toBe(GATEWAYS);
    expect(issued).toHaveLength(GATEWAYS);
    // Renewed once per certificate: a later renewal of the same Gateway renews the next certificate.
    for (const [gateway, renewals] of renewalsPerGateway) {
      const times = renewals.map((e) => Date.parse(e.data.notBefore)).sort((a, b) => a - b);
      for (let i = 1; i < times.length; i++) expect((times[i] ?? 0) - (times[i - 1] ?? 0), gateway).toBeGreaterThanOrEqual((RENEW_EVERY_S - 1) * 1_000);
    }
    // Never early: the renewal timer fires at notBefore + renewEvery (whole seconds).
    expect(lagsS[0]).toBeGreaterThanOrEqual(-1);
  });
});
