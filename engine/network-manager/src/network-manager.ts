import { networkInterfaces } from 'node:os';
import type { Logger } from 'pino';
import type { IptablesVariant, NetworkManagerConfig } from './core/config.js';
import { jumpLine, planRules, readBack, type RulePlan } from './core/plan.js';
import { pickProbeAddress, type InterfaceAddress } from './core/probe-address.js';
import { detectVariant, type VariantChoice } from './core/variant.js';
import { Iptables } from './edge/iptables.js';
import { probeRedirection } from './edge/probe.js';

/**
 * The Network Manager's run: choose the variant, install the plan idempotently, read it back,
 * prove with a probe that a protected port reaches the Engine's port. Each step logs one JSON
 * line; any failure throws a {@link NetworkManagerError} naming the step, so the initContainer
 * exits non-zero and the Pod never starts unprotected.
 */

export type Step = 'variant' | 'install' | 'jumps' | 'read-back' | 'probe';

export class NetworkManagerError extends Error {
  override readonly name = 'NetworkManagerError';
  constructor(
    readonly step: Step,
    message: string,
  ) {
    super(message);
  }
}

export interface RunOptions {
  probeTimeoutMs?: number;
  /** The Pod's interfaces (os.networkInterfaces() by default). */
  interfaces?: () => Record<string, readonly InterfaceAddress[] | undefined>;
}

export interface RunResult {
  variant: IptablesVariant;
  plan: RulePlan;
  probe: { address: string; port: number };
}

async function step<T>(name: Step, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof NetworkManagerError) throw err;
    throw new NetworkManagerError(name, err instanceof Error ? err.message : String(err));
  }
}

async function chooseVariant(requested: NetworkManagerConfig['iptables']): Promise<VariantChoice> {
  if (requested !== 'auto') return { variant: requested, reason: 'set by IPTABLES' };
  const [legacy, nft] = await Promise.all([new Iptables('legacy').saveAll(), new Iptables('nft').saveAll()]);
  const choice = detectVariant({ legacy, nft });
  if (choice === undefined) {
    throw new NetworkManagerError('variant', `IPTABLES=auto: neither variant works here — ${legacy.failure ?? 'legacy unusable'}; ${nft.failure ?? 'nft unusable'}`);
  }
  return choice;
}

async function installJumps(iptables: Iptables, plan: RulePlan, log: Logger): Promise<void> {
  for (const jump of plan.jumps) {
    const present = await iptables.hasJump(jump);
    if (!present) await iptables.appendJump(jump);
    log.info({ step: 'jumps', jump: jumpLine(jump), action: present ? 'kept' : 'added' }, present ? 'jump already present' : 'jump added');
  }
}

async function verifyReadBack(iptables: Iptables, plan: RulePlan, log: Logger): Promise<void> {
  const result = readBack(plan, await iptables.saveNat());
  if (!result.chainsMatch) {
    throw new NetworkManagerError('read-back', `the nat chains do not hold the planned rules: expected ${JSON.stringify(plan.chainRules)}, found ${JSON.stringify(result.actualChainRules)}`);
  }
  const wrong = [...result.jumpCounts].filter(([, count]) => count !== 1);
  if (wrong.length > 0) {
    throw new NetworkManagerError('read-back', `each jump must be present once: ${wrong.map(([line, count]) => `"${line}" ×${count}`).join(', ')}`);
  }
  log.info({ step: 'read-back', rules: result.actualChainRules.length, jumps: Object.fromEntries(result.jumpCounts) }, 'nat table holds the planned rules');
}

export async function runNetworkManager(config: NetworkManagerConfig, log: Logger, options: RunOptions = {}): Promise<RunResult> {
  const choice = await step('variant', () => chooseVariant(config.iptables));
  log.info({ step: 'variant', requested: config.iptables, variant: choice.variant, reason: choice.reason, ruleCounts: choice.ruleCounts }, `using iptables-${choice.variant}`);
  const iptables = new Iptables(choice.variant);

  const plan = planRules(config);
  await step('install', () => iptables.restoreNoflush(plan.restore));
  log.info({ step: 'install', rules: plan.chainRules.length }, 'chains flushed and refilled');

  await step('jumps', () => installJumps(iptables, plan, log));
  await step('read-back', () => verifyReadBack(iptables, plan, log));

  const address = pickProbeAddress((options.interfaces ?? networkInterfaces)());
  if (address === undefined) throw new NetworkManagerError('probe', 'the Pod has no non-loopback IPv4 address to probe the redirection with');
  const probe = { address, port: plan.probePort };
  await step('probe', () => probeRedirection({ ...probe, engineInboundPort: config.engineInboundPort, timeoutMs: options.probeTimeoutMs ?? 3000 }));
  log.info({ step: 'probe', ...probe, engineInboundPort: config.engineInboundPort }, 'probe arrived at the Engine port');
  return { variant: choice.variant, plan, probe };
}
