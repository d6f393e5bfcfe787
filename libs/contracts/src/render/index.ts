import { z } from 'zod';
import { digestSchema, gatewayRefSchema } from '../events/data.js';
import type { GatewayRef } from '../keys.js';
import type { XdsTypeShort } from '../xds-keys.js';
import { XDS_TYPE_SHORTS } from '../xds-keys.js';

/**
 * The renderer's payloads: render jobs (work-queue stream `jobStreamName(i, 'render')`, subject
 * `jobSubject(i, 'render', gateway)`) and the per-Gateway manifest in KV `xds`.
 */

/**
 * The revisions of the two input buckets (`resources`, `secrets`) a render saw. KV revisions are
 * stream sequences, so they only grow: a render from higher revisions on both is newer.
 */
export const inputRevisionsSchema = z.strictObject({
  resources: z.number().int().nonnegative(),
  secrets: z.number().int().nonnegative(),
});
export type InputRevisions = z.infer<typeof inputRevisionsSchema>;

/** True when `a` has seen at least everything `b` has. */
export function revisionsCover(a: InputRevisions, b: InputRevisions): boolean {
  return a.resources >= b.resources && a.secrets >= b.secrets;
}

export const RENDER_JOB_REASONS = [
  /** An input of the Gateway changed. */
  'resource-changed',
  /** A replica started and re-checks every Gateway (changes made while no renderer ran). */
  'resync',
  /** A concurrent render may have overwritten newer keys: rewrite every key, not only the changed ones. */
  'repair',
] as const;
export const renderJobReasonSchema = z.enum(RENDER_JOB_REASONS);
export type RenderJobReason = z.infer<typeof renderJobReasonSchema>;

export const renderJobSchema = z.strictObject({
  gateway: gatewayRefSchema,
  reason: renderJobReasonSchema,
  /**
   * The input revisions the enqueuing replica had seen. The worker renders only once its own cache
   * has caught up with them, so a job never renders a state older than the change that caused it.
   */
  after: inputRevisionsSchema,
  /** RFC 3339; when the job was enqueued (for latency metrics and logs). */
  requestedAt: z.iso.datetime({ offset: true }),
});
export type RenderJob = z.infer<typeof renderJobSchema>;

/**
 * The JetStream message id of a render job: every replica that sees the same input revisions
 * enqueues the same id for a Gateway, so JetStream keeps one job within its duplicate window.
 */
export function renderJobMessageId(job: Pick<RenderJob, 'gateway' | 'reason' | 'after'>): string {
  return `render/${job.gateway.namespace}/${job.gateway.name}/${job.reason}/${job.after.resources}/${job.after.secrets}`;
}

export const xdsManifestResourceSchema = z.strictObject({
  type: z.enum(XDS_TYPE_SHORTS as [XdsTypeShort, ...XdsTypeShort[]]),
  name: z.string().min(1),
  digest: digestSchema,
});
export type XdsManifestResource = z.infer<typeof xdsManifestResourceSchema>;

/** `<ns>.<gateway>.manifest` in KV `xds`: which resources make up the Gateway's config now. */
export const xdsManifestSchema = z.strictObject({
  gateway: gatewayRefSchema,
  /** The xDS version_info: changes whenever any resource does. */
  version: z.string().min(1),
  /** sha256 over the canonical JSON of every resource of the Gateway. */
  digest: digestSchema,
  /** The input revisions this configuration was rendered from (a stale render never replaces it). */
  inputs: inputRevisionsSchema,
  /** Every resource of the Gateway with its own digest, sorted by type then name. */
  resources: z.array(xdsManifestResourceSchema),
  /**
   * Digests of the Gateway's other outputs (its status facts, its infra entry), so a render can
   * tell that nothing changed without reading them back. The manifest changes whenever any
   * output does; an Engine's config changed only when `version` did.
   */
  statusDigest: digestSchema,
  infraDigest: digestSchema.optional(),
});
export type XdsManifest = z.infer<typeof xdsManifestSchema>;

/** The reporter token of the renderer's status facts for one Gateway (see statusKey). */
export function rendererStatusReporter(gateway: GatewayRef): string {
  return `renderer@${gateway.namespace}/${gateway.name}`;
}

/** Inverse of {@link rendererStatusReporter}; undefined for another reporter. */
export function parseRendererStatusReporter(reporter: string): GatewayRef | undefined {
  const match = /^renderer@([^/]+)\/([^/]+)$/.exec(reporter);
  return match?.[1] !== undefined && match[2] !== undefined ? { namespace: match[1], name: match[2] } : undefined;
}
