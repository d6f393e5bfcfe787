/**
 * Leader election over a coordination.k8s.io Lease, decided the way client-go decides it: a lease
 * is free when it has no holder, or when its record has not changed for leaseDuration as measured
 * by OUR clock since we first saw that record (so clock skew between replicas does not matter).
 */

export interface LeaseSpecFields {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number | null;
  renewTime?: string | null;
  acquireTime?: string | null;
  leaseTransitions?: number | null;
}

/** What we last saw of the lease, and when (our clock). */
export interface LeaseObservation {
  readonly fingerprint: string;
  readonly observedAt: number;
}

export function leaseFingerprint(spec: LeaseSpecFields): string {
  return `${spec.holderIdentity ?? ''}|${spec.renewTime ?? ''}|${spec.leaseTransitions ?? 0}`;
}

/** The observation after reading `spec` at `now`: unchanged records keep their first-seen time. */
export function observe(previous: LeaseObservation | undefined, spec: LeaseSpecFields, now: number): LeaseObservation {
  const fingerprint = leaseFingerprint(spec);
  return previous?.fingerprint === fingerprint ? previous : { fingerprint, observedAt: now };
}

/** Whether `identity` may take (or keep) the lease now. */
export function mayAcquire(spec: LeaseSpecFields, observation: LeaseObservation, identity: string, now: number): boolean {
  const holder = spec.holderIdentity ?? '';
  if (holder === '' || holder === identity) return true;
  const durationMs = (spec.leaseDurationSeconds ?? 0) * 1000;
  return observation.observedAt + durationMs <= now;
}

/** The spec that makes `identity` the holder at `now`. */
export function claim(spec: LeaseSpecFields, identity: string, leaseDurationSeconds: number, now: Date): LeaseSpecFields {
  const taking = (spec.holderIdentity ?? '') !== identity;
  const time = microTime(now);
  return {
    ...spec,
    holderIdentity: identity,
    leaseDurationSeconds,
    renewTime: time,
    acquireTime: taking ? time : (spec.acquireTime ?? time),
    leaseTransitions: (spec.leaseTransitions ?? 0) + (taking && (spec.holderIdentity ?? '') !== '' ? 1 : 0),
  };
}

/** RFC 3339 with exactly six fractional digits: the MicroTime format the API server parses. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
