import { GatewayReason } from '@microgateway/contracts';
import type { GatewayStatusAddress } from './addresses.js';
import type { EngineObservation, ServiceObservation, XdsOutcome } from './inputs.js';

/** What the deployer concludes about a rendered Gateway's `Programmed` condition. */
export interface ProgrammedVerdict {
  status: 'True' | 'False';
  reason: string;
  message: string;
}

export interface EngineFacts {
  xds?: XdsOutcome | undefined;
  engine?: EngineObservation | undefined;
  /** The config version the renderer published last; when known, only that version counts as applied. */
  renderedVersion?: string | undefined;
  addresses: readonly GatewayStatusAddress[];
}

/**
 * Programmed of a Gateway the renderer accepted and rendered. Gateway API: Programmed means the
 * config "is assumed to be ready soon in the underlying data plane", so it needs an Engine that
 * can serve (≥1 available replica), the config applied by it, and an address to reach it at.
 * Reasons are the spec's: `Invalid` (Envoy refused the config; it keeps its last good one),
 * `Pending` (waiting), `AddressNotAssigned` (no address yet).
 */
export function engineVerdict(facts: EngineFacts): ProgrammedVerdict {
  const { xds, renderedVersion } = facts;
  if (xds?.kind === 'rejected' && (renderedVersion === undefined || xds.version === renderedVersion)) {
    return notProgrammed(GatewayReason.Invalid, `the Engine rejected configuration version ${xds.version}: ${xds.message}`);
  }
  const deployment = facts.engine?.deployment;
  if (deployment === undefined) return notProgrammed(GatewayReason.Pending, 'waiting for the Engine Deployment to be created');
  if (deployment.availableReplicas < 1) {
    const progress = deployment.progressing ? ` (${deployment.progressing})` : '';
    return notProgrammed(GatewayReason.Pending, `waiting for an Engine replica to become available: 0 of ${deployment.desiredReplicas} available${progress}`);
  }
  if (xds === undefined || (renderedVersion !== undefined && xds.version !== renderedVersion)) {
    const version = renderedVersion === undefined ? 'the configuration' : `configuration version ${renderedVersion}`;
    return notProgrammed(GatewayReason.Pending, `waiting for the Engine to apply ${version}`);
  }
  if (facts.addresses.length === 0) return notProgrammed(GatewayReason.AddressNotAssigned, noAddressMessage(facts.engine?.service));
  return { status: 'True', reason: GatewayReason.Programmed, message: 'the Engine serves the Gateway configuration' };
}

function notProgrammed(reason: string, message: string): ProgrammedVerdict {
  return { status: 'False', reason, message };
}

function noAddressMessage(service: ServiceObservation | undefined): string {
  if (service === undefined) return 'waiting for the Engine Service to be created';
  if (service.type === 'LoadBalancer') {
    return 'waiting for a load balancer to assign an address to the Engine Service (type LoadBalancer); with no load balancer controller in the cluster, set service.type ClusterIP or NodePort in the GatewayParameters';
  }
  return `the Engine Service (type ${service.type}) has no cluster IP`;
}
