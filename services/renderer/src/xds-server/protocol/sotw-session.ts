import type { TypePart } from './ordering.js';
import { nextParts } from './ordering.js';
import { answerOf, outcomeOf, requestType, resourcesOf, typeUrlOf } from './requests.js';
import { SotwTypeState } from './sotw-state.js';
import type { FlowState, Outcome, SessionOptions, Snapshot, SotwRequest, SotwResponse, XdsType } from './types.js';

/**
 * The protocol side of one state-of-the-world ADS stream, with no I/O: per type, the whole set
 * the client asked for (LDS/CDS: everything; RDS/EDS/SDS: the names in the request), sent again
 * only when that set's content or the requested names change, in the order of `ordering.ts`.
 * `version_info` is the snapshot version the response was made from.
 */
export class SotwSession<B> {
  private snapshot: Snapshot<B> | undefined;
  private readonly types = new Map<XdsType, SotwTypeState<B>>();

  constructor(private readonly options: SessionOptions) {}

  onRequest(request: SotwRequest): { responses: SotwResponse<B>[]; outcomes: Outcome[] } {
    const parsed = requestType(request.type_url);
    if ('error' in parsed) return { responses: [], outcomes: [parsed.error] };
    const { type } = parsed;
    let state = this.types.get(type);
    if (!state) {
      state = new SotwTypeState<B>(type);
      this.types.set(type, state);
    }
    // A stale request's names may be outdated too; Envoy sends them again with the latest nonce.
    if (state.isStale(request.response_nonce)) return { responses: [], outcomes: [] };
    const outcome = this.settle(type, state, request);
    state.applySubscription(request);
    return { responses: this.flush(), outcomes: outcome ? [outcome] : [] };
  }

  onSnapshot(snapshot: Snapshot<B>): { responses: SotwResponse<B>[] } {
    if (snapshot.version !== this.snapshot?.version) for (const state of this.types.values()) state.forgetRejections();
    this.snapshot = snapshot;
    return { responses: this.flush() };
  }

  flowState(): FlowState {
    const waitingForAck = [...this.types].flatMap(([type, state]) => (state.unanswered ? [{ type, nonce: state.unanswered.nonce, version: state.unanswered.version }] : []));
    return { waitingForAck, held: this.snapshot ? nextParts(this.flowView(this.snapshot)).held : [...this.types.keys()] };
  }

  private settle(type: XdsType, state: SotwTypeState<B>, request: SotwRequest): Outcome | undefined {
    const unanswered = state.unanswered;
    const answer = answerOf(request, unanswered);
    if (!answer || !unanswered) return undefined;
    if (answer.kind === 'ack') state.acknowledge();
    else state.reject();
    return outcomeOf(answer, type, unanswered.version);
  }

  private flush(): SotwResponse<B>[] {
    const snapshot = this.snapshot;
    if (!snapshot) return [];
    return nextParts(this.flowView(snapshot)).send.flatMap((typePart) => this.respond(snapshot, typePart) ?? []);
  }

  private flowView(snapshot: Snapshot<B>): Parameters<typeof nextParts>[0] {
    return {
      hasPending: ({ type, part }) => this.types.get(type)?.content(part, resourcesOf(snapshot, type)) !== undefined,
      isAwaitingAck: (type) => this.types.get(type)?.unanswered !== undefined,
    };
  }

  private respond(snapshot: Snapshot<B>, { type, part }: TypePart): SotwResponse<B> | undefined {
    const state = this.types.get(type);
    const content = state?.content(part, resourcesOf(snapshot, type));
    if (!state || !content) return undefined;
    const nonce = this.options.nextNonce();
    const resources = state.markSent(content, { nonce, version: snapshot.version });
    return { version_info: snapshot.version, resources: resources.map(({ body }) => body), type_url: typeUrlOf(type), nonce };
  }
}
