// The watcher: reflectors fill the object cache (on every replica, so standbys stay warm); the
// leader turns the cache into KV state and events. Each reconcile selects the instance's world,
// plans against what KV holds and executes the plan with bounded concurrency.
import { setTimeout as sleep } from 'node:timers/promises';
import type { InstanceName } from '@microgateway/contracts';
import type { Logger, ReadinessCheck } from '@microgateway/runtime';
import { ObjectCache } from './core/cache.js';
import type { WatchedKind } from './core/kinds.js';
import { BUILTIN_KINDS } from './core/kinds.js';
import type { MirrorEntry, MirrorOp, Plan } from './core/plan.js';
import { planMirror } from './core/plan.js';
import { selectWorld } from './core/world.js';
import { discoverMicrogatewayKinds } from './kube/discovery.js';
import type { KubeHttp } from './kube/http.js';
import type { ReflectorSink } from './kube/reflector.js';
import { Reflector } from './kube/reflector.js';
import type { WatcherMetrics } from './metrics.js';
import type { Buckets } from './nats/layout.js';
import type { MirrorWriter } from './nats/mirror.js';
import { MirrorConflict, loadBucket } from './nats/mirror.js';

export interface WatcherOptions {
  instance: InstanceName;
  http: KubeHttp;
  buckets: Buckets;
  writer: MirrorWriter;
  logger: Logger;
  metrics: WatcherMetrics;
  writeConcurrency: number;
  listPageSize: number;
  watchTimeoutSeconds: number;
  discoveryIntervalMs: number;
}

const RETRY_AFTER_FAILURE_MS = 1_000;

/** State of one leadership term; a new term starts from what KV holds. */
interface Term {
  readonly id: number;
  /** Objects received before this are resynced, not mirrored live: they do not count for lag. */
  readonly startedAt: number;
  mirrored: Map<string, MirrorEntry> | undefined;
  readonly rejected: Map<string, string>;
}

export class Watcher implements ReflectorSink {
  private readonly cache = new ObjectCache();
  private readonly reflectors = new Map<string, Reflector>();
  private readonly abort = new AbortController();
  private term: Term | undefined;
  private termCounter = 0;
  private pending = false;
  private loop: Promise<void> | undefined;
  private discovery: Promise<void> | undefined;
  private initialSync = false;

  constructor(private readonly o: WatcherOptions) {}

  /** Starts the reflectors (and the discovery of microgateway.dev kinds). */
  async start(): Promise<void> {
    for (const kind of BUILTIN_KINDS) this.addReflector(kind);
    await this.discover().catch((error: unknown) => this.o.logger.warn({ err: error }, 'microgateway.dev discovery failed; retrying later'));
    this.discovery = this.discoverPeriodically();
    void Promise.all([...this.reflectors.values()].map((r) => r.synced())).then(() => {
      this.initialSync = true;
      this.o.logger.info({ objects: this.cache.objects.size }, 'initial list of every kind done');
      this.schedule();
    });
  }

  /** Stops writing and waits for the writes in flight: after this, the Lease can be released. */
  async stopWriting(): Promise<void> {
    this.stopLeading();
    await this.loop;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.stopWriting();
    await Promise.all([...this.reflectors.values()].map((r) => r.stop()));
    await this.discovery;
  }

  readinessCheck: ReadinessCheck = () => {
    if (!this.initialSync) {
      const waiting = [...this.reflectors.values()].filter((r) => !r.hasSynced).map((r) => r.kind.kind);
      return { ready: false, reason: `initial list not done for ${waiting.join(', ')}` };
    }
    return { ready: true };
  };

  // ------------------------------------------------------------------ leadership

  startLeading(): void {
    const term: Term = { id: ++this.termCounter, startedAt: Date.now(), mirrored: undefined, rejected: new Map() };
    this.term = term;
    this.o.metrics.leader.set(1);
    void this.loadMirror(term);
  }

  stopLeading(): void {
    this.term = undefined;
    this.o.metrics.leader.set(0);
  }

  private async loadMirror(term: Term): Promise<void> {
    while (this.term === term && !this.abort.signal.aborted) {
      try {
        const [resources, secrets] = await Promise.all([loadBucket(this.o.buckets.resources, 'resources'), loadBucket(this.o.buckets.secrets, 'secrets')]);
        term.mirrored = new Map([...resources, ...secrets]);
        this.o.logger.info({ keys: term.mirrored.size }, 'read KV; resyncing it with the API server');
        this.schedule();
        return;
      } catch (error) {
        this.o.logger.warn({ err: error }, 'cannot read KV yet; retrying');
        await sleep(RETRY_AFTER_FAILURE_MS, undefined, { signal: this.abort.signal }).catch(() => undefined);
      }
    }
  }

  // ------------------------------------------------------------------ reflector sink

  replace(kind: WatchedKind, objects: unknown[], receivedAt: number): void {
    this.cache.replace(kind, objects, receivedAt);
    this.o.metrics.cached.set({ kind: kind.kind }, this.cache.count(kind.kind));
    this.schedule();
  }

  upsert(kind: WatchedKind, object: unknown, receivedAt: number): void {
    this.cache.upsert(kind, object, receivedAt);
    this.o.metrics.cached.set({ kind: kind.kind }, this.cache.count(kind.kind));
    this.schedule();
  }

  remove(kind: WatchedKind, object: unknown): void {
    this.cache.remove(kind, object);
    this.o.metrics.cached.set({ kind: kind.kind }, this.cache.count(kind.kind));
    this.schedule();
  }

  restarted(kind: WatchedKind, reason: string): void {
    this.o.metrics.watchRestarts.inc({ kind: kind.kind, reason });
  }

  // ------------------------------------------------------------------ discovery

  private addReflector(kind: WatchedKind): void {
    const reflector = new Reflector({
      http: this.o.http,
      kind,
      sink: this,
      logger: this.o.logger,
      pageSize: this.o.listPageSize,
      watchTimeoutSeconds: this.o.watchTimeoutSeconds,
    });
    this.reflectors.set(kind.kind, reflector);
    reflector.start();
  }

  private async discover(): Promise<void> {
    const kinds = await discoverMicrogatewayKinds(this.o.http, this.abort.signal);
    const wanted = new Map(kinds.map((k) => [k.kind, k]));
    const builtin = new Set(BUILTIN_KINDS.map((k) => k.kind));
    for (const [name, kind] of wanted) {
      const current = this.reflectors.get(name);
      if (current && current.kind.version === kind.version) continue;
      if (current) await current.stop();
      this.o.logger.info({ kind: name, version: kind.version }, 'watching microgateway.dev kind');
      this.addReflector(kind);
    }
    for (const [name, reflector] of this.reflectors) {
      if (builtin.has(name) || wanted.has(name)) continue;
      this.o.logger.info({ kind: name }, 'microgateway.dev kind is no longer served; forgetting its objects');
      await reflector.stop();
      this.reflectors.delete(name);
      this.replace(reflector.kind, [], Date.now());
    }
    this.cache.setExtensionKinds([...wanted.keys()]);
  }

  private async discoverPeriodically(): Promise<void> {
    while (!this.abort.signal.aborted) {
      await sleep(this.o.discoveryIntervalMs, undefined, { signal: this.abort.signal }).catch(() => undefined);
      if (this.abort.signal.aborted) return;
      await this.discover().catch((error: unknown) => this.o.logger.warn({ err: error }, 'microgateway.dev discovery failed'));
    }
  }

  // ------------------------------------------------------------------ reconcile

  /** Asks for a reconcile; deliveries arriving meanwhile are folded into the next one. */
  private schedule(): void {
    this.pending = true;
    this.loop ??= this.runLoop().finally(() => (this.loop = undefined));
  }

  private async runLoop(): Promise<void> {
    // Let a burst of watch events land before planning: one plan covers all of them.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.pending && !this.abort.signal.aborted) {
      this.pending = false;
      const term = this.term;
      if (!this.initialSync || term?.mirrored === undefined) return;
      const ok = await this.reconcile(term, term.mirrored);
      if (!ok) {
        this.pending = true;
        await sleep(RETRY_AFTER_FAILURE_MS, undefined, { signal: this.abort.signal }).catch(() => undefined);
      }
    }
  }

  private async reconcile(term: Term, mirrored: Map<string, MirrorEntry>): Promise<boolean> {
    const touched = this.cache.takeTouched();
    const world = selectWorld(this.o.instance, this.cache);
    const plan = planMirror({ world, objects: this.cache.objects, mirrored, rejected: term.rejected });
    this.countSuppressed(plan, touched);
    if (plan.ops.length === 0) return true;
    let ok = true;
    const queue = [...plan.ops];
    const worker = async (): Promise<void> => {
      for (let op = queue.shift(); op !== undefined && this.term === term; op = queue.shift()) {
        if (!(await this.executeOne(term, mirrored, op))) ok = false;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.o.writeConcurrency, queue.length) }, worker));
    return ok;
  }

  private countSuppressed(plan: Plan, touched: ReadonlySet<string>): void {
    for (const key of touched) {
      const object = this.cache.objects.get(key);
      if (object && plan.unchanged.has(key)) this.o.metrics.suppressed.inc({ kind: object.ref.kind });
    }
  }

  private async executeOne(term: Term, mirrored: Map<string, MirrorEntry>, op: MirrorOp): Promise<boolean> {
    try {
      const result = await this.o.writer.execute(op);
      if (result.entry) mirrored.set(op.key, result.entry);
      else if (op.op === 'delete') mirrored.delete(op.key);
      if (op.op === 'reject') term.rejected.set(op.key, op.current.resourceVersion ?? '');
      else term.rejected.delete(op.key);
      this.record(term, op);
      return true;
    } catch (error) {
      if (error instanceof MirrorConflict) {
        this.o.metrics.conflicts.inc();
        this.o.logger.warn({ key: op.key }, 'KV changed under us (another writer?); re-reading the key');
        const entry = await this.o.writer.reread(op.key).catch(() => undefined);
        if (entry) mirrored.set(op.key, entry);
        else mirrored.delete(op.key);
      } else {
        this.o.logger.error({ err: error, key: op.key, op: op.op }, 'mirroring failed; will retry');
      }
      return false;
    }
  }

  private record(term: Term, op: MirrorOp): void {
    const kind = op.op === 'delete' ? op.ref.kind : op.current.ref.kind;
    const operation = op.op === 'put' ? (op.previous ? 'update' : 'create') : op.op;
    this.o.metrics.mirrored.inc({ kind, operation });
    if (op.op === 'put' && op.current.receivedAt >= term.startedAt) this.o.metrics.lag.observe((Date.now() - op.current.receivedAt) / 1000);
    this.o.logger.debug({ key: op.key, op: operation }, 'mirrored');
  }
}
