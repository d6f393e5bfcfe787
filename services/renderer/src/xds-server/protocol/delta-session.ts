import { DeltaTypeState } from './delta-state.js';
import type { TypePart } from './ordering.js';
import { nextParts } from './ordering.js';
import { flowStateOf, flowView, settle } from './flow.js';
import { requestType, resourcesOf, typeUrlOf } from './requests.js';
import type { DeltaRequest, DeltaResponse, FlowState, Outcome, SessionOptions, Snapshot, XdsType } from './types.js';

/**
 * The protocol side of one incremental (delta) ADS stream, with no I/O: the adapter feeds it the
 * stream's requests and the Gateway's snapshots and writes the responses it returns, in order.
 *
 * It sends each client only what differs from what that client has, in the order of
 * `ordering.ts`, one unanswered response per type at a time.
 */
export class DeltaSession<B> {
  private snapshot: Snapshot<B> | undefined;
  private readonly types = new Map<XdsType, DeltaTypeState>();

  constructor(private readonly options: SessionOptions) {}

  onRequest(request: DeltaRequest): { responses: DeltaResponse<B>[]; outcomes: Outcome[] } {
    const parsed = requestType(request.type_url);
    if ('error' in parsed) return { responses: [], outcomes: [parsed.error] };
    const { type } = parsed;
    const outcomes: Outcome[] = [];
    let state = this.types.get(type);
    if (state) {
      const outcome = settle(type, state, request);
      if (outcome) outcomes.push(outcome);
    } else {
      state = new DeltaTypeState(type, request);
      this.types.set(type, state);
    }
    // A request with a stale nonce answers nothing, but its subscription changes still count.
    state.applySubscriptions(request);
    return { responses: this.flush(), outcomes };
  }

  onSnapshot(snapshot: Snapshot<B>): { responses: DeltaResponse<B>[] } {
    // New content may be accepted where the old was rejected: offer everything again.
    if (snapshot.version !== this.snapshot?.version) for (const state of this.types.values()) state.forgetRejections();
    this.snapshot = snapshot;
    return { responses: this.flush() };
  }

  flowState(): FlowState {
    return flowStateOf(this.types, this.snapshot);
  }

  private flush(): DeltaResponse<B>[] {
    const snapshot = this.snapshot;
    if (!snapshot) return [];
    return nextParts(flowView(this.types, snapshot)).send.flatMap((typePart) => this.respond(snapshot, typePart) ?? []);
  }

  private respond(snapshot: Snapshot<B>, { type, part }: TypePart): DeltaResponse<B> | undefined {
    const state = this.types.get(type);
    const content = state?.content(part, resourcesOf(snapshot, type));
    if (!state || !content) return undefined;
    const nonce = this.options.nextNonce();
    state.markSent(content, { nonce, version: snapshot.version });
    return {
      type_url: typeUrlOf(type),
      system_version_info: snapshot.version,
      nonce,
      resources: content.resources.map(({ name, version, body }) => ({ name, version, resource: body })),
      removed_resources: content.removed,
    };
  }
}
