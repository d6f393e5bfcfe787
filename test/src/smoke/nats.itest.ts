// NATS with JetStream as the services use it: KV put/watch, per-user subject permissions, and
// JetStream data surviving a server restart. Runs once per available backend.
import { Kvm } from '@nats-io/kv';
import type { KvWatchEntry } from '@nats-io/kv';
import { connect, PermissionViolationError } from '@nats-io/transport-node';
import type { NatsConnection, Status } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveBackends, startNatsOn } from '../harness/index.js';
import type { NatsHandle, NatsUser } from '../harness/index.js';

const limited: NatsUser = {
  user: 'limited',
  password: 'limited-secret',
  permissions: {
    publish: { allow: ['allowed.>'], deny: ['allowed.secret'] },
    subscribe: { allow: ['allowed.>', '_INBOX.>'], deny: ['allowed.secret'] },
  },
};

const backends = await resolveBackends();

describe.each(backends)('NATS on the %s backend', (backend) => {
  let nats: NatsHandle;
  const connections: NatsConnection[] = [];

  const connectAs = async (user: { user: string; password: string }): Promise<NatsConnection> => {
    const nc = await connect({ servers: nats.url, user: user.user, pass: user.password });
    connections.push(nc);
    return nc;
  };
  const admin = (): Promise<NatsConnection> => connectAs(nats.admin);

  beforeAll(async () => {
    const started = Date.now();
    nats = await startNatsOn(backend, { users: [limited], name: `smoke-${backend}` });
    console.info(`[smoke] NATS (${backend}) ready in ${Date.now() - started} ms at ${nats.url}`);
  });

  afterAll(async () => {
    await Promise.all(connections.map((nc) => nc.close().catch(() => undefined)));
    await nats?.stop();
  });

  it('delivers a KV put to a KV watch', async () => {
    const nc = await admin();
    const kv = await new Kvm(nc).create('smoke-watch');
    const watch = await kv.watch({ key: 'greeting' });
    const seen = (async (): Promise<KvWatchEntry | undefined> => {
      for await (const entry of watch) if (entry.operation === 'PUT') return entry;
      return undefined;
    })();
    await kv.put('greeting', 'hello');
    const entry = await seen;
    watch.stop();
    expect(entry?.key).toBe('greeting');
    expect(entry?.string()).toBe('hello');
  });

  it('lets a user publish and subscribe on allowed subjects', async () => {
    const [nc, adminNc] = [await connectAs(limited), await admin()];
    const fromAdmin = nc.subscribe('allowed.inbound', { max: 1 });
    const fromLimited = adminNc.subscribe('allowed.outbound', { max: 1 });
    await Promise.all([nc.flush(), adminNc.flush()]);
    adminNc.publish('allowed.inbound', 'to limited');
    nc.publish('allowed.outbound', 'from limited');
    expect(await firstMessage(fromAdmin)).toBe('to limited');
    expect(await firstMessage(fromLimited)).toBe('from limited');
  });

  it('refuses a publish the user is denied, and does not deliver it', async () => {
    const [nc, adminNc] = [await connectAs(limited), await admin()];
    const errors = collectErrors(nc);
    const observer = adminNc.subscribe('allowed.secret', { max: 1 });
    await adminNc.flush();
    nc.publish('allowed.secret', 'leak');
    await nc.flush();
    const error = await errors.next(5_000);
    expect(error).toBeInstanceOf(PermissionViolationError);
    expect((error as PermissionViolationError).operation).toBe('publish');
    expect((error as PermissionViolationError).subject).toBe('allowed.secret');
    // The permission error came back after the server dropped the message; give delivery a moment anyway.
    expect(await firstMessage(observer, 500)).toBeUndefined();
  });

  it('refuses a subscription the user is denied', async () => {
    const nc = await connectAs(limited);
    const sub = nc.subscribe('forbidden.things');
    await nc.flush();
    const closed = await withTimeout(sub.closed, 5_000);
    expect(closed).toBeInstanceOf(PermissionViolationError);
    expect((closed as PermissionViolationError).operation).toBe('subscription');
  });

  it('keeps KV data across restart()', async () => {
    const before = await admin();
    const kv = await new Kvm(before).create('smoke-durable');
    await kv.put('kept', 'across restarts');
    await before.close();

    await nats.restart();

    const after = await admin();
    const entry = await (await new Kvm(after).open('smoke-durable')).get('kept');
    expect(entry?.string()).toBe('across restarts');
  });
});

async function firstMessage(sub: AsyncIterable<{ string(): string }>, timeoutMs = 5_000): Promise<string | undefined> {
  const first = (async (): Promise<string | undefined> => {
    for await (const msg of sub) return msg.string();
    return undefined;
  })();
  return withTimeout(first, timeoutMs);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([promise, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms).unref())]);
}

/** The asynchronous errors the server reports on a connection (permission violations among them). */
function collectErrors(nc: NatsConnection): { next(timeoutMs: number): Promise<Error | undefined> } {
  const iterator = nc.status()[Symbol.asyncIterator]();
  return {
    async next(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const result = await withTimeout(iterator.next(), deadline - Date.now());
        if (!result || result.done) return undefined;
        const status: Status = result.value;
        if (status.type === 'error') return status.error;
      }
      return undefined;
    },
  };
}
