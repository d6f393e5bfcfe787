// Benchmark of the deployer service (issue 9) on a real kube-apiserver and NATS. Build (`npx tsc -b`
// at the repository root), then run
//   node test/dist/bench/deployer.bench.js [--gateways 1000] [--replicas 1,2] [--samples 5]
// For each replica count R it starts a fresh apiserver, NATS and R deployers, creates the Gateways
// in the apiserver, and prints one table:
//   - deploy: every Gateway's infra entry written at once (as the renderer would after a resync);
//     seconds until all Deployments exist, and until deploys_total{outcome="applied"} (summed over
//     the replicas) reaches the number of Gateways;
//   - status writes per change: one Gateway's renderer fact changes; Gateway status writes across
//     replicas (mean over the samples; 1 is ideal);
//   - writes when nothing changed: every Gateway's facts re-put identical; Gateway status writes
//     across replicas (must be 0);
//   - RSS of each deployer after all of it.
// No controller-manager runs: Deployments get no Pods, so Gateways stay Programmed=False/Pending.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AppsV1Api } from '@kubernetes/client-node';
import type { GatewayRef, InstanceName } from '@microgateway/contracts';
import { startKubeControlPlane, startNats, waitFor } from '../harness/index.js';
import type { KubeControlPlane, NatsHandle } from '../harness/index.js';
import { DeployerKv, GatewayApi, gatewayClassFact, gatewayFact, gatewayInfra, metricSum, startDeployer } from '../deployer/service-fixture.js';
import type { DeployerProcess } from '../deployer/service-fixture.js';

const INSTANCE: InstanceName = 'bench';
const NS = 'bench';
const CLASS = 'microgateway';
const STATUS_WRITES = 'mgw_deployer_status_writes_total';

interface Row {
  gateways: number;
  replicas: number;
  deploymentsSeconds: number;
  appliedSeconds: number;
  applied: number;
  writesPerChange: number;
  writesUnchanged: number;
  rssMiB: number[];
}

async function inParallel<T>(items: readonly T[], width: number, run: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(run));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until a counter stops moving for `quietMs` (the replicas' status work has drained). */
async function settled(read: () => Promise<number>, quietMs = 2_000): Promise<number> {
  let last = await read();
  for (;;) {
    await sleep(quietMs);
    const now = await read();
    if (now === last) return now;
    last = now;
  }
}

class Bench {
  private constructor(
    private readonly kube: KubeControlPlane,
    private readonly nats: NatsHandle,
    private readonly kv: DeployerKv,
    private readonly deployers: DeployerProcess[],
    private readonly workDir: string,
  ) {}

  static async start(replicas: number): Promise<Bench> {
    const workDir = mkdtempSync(join(tmpdir(), 'mgw-deployer-bench-'));
    const kube = await startKubeControlPlane({ crds: 'standard' });
    const nats = await startNats({ name: 'deployer-bench' });
    const kv = await DeployerKv.open(nats, INSTANCE);
    const deployers: DeployerProcess[] = [];
    for (let r = 0; r < replicas; r++) {
      deployers.push(await startDeployer({ name: `deployer-${r}`, instance: INSTANCE, nats, kubeconfigPath: kube.kubeconfigPath, workDir, logLevel: 'warn' }));
    }
    return new Bench(kube, nats, kv, deployers, workDir);
  }

  async run(gateways: number, samples: number): Promise<Row> {
    const api = new GatewayApi(this.kube.kubeConfig());
    const apps = this.kube.kubeConfig().makeApiClient(AppsV1Api);
    await api.namespace(NS);
    await api.gatewayClass(CLASS, INSTANCE);
    const refs: GatewayRef[] = Array.from({ length: gateways }, (_, i) => ({ namespace: NS, name: `gw-${i}` }));
    const uids = new Map<string, string>();
    await inParallel(refs, 32, async (ref) => uids.set(ref.name, (await api.gateway(ref, CLASS)).metadata.uid));
    const proc = this.deployers[0]?.proc;

    // 1. Every infra entry at once.
    const started = performance.now();
    await inParallel(refs, 256, (ref) => this.kv.putInfra(gatewayInfra({ ...ref, uid: uids.get(ref.name) ?? '' })));
    const deploymentCount = async (): Promise<number> => {
      const page = await apps.listNamespacedDeployment({ namespace: NS, limit: 1 });
      return page.items.length + (page.metadata?.remainingItemCount ?? 0);
    };
    await waitFor(async () => (await deploymentCount()) >= gateways, { timeoutMs: 1_800_000, intervalMs: 250, what: 'every Deployment', process: proc });
    const deploymentsSeconds = (performance.now() - started) / 1_000;
    const applied = (): Promise<number> => metricSum(this.deployers, 'mgw_deployer_deploys_total', 'outcome="applied"');
    await waitFor(async () => (await applied()) >= gateways, { timeoutMs: 600_000, intervalMs: 250, what: 'every deploy applied', process: proc });
    const appliedSeconds = (performance.now() - started) / 1_000;
    await waitFor(async () => (await this.kv.deployBacklog()) === 0, { timeoutMs: 600_000, what: 'the deploy queue drained' });

    // 2. Facts for every Gateway, then one fact change at a time.
    const written = (): Promise<number> => metricSum(this.deployers, STATUS_WRITES, 'kind="Gateway"', 'result="written"');
    const unchanged = (): Promise<number> => metricSum(this.deployers, STATUS_WRITES, 'kind="Gateway"', 'result="unchanged"');
    const facts = new Map(refs.map((ref) => [ref.name, gatewayFact(ref, 1)]));
    const putFact = (ref: GatewayRef): Promise<number> => this.kv.putFact(facts.get(ref.name) ?? gatewayFact(ref, 1), ref);
    await this.kv.putFact(gatewayClassFact(CLASS), { namespace: NS, name: 'gw-0' });
    await inParallel(refs, 256, putFact);
    await settled(async () => (await written()) + (await unchanged()));
    let changeWrites = 0;
    for (let s = 0; s < samples; s++) {
      const ref = refs[(s * 97) % refs.length] ?? { namespace: NS, name: 'gw-0' };
      const attachedRoutes = 2 + s;
      facts.set(ref.name, gatewayFact(ref, 1, attachedRoutes));
      const before = await written();
      await putFact(ref);
      await waitFor(async () => (await api.get('Gateway', ref)).status?.listeners?.[0]?.attachedRoutes === attachedRoutes, { timeoutMs: 60_000, what: 'the changed fact written', process: proc });
      changeWrites += (await settled(written, 1_000)) - before;
    }

    // 3. Every fact re-put, identical: every replica reconciles every Gateway and must write nothing.
    const writtenBefore = await written();
    const unchangedBefore = await unchanged();
    await inParallel(refs, 256, putFact);
    await waitFor(async () => (await unchanged()) - unchangedBefore >= gateways * this.deployers.length, { timeoutMs: 600_000, intervalMs: 500, what: 'every re-put fact reconciled', process: proc });
    await settled(async () => (await written()) + (await unchanged()));
    const writesUnchanged = (await written()) - writtenBefore;

    const rssMiB = await Promise.all(this.deployers.map(async (d) => (await d.metric('mgw_process_resident_memory_bytes')) / 2 ** 20));
    return { gateways, replicas: this.deployers.length, deploymentsSeconds, appliedSeconds, applied: await applied(), writesPerChange: changeWrites / samples, writesUnchanged, rssMiB };
  }

  async stop(): Promise<void> {
    for (const deployer of this.deployers) await deployer.proc.stop();
    await this.kv.close();
    await this.nats.stop();
    await this.kube.stop();
    rmSync(this.workDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { gateways: { type: 'string', default: '1000' }, replicas: { type: 'string', default: '1,2' }, samples: { type: 'string', default: '5' } } });
  const rows: Row[] = [];
  for (const replicas of values.replicas.split(',').map(Number)) {
    const bench = await Bench.start(replicas);
    try {
      rows.push(await bench.run(Number(values.gateways), Number(values.samples)));
    } finally {
      await bench.stop();
    }
  }
  console.table(
    rows.map((r) => ({
      gateways: r.gateways,
      replicas: r.replicas,
      'infra written → all Deployments exist': `${r.deploymentsSeconds.toFixed(1)} s`,
      'applied = gateways': `${r.appliedSeconds.toFixed(1)} s (${r.applied})`,
      'status writes per fact change': r.writesPerChange.toFixed(2),
      'status writes, nothing changed': r.writesUnchanged,
      'deployer RSS': r.rssMiB.map((m) => `${m.toFixed(0)} MiB`).join(' / '),
    })),
  );
}

await main();
