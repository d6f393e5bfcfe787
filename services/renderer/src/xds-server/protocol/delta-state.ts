import type { Part } from './ordering.js';
import type { Unanswered } from './requests.js';
import { WILDCARD, byName, isLegacyWildcardType, sortedNames } from './requests.js';
import type { DeltaRequest, SnapshotResource, XdsType } from './types.js';

/** A delta response before it gets its nonce: what it adds or updates and what it removes. */
export interface DeltaContent<B> {
  resources: SnapshotResource<B>[];
  removed: string[];
}

interface InFlight extends Unanswered {
  updated: ReadonlyMap<string, string>;
  removed: readonly string[];
}

/**
 * What one stream knows about one type: the client's subscription, the version of each resource
 * the client has (so only differences are sent), and the response Envoy has not answered yet.
 */
export class DeltaTypeState {
  private wildcard = false;
  private readonly names = new Set<string>();
  /** name → version the client has applied (ACKed, or announced in initial_resource_versions). */
  private readonly known = new Map<string, string>();
  /** Subscribed names the client was told do not exist (removed_resources), so it is told once. */
  private readonly toldAbsent = new Set<string>();
  /** What Envoy NACKed, not resent until the snapshot changes (it would be rejected again). */
  private readonly rejectedVersions = new Map<string, string>();
  private readonly rejectedRemovals = new Set<string>();
  /** A first request without initial_resource_versions gets an answer even when it is empty, so Envoy's init does not wait for its fetch timeout. */
  private owesAnswer: boolean;
  private inFlight: InFlight | undefined;

  constructor(type: XdsType, first: DeltaRequest) {
    const subscribe = first.resource_names_subscribe ?? [];
    this.wildcard = isLegacyWildcardType(type) && subscribe.length === 0;
    const initial = Object.entries(first.initial_resource_versions ?? {});
    for (const [name, version] of initial) this.known.set(name, version);
    this.owesAnswer = initial.length === 0;
  }

  get unanswered(): Unanswered | undefined {
    return this.inFlight;
  }

  applySubscriptions(request: DeltaRequest): void {
    for (const name of request.resource_names_unsubscribe ?? []) {
      if (name === WILDCARD) this.wildcard = false;
      this.names.delete(name);
      this.toldAbsent.delete(name);
    }
    for (const name of request.resource_names_subscribe ?? []) {
      if (name === WILDCARD) this.wildcard = true;
      else this.names.add(name);
    }
    // The client forgets what it unsubscribed from; a later subscription must send it again.
    for (const name of [...this.known.keys()]) if (!this.inScope(name)) this.known.delete(name);
  }

  /** Envoy applied the unanswered response: it now has what the response carried. */
  acknowledge(): void {
    const inFlight = this.takeInFlight();
    for (const [name, version] of inFlight.updated) {
      if (!this.inScope(name)) continue;
      this.known.set(name, version);
      this.toldAbsent.delete(name);
    }
    for (const name of inFlight.removed) {
      this.known.delete(name);
      if (this.names.has(name)) this.toldAbsent.add(name);
    }
  }

  /** Envoy rejected the unanswered response: it keeps what it had; do not send the same again. */
  reject(): void {
    const inFlight = this.takeInFlight();
    for (const [name, version] of inFlight.updated) this.rejectedVersions.set(name, version);
    for (const name of inFlight.removed) this.rejectedRemovals.add(name);
  }

  forgetRejections(): void {
    this.rejectedVersions.clear();
    this.rejectedRemovals.clear();
  }

  /** What `part` of this type would send now; undefined when it would change nothing. */
  content<B>(part: Part, desired: ReadonlyMap<string, SnapshotResource<B>>): DeltaContent<B> | undefined {
    const resources = part === 'remove' ? [] : this.updates(desired);
    const removed = [
      ...(part === 'remove' ? [] : this.absentNotices(desired)),
      ...(part === 'update' ? [] : this.removals(desired)),
    ];
    if (resources.length === 0 && removed.length === 0 && !(this.owesAnswer && part !== 'remove')) return undefined;
    return { resources: resources.sort(byName), removed: sortedNames(removed) };
  }

  markSent(content: DeltaContent<unknown>, unanswered: Unanswered): void {
    const updated = new Map(content.resources.map((resource) => [resource.name, resource.version]));
    this.inFlight = { ...unanswered, updated, removed: content.removed };
    this.owesAnswer = false;
  }

  private takeInFlight(): InFlight {
    const inFlight = this.inFlight;
    if (!inFlight) throw new Error('no unanswered response to settle');
    this.inFlight = undefined;
    return inFlight;
  }

  private inScope(name: string): boolean {
    return this.wildcard || this.names.has(name);
  }

  /** The version the client has, or will have once it applies the unanswered response. */
  private clientVersion(name: string): string | undefined {
    if (this.inFlight?.removed.includes(name)) return undefined;
    return this.inFlight?.updated.get(name) ?? this.known.get(name);
  }

  private updates<B>(desired: ReadonlyMap<string, SnapshotResource<B>>): SnapshotResource<B>[] {
    const candidates = this.wildcard
      ? [...desired.values()]
      : [...this.names].flatMap((name) => desired.get(name) ?? []);
    return candidates.filter(
      (resource) => this.clientVersion(resource.name) !== resource.version && this.rejectedVersions.get(resource.name) !== resource.version,
    );
  }

  /** Subscribed names the snapshot lacks and the client never had: delta's "does not exist". */
  private absentNotices(desired: ReadonlyMap<string, unknown>): string[] {
    return [...this.names].filter((name) => !desired.has(name) && !this.known.has(name) && !this.isSettled(name));
  }

  /** Resources the client has that left the snapshot. */
  private removals(desired: ReadonlyMap<string, unknown>): string[] {
    return [...this.known.keys()].filter((name) => !desired.has(name) && !this.isSettled(name));
  }

  /** The client was told (or is being told) that `name` is gone, or rejected being told so. */
  private isSettled(name: string): boolean {
    return this.toldAbsent.has(name) || this.rejectedRemovals.has(name) || (this.inFlight?.removed.includes(name) ?? false);
  }
}
