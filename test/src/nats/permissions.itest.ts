// The NATS users deploy/ ships (issue 14), loaded into a real nats-server exactly as written, with
// the passwords in the server's environment: every owner can build its streams, and every user is
// refused — with the server's own "Permissions Violation" — what its job does not need.
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BucketPurpose, EventType, JobKind, NatsRole } from '@microgateway/contracts';
import {
  AUDITOR_CONSUMER_NAME,
  BUCKETS,
  JOB_KINDS,
  NATS_AUTHORIZATION_FILE,
  NATS_ROLES,
  bucketName,
  eventSubject,
  eventsStreamName,
  jobConsumerName,
  jobStreamName,
  jobSubject,
  jobSubjectFilter,
  kvStreamName,
  natsIdentity,
  natsInboxPrefix,
  natsPasswordVariable,
} from '@microgateway/contracts';
import { ensureEventsStream } from '@microgateway/runtime';
import { AckPolicy, RetentionPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startProcess, waitFor } from '../harness/index.js';
import type { ProcessHandle } from '../harness/index.js';
import { repoRoot, toolPaths } from '../toolchain/paths.js';

const I = 'default';
const VIOLATION = /Permissions Violation/;
const passwords = Object.fromEntries(NATS_ROLES.map((role) => [role, randomBytes(12).toString('hex')])) as Record<NatsRole, string>;

/** Who may create each stream: the one writer of a bucket or queue; the events stream by each service that ensures it. */
const STREAM_OWNERS: [string, NatsRole[]][] = [
  [eventsStreamName(I), ['watcher', 'renderer', 'deployer']],
  ...BUCKETS.map((b): [string, NatsRole[]] => [kvStreamName(I, b), b === 'resources' || b === 'secrets' ? ['watcher'] : ['renderer']]),
  ...JOB_KINDS.map((k): [string, NatsRole[]] => [jobStreamName(I, k), [({ render: 'renderer', deploy: 'deployer', cert: 'ca' } as const)[k]]]),
];

describe('the shipped NATS users in a real nats-server', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'mgw-nats-perm-'));
  let proc: ProcessHandle;
  let url = '';
  const nc = {} as Record<NatsRole, NatsConnection>;

  const login = (role: NatsRole, pass = passwords[role]): Promise<NatsConnection> => {
    const { user, inboxPrefix } = natsIdentity(I, role);
    return connect({ servers: url, user, pass, inboxPrefix, name: user, reconnect: false, timeout: 2_000 });
  };
  const kv = (role: NatsRole, bucket: BucketPurpose) => new Kvm(jetstream(nc[role])).open(bucketName(I, bucket));
  const put = async (role: NatsRole, bucket: BucketPurpose): Promise<unknown> => (await kv(role, bucket)).put('Gateway.demo.edge', '{}');
  const get = async (role: NatsRole, bucket: BucketPurpose): Promise<unknown> => (await kv(role, bucket)).get('Gateway.demo.edge');
  const watch = async (role: NatsRole, bucket: BucketPurpose): Promise<unknown> => (await kv(role, bucket)).watch();
  const publishEvent = (role: NatsRole, type: EventType): Promise<unknown> =>
    jetstream(nc[role]).publish(eventSubject(I, type.replace('dev.microgateway.', ''), { kind: 'Gateway', namespace: 'demo', name: 'edge' }), '{}', { timeout: 2_000 });
  const enqueue = (role: NatsRole, kind: JobKind): Promise<unknown> => jetstream(nc[role]).publish(jobSubject(I, kind, { namespace: 'demo', name: 'edge' }), '{}', { timeout: 2_000 });
  const pullJobs = async (role: NatsRole, kind: JobKind): Promise<unknown> => (await jetstream(nc[role]).consumers.get(jobStreamName(I, kind), jobConsumerName(kind))).next({ expires: 1_000 });

  /** Resolves with the server's refusal; fails the test when the attempt succeeds. */
  const refused = async (what: string, attempt: () => Promise<unknown>): Promise<void> => {
    const error = await attempt().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message, `${what} was allowed`).toMatch(VIOLATION);
  };

  beforeAll(async () => {
    copyFileSync(join(repoRoot(), 'deploy/base/nats', NATS_AUTHORIZATION_FILE), join(workDir, NATS_AUTHORIZATION_FILE));
    const port = await freePort();
    url = `nats://127.0.0.1:${port}`;
    writeFileSync(join(workDir, 'nats.conf'), [`listen: "127.0.0.1:${port}"`, `jetstream { store_dir: ${JSON.stringify(join(workDir, 'js'))} }`, `include "${NATS_AUTHORIZATION_FILE}"`, ''].join('\n'));
    proc = startProcess({
      name: 'nats-server',
      command: toolPaths().natsServer,
      args: ['-c', join(workDir, 'nats.conf')],
      logFile: join(workDir, 'nats.log'),
      env: Object.fromEntries(NATS_ROLES.map((role) => [natsPasswordVariable(I, role), passwords[role]])),
    });
    await waitFor(async () => (await login('watcher').then((c) => c.close().then(() => true), () => false)) || undefined, { timeoutMs: 20_000, what: 'nats-server', process: proc });
    for (const role of NATS_ROLES) nc[role] = await login(role);

    // Each owner builds its part of the layout, as the services do.
    const jsm = async (role: NatsRole) => jetstreamManager(nc[role]);
    await ensureEventsStream(await jsm('watcher'), I, { maxAgeMs: 3_600_000 });
    for (const bucket of ['resources', 'secrets'] as const) await new Kvm(jetstream(nc.watcher)).create(bucketName(I, bucket), { history: 1 });
    for (const bucket of ['xds', 'infra', 'status'] as const) await new Kvm(jetstream(nc.renderer)).create(bucketName(I, bucket), { history: 1 });
    for (const [kind, role] of [['render', 'renderer'], ['deploy', 'deployer'], ['cert', 'ca']] as const) {
      const manager = await jsm(role);
      await manager.streams.add({ name: jobStreamName(I, kind), subjects: [jobSubjectFilter(I, kind)], retention: RetentionPolicy.Workqueue });
      await manager.consumers.add(jobStreamName(I, kind), { durable_name: jobConsumerName(kind), ack_policy: AckPolicy.Explicit, filter_subject: jobSubjectFilter(I, kind) });
    }
    await put('watcher', 'resources');
    await put('watcher', 'secrets');
    for (const bucket of ['xds', 'infra', 'status'] as const) await put('renderer', bucket);
  }, 60_000);

  afterAll(async () => {
    for (const connection of Object.values(nc)) await connection.close().catch(() => undefined);
    await proc?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('reads the passwords from the server environment, not the file', async () => {
    const error = await login('watcher', `$${natsPasswordVariable(I, 'watcher')}`).then(
      (c) => c.close().then(() => undefined),
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/Authorization Violation/i);
  });

  it('lets each owner do its job: write its buckets, enqueue and pull its jobs, publish its events', async () => {
    for (const [role, bucket] of [['watcher', 'resources'], ['watcher', 'secrets'], ['renderer', 'xds'], ['renderer', 'infra'], ['renderer', 'status']] as const) {
      expect(await get(role, bucket), `${role} reads ${bucket}`).not.toBeNull();
    }
    for (const [role, bucket] of [['renderer', 'resources'], ['renderer', 'secrets'], ['ca', 'infra'], ['deployer', 'infra'], ['deployer', 'status']] as const) {
      expect(await get(role, bucket), `${role} reads ${bucket}`).not.toBeNull();
      (await watch(role, bucket) as { stop(): void }).stop();
    }
    for (const [role, kind] of [['renderer', 'render'], ['deployer', 'deploy'], ['ca', 'cert']] as const) {
      await enqueue(role, kind);
      const job = await pullJobs(role, kind);
      expect(job, `${role} pulls its ${kind} job`).not.toBeNull();
      (job as { ack(): void }).ack();
    }
    for (const [role, type] of [
      ['watcher', 'dev.microgateway.resource.changed'], ['renderer', 'dev.microgateway.config.rendered'], ['deployer', 'dev.microgateway.infra.applied'], ['ca', 'dev.microgateway.certificate.issued'],
    ] as const) await publishEvent(role, type);
  });

  it('refuses to create a stream or bucket to everyone but its owner', async () => {
    for (const [stream, owners] of STREAM_OWNERS) {
      for (const role of NATS_ROLES.filter((r) => !owners.includes(r))) {
        await refused(`${role} creating ${stream}`, () => nc[role].request(`$JS.API.STREAM.CREATE.${stream}`, JSON.stringify({ name: stream }), { timeout: 2_000 }));
        await refused(`${role} deleting ${stream}`, () => nc[role].request(`$JS.API.STREAM.DELETE.${stream}`, '', { timeout: 2_000 }));
      }
    }
  });

  it('keeps the watcher to its own buckets and events', async () => {
    for (const bucket of ['xds', 'infra', 'status'] as const) await refused(`watcher writing ${bucket}`, () => put('watcher', bucket));
    await refused('watcher publishing config.rendered', () => publishEvent('watcher', 'dev.microgateway.config.rendered'));
    await refused('watcher enqueueing a render job', () => enqueue('watcher', 'render'));
  });

  it('lets the renderer read but not write the watcher\'s buckets', async () => {
    for (const bucket of ['resources', 'secrets'] as const) await refused(`renderer writing ${bucket}`, () => put('renderer', bucket));
    await refused('renderer publishing resource.changed', () => publishEvent('renderer', 'dev.microgateway.resource.changed'));
    await refused('renderer enqueueing a deploy job', () => enqueue('renderer', 'deploy'));
    await refused('renderer pulling cert jobs', () => pullJobs('renderer', 'cert'));
  });

  it('keeps the secrets bucket from the deployer, the ca and the auditor', async () => {
    for (const role of ['deployer', 'ca', 'auditor'] as const) {
      await refused(`${role} reading secrets`, () => get(role, 'secrets'));
      await refused(`${role} watching secrets`, () => watch(role, 'secrets'));
    }
  });

  it('lets the deployer and the ca only read what they consume', async () => {
    await refused('deployer reading resources', () => get('deployer', 'resources'));
    await refused('deployer writing infra', () => put('deployer', 'infra'));
    await refused('deployer pulling render jobs', () => pullJobs('deployer', 'render'));
    for (const bucket of ['xds', 'infra', 'status', 'resources'] as const) await refused(`ca writing ${bucket}`, () => put('ca', bucket));
    await refused('ca reading status', () => get('ca', 'status'));
    await refused('ca reading xds', () => get('ca', 'xds'));
    await refused('ca publishing infra.applied', () => publishEvent('ca', 'dev.microgateway.infra.applied'));
  });

  it('lets the auditor read events through its consumer and nothing else', async () => {
    const jsm = await jetstreamManager(nc.auditor, { checkAPI: false });
    await jsm.consumers.add(eventsStreamName(I), { durable_name: AUDITOR_CONSUMER_NAME, ack_policy: AckPolicy.Explicit });
    const events = await jetstream(nc.auditor).consumers.get(eventsStreamName(I), AUDITOR_CONSUMER_NAME);
    const first = await events.next({ expires: 2_000 });
    expect(first?.subject).toMatch(/^mgw\.default\.events\./);
    first?.ack();
    await refused('auditor publishing an event', () => publishEvent('auditor', 'dev.microgateway.resource.changed'));
    for (const bucket of BUCKETS) await refused(`auditor reading ${bucket}`, () => get('auditor', bucket));
    await refused('auditor writing resources', () => put('auditor', 'resources'));
    await refused('auditor pulling render jobs', () => pullJobs('auditor', 'render'));
    await refused('auditor creating another consumer on the events stream', () => jsm.consumers.add(eventsStreamName(I), { durable_name: 'other', ack_policy: AckPolicy.Explicit }));
  });

  it('keeps every inbox private: nobody subscribes to or answers on another user\'s inbox', async () => {
    for (const role of NATS_ROLES) {
      for (const subject of [...NATS_ROLES.filter((r) => r !== role).map((r) => `${natsInboxPrefix(I, r)}.>`), '_INBOX.>', '>']) {
        const sub = nc[role].subscribe(subject);
        await nc[role].flush();
        const closed = await Promise.race([sub.closed, new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), 2_000))]);
        expect(closed instanceof Error ? closed.message : closed, `${role} subscribing to ${subject}`).toMatch(VIOLATION);
      }
      const other = NATS_ROLES.find((r) => r !== role) as NatsRole;
      await refused(`${role} publishing on ${other}'s inbox`, () => nc[role].request(`${natsInboxPrefix(I, other)}.x`, '', { timeout: 2_000 }));
    }
  }, 120_000);
});
