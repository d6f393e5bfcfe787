import { z } from 'zod';

/**
 * Cert jobs (work-queue stream `jobStreamName(i, 'cert')`, subject `jobSubject(i, 'cert', gateway)`).
 * A job only names the Gateway and why it was enqueued: the worker reads the current state (infra
 * entry, Secret, CA) and decides, so a stale or repeated job does nothing harmful.
 */
export const CERT_JOB_REASONS = [
  /** The Gateway's infra entry appeared or changed. */
  'infra-changed',
  /** The Gateway's infra entry was deleted: its bootstrap Secret goes too. */
  'infra-deleted',
  /** The renewal time of the current certificate has come. */
  'renewal-due',
  /** The bootstrap Secret was deleted or changed by someone else. */
  'secret-changed',
  /** A periodic or startup re-check. */
  'resync',
] as const;
export const certJobReasonSchema = z.enum(CERT_JOB_REASONS);
export type CertJobReason = z.infer<typeof certJobReasonSchema>;

export const certJobSchema = z.strictObject({
  gateway: z.strictObject({ namespace: z.string().min(1), name: z.string().min(1) }),
  reason: certJobReasonSchema,
  /** RFC 3339; when the job was enqueued (for latency metrics and logs). */
  requestedAt: z.iso.datetime({ offset: true }),
});
export type CertJob = z.infer<typeof certJobSchema>;

/**
 * The JetStream message id of a job, for server-side deduplication: every replica that notices
 * the same fact (the same infra revision, the same certificate due, the same Secret version)
 * enqueues the same id, so the fact becomes one job.
 */
export function certJobMessageId(job: Pick<CertJob, 'gateway' | 'reason'>, fact: string): string {
  return `cert/${job.gateway.namespace}/${job.gateway.name}/${job.reason}/${fact}`;
}
