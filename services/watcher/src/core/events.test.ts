import { microgatewayEventSchema } from '@microgateway/contracts';
import { describe, expect, it } from 'vitest';
import type { WatchedKind } from './kinds.js';
import { BUILTIN_KINDS } from './kinds.js';
import type { CachedObject } from './objects.js';
import { ingestObject } from './objects.js';
import { eventFor, eventMessageId } from './events.js';
import type { MirrorOp } from './plan.js';

const secretKind = BUILTIN_KINDS.find((k) => k.kind === 'Secret') as WatchedKind;
const secret = ingestObject(secretKind, { metadata: { name: 'tls', namespace: 'edge', resourceVersion: '9' }, data: { 'tls.key': 'c2VjcmV0' } }, 0) as CachedObject;
const context = { instance: 'default', id: 'e1', time: new Date('2026-01-01T00:00:00Z') };
const previous = { key: secret.key, bucket: 'secrets' as const, revision: 4, object: {}, digest: `sha256:${'0'.repeat(64)}` };

describe('watcher events', () => {
  it('announce changes with versions, digests and changed fields, and never the payload', () => {
    const op: MirrorOp = { op: 'put', key: secret.key, bucket: 'secrets', current: secret, previous, changedFields: ['data'] };
    const event = eventFor(op, context);
    expect(microgatewayEventSchema.parse(event)).toEqual(event);
    expect(event).toMatchObject({
      type: 'dev.microgateway.resource.changed',
      source: 'urn:microgateway:default:watcher',
      subject: 'Secret/edge/tls',
      data: { kind: 'Secret', namespace: 'edge', name: 'tls', resourceVersion: '9', digest: secret.digest, previousDigest: previous.digest, changedFields: ['data'] },
    });
    expect(JSON.stringify(event)).not.toContain('c2VjcmV0');
  });

  it('announce deletes and rejections', () => {
    const deleted = eventFor({ op: 'delete', key: secret.key, bucket: 'secrets', ref: secret.ref, previous, current: undefined }, context);
    expect(deleted).toMatchObject({ type: 'dev.microgateway.resource.deleted', data: { name: 'tls', lastDigest: previous.digest } });
    const problems = [{ field: 'data.x', reason: 'InvalidType', message: 'expected string' }];
    const rejected = eventFor({ op: 'reject', key: secret.key, current: secret, problems }, context);
    expect(rejected).toMatchObject({ type: 'dev.microgateway.resource.rejected', data: { problems } });
  });

  it('name each transition by a message id that a replaying leader reproduces', () => {
    const put: MirrorOp = { op: 'put', key: secret.key, bucket: 'secrets', current: secret, previous, changedFields: [] };
    expect(eventMessageId(put)).toBe('changed:Secret.edge.tls:4:9');
    expect(eventMessageId({ ...put, previous: undefined })).toBe('changed:Secret.edge.tls:0:9');
    expect(eventMessageId({ op: 'delete', key: secret.key, bucket: 'secrets', ref: secret.ref, previous, current: undefined })).toBe('deleted:Secret.edge.tls:4');
  });
});
