import type { Gateway, IrSecret, Listener, RouteGroupKind } from '@microgateway/contracts';
import { ENGINE_RESERVED_CONTAINER_PORTS, GATEWAY_API_GROUP, ListenerProtocol, ListenerReason, MAX_GATEWAY_PORT, TlsMode, containerPortOf } from '@microgateway/contracts';
import type { ResourceIndex } from '../resources.js';
import { validHostname } from './hostnames.js';
import { resolveCertificates } from './tls.js';

/**
 * Gateway listeners (Gateway API spec, Gateway `spec.listeners`): which are usable, which conflict,
 * which route kinds each accepts and which certificates it presents. Problems become the listener's
 * conditions; only usable listeners are programmed.
 */

export const HTTPROUTE_KIND: RouteGroupKind = { group: GATEWAY_API_GROUP, kind: 'HTTPRoute' };

/** A problem with a reason for one of the listener's conditions. */
export interface Problem {
  reason: string;
  message: string;
}

export interface ListenerState {
  spec: Listener;
  /** Lower-case hostname, undefined for "any". */
  hostname: string | undefined;
  protocol: 'HTTP' | 'HTTPS' | undefined;
  supportedKinds: RouteGroupKind[];
  /** Why Accepted=False (unsupported protocol, conflict, invalid hostname). */
  notAccepted?: Problem;
  conflicted?: Problem;
  /** Why ResolvedRefs=False (route kinds, certificates). */
  unresolved: Problem[];
  secrets: IrSecret[];
  /** `<ns>/<name>` of the routes attached (a route counts once however many parentRefs select the listener). */
  attachedRoutes: Set<string>;
}

/** A listener can be programmed: accepted, not conflicted, and (HTTPS) with at least one usable certificate. */
export function listenerUsable(state: ListenerState): boolean {
  if (state.notAccepted !== undefined || state.conflicted !== undefined || state.protocol === undefined) return false;
  return state.protocol === 'HTTP' || state.secrets.length > 0;
}

function supportedKinds(listener: Listener): { kinds: RouteGroupKind[]; problem?: Problem } {
  const requested = listener.allowedRoutes?.kinds;
  if (requested === undefined || requested.length === 0) return { kinds: [HTTPROUTE_KIND] };
  const valid = requested.filter((k) => (k.group ?? GATEWAY_API_GROUP) === GATEWAY_API_GROUP && k.kind === 'HTTPRoute');
  const invalid = requested.filter((k) => !valid.includes(k)).map((k) => `${k.group ?? GATEWAY_API_GROUP}/${k.kind}`);
  const kinds = valid.length > 0 ? [HTTPROUTE_KIND] : [];
  if (invalid.length === 0) return { kinds };
  return { kinds, problem: { reason: ListenerReason.InvalidRouteKinds, message: `route kinds not supported on ${listener.protocol}: ${invalid.join(', ')}` } };
}

function protocolOf(listener: Listener): 'HTTP' | 'HTTPS' | undefined {
  if (listener.protocol === ListenerProtocol.HTTP) return 'HTTP';
  if (listener.protocol === ListenerProtocol.HTTPS) return 'HTTPS';
  return undefined;
}

function initialState(index: ResourceIndex, gateway: Gateway, listener: Listener): ListenerState {
  const protocol = protocolOf(listener);
  const state: ListenerState = {
    spec: listener,
    hostname: listener.hostname?.toLowerCase(),
    protocol,
    supportedKinds: [],
    unresolved: [],
    secrets: [],
    attachedRoutes: new Set(),
  };
  if (protocol === undefined) {
    state.notAccepted = { reason: ListenerReason.UnsupportedProtocol, message: `protocol ${listener.protocol} is not supported; use HTTP or HTTPS` };
    return state;
  }
  if (listener.port > MAX_GATEWAY_PORT) {
    // The Engine binds port + 10000 to run without privileges (DESIGN §5); above this it cannot.
    state.notAccepted = { reason: ListenerReason.PortUnavailable, message: `port ${listener.port} is above ${MAX_GATEWAY_PORT}, the highest port the Engine can serve` };
  } else if (ENGINE_RESERVED_CONTAINER_PORTS.includes(containerPortOf(listener.port))) {
    // It would bind the Engine's own admin, readiness or metrics port, and Envoy would refuse it.
    state.notAccepted = { reason: ListenerReason.PortUnavailable, message: `port ${listener.port} maps to the Engine's own port ${containerPortOf(listener.port)}; use another port` };
  } else if (listener.hostname !== undefined && !validHostname(listener.hostname)) {
    state.notAccepted = { reason: ListenerReason.Invalid, message: `hostname ${JSON.stringify(listener.hostname)} is not a valid DNS name` };
  }
  const kinds = supportedKinds(listener);
  state.supportedKinds = kinds.kinds;
  if (kinds.problem) state.unresolved.push(kinds.problem);
  if (protocol === 'HTTPS') applyTls(index, gateway, state);
  return state;
}

function applyTls(index: ResourceIndex, gateway: Gateway, state: ListenerState): void {
  const tls = state.spec.tls;
  if ((tls?.mode ?? TlsMode.Terminate) !== TlsMode.Terminate) {
    state.notAccepted = { reason: ListenerReason.UnsupportedProtocol, message: 'HTTPS listeners terminate TLS; Passthrough needs protocol TLS' };
    return;
  }
  const refs = tls?.certificateRefs ?? [];
  if (refs.length === 0) {
    state.unresolved.push({ reason: ListenerReason.InvalidCertificateRef, message: 'HTTPS listener has no certificateRefs' });
    return;
  }
  const resolved = resolveCertificates(index, gateway, refs);
  state.secrets = resolved.secrets;
  state.unresolved.push(...resolved.problems);
}

/**
 * Distinct listeners (spec "Distinct Listeners"): on one port, every listener must share one
 * protocol (else ProtocolConflict), and listeners of a protocol must differ by hostname (else
 * HostnameConflict). No conflicting listener wins: all of them are Conflicted and not accepted.
 */
function markConflicts(states: readonly ListenerState[]): void {
  const byPort = Map.groupBy(states, (s) => s.spec.port);
  for (const group of byPort.values()) {
    const protocols = new Set(group.map((s) => s.spec.protocol));
    if (protocols.size > 1) {
      for (const s of group) {
        s.conflicted = { reason: ListenerReason.ProtocolConflict, message: `port ${s.spec.port} is used with protocols ${[...protocols].sort().join(', ')}` };
      }
      continue;
    }
    const byHost = Map.groupBy(group, (s) => s.hostname ?? '');
    for (const [host, same] of byHost) {
      if (same.length < 2) continue;
      const names = same.map((s) => s.spec.name).join(', ');
      for (const s of same) {
        s.conflicted = { reason: ListenerReason.HostnameConflict, message: `listeners ${names} share port ${s.spec.port} and hostname ${JSON.stringify(host || '*')}` };
      }
    }
  }
}

/** The state of every listener of the Gateway, in spec order. */
export function evaluateListeners(index: ResourceIndex, gateway: Gateway): ListenerState[] {
  const states = gateway.spec.listeners.map((listener) => initialState(index, gateway, listener));
  markConflicts(states);
  return states;
}
