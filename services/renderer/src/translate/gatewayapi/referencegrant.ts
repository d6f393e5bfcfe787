import type { ReferenceGrant } from '@microgateway/contracts';

/** The object holding a reference (e.g. an HTTPRoute, a Gateway). */
export interface ReferenceFrom {
  group: string;
  kind: string;
  namespace: string;
}

/** The object referenced in another namespace (e.g. a Service, a Secret). */
export interface ReferenceTo {
  group: string;
  kind: string;
  namespace: string;
  name: string;
}

/**
 * Gateway API ReferenceGrant (GEP-709): a reference into another namespace is allowed only when a
 * ReferenceGrant in the *target* namespace lists the source (group, kind, namespace) in `from` and
 * the target (group, kind, optional name) in `to`. Same-namespace references need no grant.
 * The core group is the empty string on both sides.
 */
export function referenceAllowed(grants: readonly ReferenceGrant[], from: ReferenceFrom, to: ReferenceTo): boolean {
  if (from.namespace === to.namespace) return true;
  return grants.some(
    (grant) =>
      grant.metadata.namespace === to.namespace &&
      grant.spec.from.some((f) => f.group === from.group && f.kind === from.kind && f.namespace === from.namespace) &&
      grant.spec.to.some((t) => t.group === to.group && t.kind === to.kind && (t.name === undefined || t.name === '' || t.name === to.name)),
  );
}

/**
 * {@link referenceAllowed} reading the grants of the target namespace only when the reference
 * crosses namespaces (an incremental render then depends on grants only where they matter).
 */
export function referencePermitted(index: { referenceGrants(namespace: string): readonly ReferenceGrant[] }, from: ReferenceFrom, to: ReferenceTo): boolean {
  return from.namespace === to.namespace || referenceAllowed(index.referenceGrants(to.namespace), from, to);
}
