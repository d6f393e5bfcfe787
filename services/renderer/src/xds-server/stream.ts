import type { ServerDuplexStream } from '@grpc/grpc-js';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { EngineIdentity, InstanceName, XdsTypeShort } from '@microgateway/contracts';
import { XDS_TYPE_URLS } from '@microgateway/contracts';
import type { Logger } from '@microgateway/runtime';
import { authorizeNode, engineIdentityOf } from './identity.js';
import type { XdsMetrics } from './metrics.js';
import type { OutcomeReporter } from './outcomes.js';
import type { FlowState, Outcome, Snapshot } from './protocol/index.js';
import type { EncodedAny, XdsStore } from './store.js';

/**
 * One ADS stream: authenticate by the client certificate, authorize the node id against it, then
 * drive a protocol session (delta or state of the world) with the Gateway's snapshots and the
 * Engine's requests. A stream sees only its own Gateway's resources.
 */

interface NodeCarrier {
  node?: { id?: string } | null;
}

/** What the adapter needs of either protocol session. */
export interface ProtocolSession<Req, Res> {
  onRequest(request: Req): { responses: Res[]; outcomes: Outcome[] };
  onSnapshot(snapshot: Snapshot<EncodedAny>): { responses: Res[] };
  flowState(): FlowState;
}

export interface StreamContext {
  instance: InstanceName;
  store: XdsStore;
  reporter: OutcomeReporter;
  metrics: XdsMetrics;
  logger: Logger;
}

const TYPE_BY_URL = new Map<string, XdsTypeShort>(Object.entries(XDS_TYPE_URLS).map(([short, url]) => [url, short as XdsTypeShort]));

export function serveStream<Req, Res extends { type_url: string }>(
  call: ServerDuplexStream<Req, Res>,
  protocol: 'delta' | 'sotw',
  newSession: () => ProtocolSession<Req, Res>,
  context: StreamContext,
): void {
  const { metrics } = context;
  const peer = engineIdentityOf(call.getAuthContext()?.sslPeerCertificate, context.instance);
  if (!peer.ok) return refuse(call, context, 'no-identity', GrpcStatus.UNAUTHENTICATED, peer.reason);

  let identity: EngineIdentity | undefined;
  let node = '';
  let session: ProtocolSession<Req, Res> | undefined;
  let unsubscribe: (() => void) | undefined;
  let logger = context.logger.child({ gateway: `${peer.identity.gateway.namespace}/${peer.identity.gateway.name}`, protocol, peer: call.getPeer() });
  metrics.streams.inc({ protocol });

  // The Engine holds a version once nothing is unanswered or held back: that, not each ACK, is
  // "applied" (a version whose content Envoy already had needs no response, hence no ACK).
  let offered: string | undefined;
  let applied: string | undefined;
  let rejected: string | undefined;
  let lastAckType = XDS_TYPE_URLS.listener as string;
  const reportIfInSync = (): void => {
    if (session === undefined || identity === undefined || offered === undefined || offered === applied || offered === rejected) return;
    const flow = session.flowState();
    if (flow.waitingForAck.length > 0 || flow.held.length > 0) return;
    applied = offered;
    void context.reporter.applied({ gateway: identity.gateway, node, version: offered, typeUrl: lastAckType });
  };

  const write = (responses: Res[]): void => {
    for (const response of responses) {
      metrics.pushes.inc({ type: TYPE_BY_URL.get(response.type_url) ?? 'unknown' });
      call.write(response);
    }
  };

  const start = (nodeId: string | undefined): boolean => {
    const authorized = authorizeNode(peer.identity, nodeId);
    if (!authorized.ok) {
      refuse(call, context, 'wrong-gateway', GrpcStatus.PERMISSION_DENIED, authorized.reason);
      return false;
    }
    identity = authorized.identity;
    node = nodeId ?? '';
    logger = logger.child({ node });
    session = newSession();
    const gateway = identity.gateway;
    const offer = (snapshot: Snapshot<EncodedAny>): void => {
      if (session === undefined) return;
      offered = snapshot.version;
      write(session.onSnapshot(snapshot).responses);
      reportIfInSync();
    };
    unsubscribe = context.store.subscribe(gateway, offer);
    const current = context.store.current(gateway);
    if (current !== undefined) offer(current);
    logger.info('Engine connected');
    return true;
  };

  call.on('data', (request: Req) => {
    if (session === undefined && !start((request as NodeCarrier).node?.id ?? undefined)) return;
    if (session === undefined || identity === undefined) return;
    const { responses, outcomes } = session.onRequest(request);
    for (const outcome of outcomes) {
      if (outcome.kind === 'ack') lastAckType = XDS_TYPE_URLS[outcome.type];
      if (outcome.kind === 'nack') rejected = outcome.version;
      handleOutcome(outcome, { identity, node, logger, call }, context);
    }
    write(responses);
    reportIfInSync();
  });

  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    unsubscribe?.();
    metrics.streams.dec({ protocol });
    if (identity !== undefined) logger.info('Engine disconnected');
  };
  call.on('end', () => {
    close();
    call.end();
  });
  call.on('cancelled', close);
  call.on('error', close);
  call.on('close', close);
}

interface StreamPeer {
  identity: EngineIdentity;
  node: string;
  logger: Logger;
  call: ServerDuplexStream<unknown, unknown>;
}

function handleOutcome(outcome: Outcome, peer: StreamPeer, context: StreamContext): void {
  const { metrics, reporter, store } = context;
  const { identity, node, logger, call } = peer;
  if (outcome.kind === 'protocol-error') {
    metrics.refused.inc({ reason: 'protocol' });
    logger.warn({ problem: outcome.message }, 'closing an xDS stream that broke the protocol');
    call.emit('error', grpcError(GrpcStatus.INVALID_ARGUMENT, outcome.message));
    return;
  }
  const typeUrl = XDS_TYPE_URLS[outcome.type];
  const verdict = { gateway: identity.gateway, node, version: outcome.version, typeUrl };
  if (outcome.kind === 'ack') {
    metrics.acks.inc({ type: outcome.type });
    const builtAt = store.builtAtMs(identity.gateway, outcome.version);
    if (builtAt !== undefined) metrics.pushLatency.observe((Date.now() - builtAt) / 1_000);
    return;
  }
  metrics.nacks.inc({ type: outcome.type });
  logger.warn({ version: outcome.version, type: outcome.type, problem: outcome.message }, 'the Engine rejected its config; it keeps serving the last good one');
  void reporter.rejected({ ...verdict, message: outcome.message });
}

function refuse(call: ServerDuplexStream<unknown, unknown>, context: StreamContext, reason: string, code: GrpcStatus, details: string): void {
  context.metrics.refused.inc({ reason });
  context.logger.warn({ reason, problem: details, peer: call.getPeer() }, 'refused an xDS stream');
  call.emit('error', grpcError(code, details));
}

function grpcError(code: GrpcStatus, details: string): Error & { code: GrpcStatus; details: string } {
  return Object.assign(new Error(details), { code, details });
}
