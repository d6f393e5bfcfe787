import type { TypePart } from './ordering.js';
import { nextParts } from './ordering.js';
import { flowStateOf, flowView, settle } from './flow.js';
import { requestType, resourcesOf, typeUrlOf } from './requests.js';
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
    const outcome = settle(type, state, request);
    state.applySubscription(request);
    return { responses: this.flush(), outcomes: outcome ? [outcome] : [] };
  }

  onSnapshot(snapshot: Snapshot<B>): { responses: SotwResponse<B>[] } {
    if (snapshot.version !== this.snapshot?.version) for (const state of this.types.values()) state.forgetRejections();
    this.snapshot = snapshot;
    return { responses: this.flush() };
  }

  flowState(): FlowState {
    return flowStateOf(this.types, this.snapshot);
  }

  private flush(): SotwResponse<B>[] {
    const snapshot = this.snapshot;
    if (!snapshot) return [];
    return nextParts(flowView(this.types, snapshot)).send.flatMap((typePart) => this.respond(snapshot, typePart) ?? []);
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
