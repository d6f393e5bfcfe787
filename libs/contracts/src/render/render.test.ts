import { describe, expect, it } from 'vitest';
import { parseRendererStatusReporter, renderJobMessageId, renderJobSchema, rendererStatusReporter, revisionsCover, xdsManifestSchema } from './index.js';

const gateway = { namespace: 'prod', name: 'edge.example' };

describe('render contracts', () => {
  it('orders input revisions: a render is newer only when it has seen everything the other saw', () => {
    expect(revisionsCover({ resources: 5, secrets: 2 }, { resources: 5, secrets: 2 })).toBe(true);
    expect(revisionsCover({ resources: 6, secrets: 2 }, { resources: 5, secrets: 2 })).toBe(true);
    expect(revisionsCover({ resources: 6, secrets: 1 }, { resources: 5, secrets: 2 })).toBe(false);
  });

  it('gives the same message id to the same change seen by two replicas, another to another change', () => {
    const job = { gateway, reason: 'resource-changed' as const, after: { resources: 42, secrets: 0 }, requestedAt: '2026-01-01T00:00:00Z' };
    const later = { ...job, requestedAt: '2026-01-01T00:00:09Z' };
    expect(renderJobMessageId(job)).toBe(renderJobMessageId(later));
    expect(renderJobMessageId(job)).not.toBe(renderJobMessageId({ ...job, after: { resources: 43, secrets: 0 } }));
    expect(renderJobSchema.safeParse(job).success).toBe(true);
    expect(renderJobSchema.safeParse({ ...job, reason: 'because' }).success).toBe(false);
  });

  it('names one status reporter per Gateway and parses it back', () => {
    expect(parseRendererStatusReporter(rendererStatusReporter(gateway))).toEqual(gateway);
    expect(parseRendererStatusReporter('deployer')).toBeUndefined();
  });

  it('accepts only served xDS types and sha256 digests in a manifest', () => {
    const digest = `sha256:${'ab'.repeat(32)}`;
    const manifest = { gateway, version: 'abc', digest, inputs: { resources: 1, secrets: 0 }, resources: [{ type: 'cluster', name: 'default/echo/8080', digest }], statusDigest: digest };
    expect(xdsManifestSchema.safeParse(manifest).success).toBe(true);
    expect(xdsManifestSchema.safeParse({ ...manifest, resources: [{ type: 'scoped-route', name: 'x', digest }] }).success).toBe(false);
    expect(xdsManifestSchema.safeParse({ ...manifest, statusDigest: 'md5:0' }).success).toBe(false);
  });
});
