import type { Part } from './ordering.js';
import type { Unanswered } from './requests.js';
import { WILDCARD, byName, isLegacyWildcardType, sortedNames } from './requests.js';
import type { SnapshotResource, SotwRequest, XdsType } from './types.js';

interface InFlight<B> extends Unanswered {
  content: ReadonlyMap<string, SnapshotResource<B>>;
  key: string;
}

/**
 * What one state-of-the-world stream knows about one type. Every response is the whole set the
 * client should hold, so removals cannot be split from updates inside a response; instead, a
 * response that must not remove yet (`update` of clusters, endpoints, secrets) keeps the
 * resources the client already has next to the new ones, and a later `remove` response drops them.
 */
export class SotwTypeState<B> {
  private wildcard = false;
  private names: readonly string[] = [];
  /** What the client applied last (the content of the last ACKed response). */
  private applied = new Map<string, SnapshotResource<B>>();
  /** The subscription the last response answered; a new one is answered even if no content changed. */
  private answeredNames: string | undefined;
  /**
   * Responses Envoy NACKed, not sent again until the snapshot changes. A set, not the last one:
   * the `update` and `remove` responses of one change differ, and remembering only the latest
   * would let them take turns being rejected forever.
   */
  private readonly rejectedKeys = new Set<string>();
  private inFlight: InFlight<B> | undefined;
  private lastNonce: string | undefined;

  constructor(private readonly type: XdsType) {}

  get unanswered(): Unanswered | undefined {
    return this.inFlight;
  }

  /** SotW servers ignore a request that answers an older response than the type's latest. */
  isStale(responseNonce: string | undefined): boolean {
    return Boolean(responseNonce) && responseNonce !== this.lastNonce;
  }

  applySubscription(request: SotwRequest): void {
    const names = request.resource_names ?? [];
    this.wildcard = names.includes(WILDCARD) || (isLegacyWildcardType(this.type) && names.length === 0);
    this.names = sortedNames(new Set(names.filter((name) => name !== WILDCARD)));
    if (!this.wildcard) for (const name of [...this.applied.keys()]) if (!this.names.includes(name)) this.applied.delete(name);
  }

  acknowledge(): void {
    this.applied = new Map(this.takeInFlight().content);
  }

  reject(): void {
    this.rejectedKeys.add(this.takeInFlight().key);
  }

  forgetRejections(): void {
    this.rejectedKeys.clear();
  }

  /** The resources `part` of this type would send now; undefined when it would change nothing. */
  content(part: Part, desired: ReadonlyMap<string, SnapshotResource<B>>): Map<string, SnapshotResource<B>> | undefined {
    // What the client has, or will have once it applies the unanswered response.
    const held = this.inFlight?.content ?? this.applied;
    const content = this.wanted(desired);
    if (part === 'update') for (const [name, resource] of held) if (!content.has(name)) content.set(name, resource);
    const key = this.keyOf(content);
    const changed = key !== this.keyOf(held) || this.subscriptionKey() !== this.answeredNames;
    return changed && !this.rejectedKeys.has(key) ? content : undefined;
  }

  markSent(content: ReadonlyMap<string, SnapshotResource<B>>, unanswered: Unanswered): SnapshotResource<B>[] {
    this.inFlight = { ...unanswered, content, key: this.keyOf(content) };
    this.lastNonce = unanswered.nonce;
    this.answeredNames = this.subscriptionKey();
    return [...content.values()].sort(byName);
  }

  private wanted(desired: ReadonlyMap<string, SnapshotResource<B>>): Map<string, SnapshotResource<B>> {
    if (this.wildcard) return new Map(desired);
    return new Map(this.names.flatMap((name) => {
      const resource = desired.get(name);
      return resource ? [[name, resource] as const] : [];
    }));
  }

  private takeInFlight(): InFlight<B> {
    const inFlight = this.inFlight;
    if (!inFlight) throw new Error('no unanswered response to settle');
    this.inFlight = undefined;
    return inFlight;
  }

  private subscriptionKey(): string {
    return this.wildcard ? WILDCARD : JSON.stringify(this.names);
  }

  /** Identifies a response: the subscription it answers and each resource's name and version. */
  private keyOf(content: ReadonlyMap<string, SnapshotResource<B>>): string {
    const versions = [...content.values()].sort(byName).map(({ name, version }) => [name, version]);
    return JSON.stringify([this.subscriptionKey(), versions]);
  }
}
