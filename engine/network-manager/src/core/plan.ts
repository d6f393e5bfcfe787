import { ENGINE_RESERVED_CONTAINER_PORTS } from '@microgateway/contracts';
import type { NetworkManagerConfig } from './config.js';

/**
 * The nat rules that send the Pod's inbound TCP through the Engine, as a pure function of the
 * configuration. Rules are written the way `iptables-save` prints them (`-m tcp` included), so the
 * read-back after installing compares text with text for both the legacy and the nft variant.
 *
 *   PREROUTING ─► MGW_INBOUND   traffic from outside the Pod: Engine ports and excluded ports
 *                               RETURN, protected ports REDIRECT to the Engine's inbound port.
 *   OUTPUT     ─► MGW_OUTPUT    traffic a container sends to the Pod's own (non-loopback) address
 *                               goes the same way, except the Engine's own traffic (by UID), so
 *                               the Engine forwarding to the application never loops back to itself.
 *
 * Idempotency: iptables-restore --noflush flushes and refills the declared MGW_* chains in one
 * transaction, and the two jumps are appended only when `iptables -C` says they are missing.
 */

export const INBOUND_CHAIN = 'MGW_INBOUND';
export const OUTPUT_CHAIN = 'MGW_OUTPUT';

/** A jump from a built-in nat chain into one of ours: the argv after `-t nat -A|-C <from>`. */
export interface Jump {
  from: 'PREROUTING' | 'OUTPUT';
  rule: readonly string[];
}

export interface RulePlan {
  /** Input for `iptables-restore --noflush`. */
  restore: string;
  /** The lines of our chains as `iptables-save -t nat` prints them, in order. */
  chainRules: readonly string[];
  jumps: readonly Jump[];
  /** A port the verification connects to: redirected by these rules when they work. */
  probePort: number;
}

/** The ports that are never redirected: the Engine's own, then the configured exclusions. */
export function bypassPorts(config: NetworkManagerConfig): number[] {
  const ports = new Set([config.engineInboundPort, ...ENGINE_RESERVED_CONTAINER_PORTS, ...config.excludedPorts]);
  return [...ports].sort((a, b) => a - b);
}

function inboundRules(config: NetworkManagerConfig): string[] {
  const redirect = `-j REDIRECT --to-ports ${config.engineInboundPort}`;
  // Exclusions first: with `all`, the catch-all REDIRECT must never see the Engine's own ports.
  const returns = bypassPorts(config).map((port) => `-A ${INBOUND_CHAIN} -p tcp -m tcp --dport ${port} -j RETURN`);
  const redirects =
    config.protectedPorts === 'all'
      ? [`-A ${INBOUND_CHAIN} -p tcp ${redirect}`]
      : config.protectedPorts.map((port) => `-A ${INBOUND_CHAIN} -p tcp -m tcp --dport ${port} ${redirect}`);
  return [...returns, ...redirects];
}

function outputRules(config: NetworkManagerConfig): string[] {
  return [
    `-A ${OUTPUT_CHAIN} -p tcp -m owner --uid-owner ${config.engineUid} -j RETURN`,
    // Loopback stays direct: the Engine reaches the application on 127.0.0.1.
    `-A ${OUTPUT_CHAIN} -d 127.0.0.0/8 -p tcp -j RETURN`,
    `-A ${OUTPUT_CHAIN} -p tcp -m addrtype ! --dst-type LOCAL -j RETURN`,
    `-A ${OUTPUT_CHAIN} -p tcp -j ${INBOUND_CHAIN}`,
  ];
}

/** The first port the rules redirect: the first protected one, or with `all` the first not bypassed. */
export function probePort(config: NetworkManagerConfig): number {
  if (config.protectedPorts !== 'all') {
    const [first] = config.protectedPorts;
    if (first === undefined) throw new Error('no protected port to probe');
    return first;
  }
  const bypassed = new Set(bypassPorts(config));
  for (let port = 1; port <= 65535; port++) if (!bypassed.has(port)) return port;
  throw new Error('every port is excluded: nothing is redirected');
}

export function planRules(config: NetworkManagerConfig): RulePlan {
  const chainRules = [...inboundRules(config), ...outputRules(config)];
  const restore = ['*nat', `:${INBOUND_CHAIN} - [0:0]`, `:${OUTPUT_CHAIN} - [0:0]`, ...chainRules, 'COMMIT', ''].join('\n');
  const jumps: Jump[] = [
    { from: 'PREROUTING', rule: ['-p', 'tcp', '-j', INBOUND_CHAIN] },
    { from: 'OUTPUT', rule: ['-p', 'tcp', '-j', OUTPUT_CHAIN] },
  ];
  return { restore, chainRules, jumps, probePort: probePort(config) };
}

/** A jump as `iptables-save` prints it. */
export function jumpLine(jump: Jump): string {
  return `-A ${jump.from} ${jump.rule.join(' ')}`;
}

export interface ReadBack {
  /** True when our chains hold exactly the planned lines, in order. */
  chainsMatch: boolean;
  actualChainRules: string[];
  /** How many times each jump is present: exactly once after a correct (re)run. */
  jumpCounts: Map<string, number>;
}

/** Compares `iptables-save -t nat` output with the plan. */
export function readBack(plan: RulePlan, natSave: string): ReadBack {
  const lines = natSave.split('\n').map((line) => line.trim());
  const ours = lines.filter((line) => line.startsWith(`-A ${INBOUND_CHAIN} `) || line.startsWith(`-A ${OUTPUT_CHAIN} `));
  const jumpCounts = new Map(plan.jumps.map((jump) => [jumpLine(jump), lines.filter((line) => line === jumpLine(jump)).length]));
  const chainsMatch = ours.length === plan.chainRules.length && ours.every((line, i) => line === plan.chainRules[i]);
  return { chainsMatch, actualChainRules: ours, jumpCounts };
}
