import type { IptablesVariant } from './config.js';

/**
 * Which iptables variant to use with IPTABLES=auto, from what `iptables-legacy-save` and
 * `iptables-nft-save` print. Mixing variants on one node leaves two rule sets that both apply and
 * that neither tool shows whole, so the Network Manager follows whatever is already in use — the
 * heuristic of kubernetes-sigs/iptables-wrappers:
 *   1. kubelet (1.17+) leaves a KUBE-IPTABLES-HINT / KUBE-KUBELET-CANARY chain in the variant it uses;
 *   2. otherwise the variant holding more rules wins.
 * A Pod's network namespace usually starts empty; on a tie we prefer nft (the default of current
 * distributions, and the only one on nft-only kernels), falling back to legacy when nft is unusable.
 */

/** One `*-save` run: `ok` is false when the binary is missing or the kernel refuses it. */
export interface SaveOutput {
  ok: boolean;
  stdout: string;
}

export interface VariantChoice {
  variant: IptablesVariant;
  reason: string;
  ruleCounts?: Record<IptablesVariant, number>;
}

const HINT_CHAINS = ['KUBE-IPTABLES-HINT', 'KUBE-KUBELET-CANARY'];

/** Rule lines (`-A …`) in iptables-save output; comments, policies and chain declarations do not count. */
export function countRules(save: string): number {
  return save.split('\n').filter((line) => line.startsWith('-A ')).length;
}

function hasHint(save: string): boolean {
  return save.split('\n').some((line) => HINT_CHAINS.some((chain) => line.startsWith(`:${chain} `)));
}

/** The auto choice, or undefined when neither variant works here. */
export function detectVariant(saves: Record<IptablesVariant, SaveOutput>): VariantChoice | undefined {
  const { legacy, nft } = saves;
  if (!legacy.ok && !nft.ok) return undefined;
  if (!legacy.ok) return { variant: 'nft', reason: 'iptables-legacy is unusable here' };
  if (!nft.ok) return { variant: 'legacy', reason: 'iptables-nft is unusable here' };
  if (hasHint(nft.stdout)) return { variant: 'nft', reason: 'kubelet hint chain found in nft' };
  if (hasHint(legacy.stdout)) return { variant: 'legacy', reason: 'kubelet hint chain found in legacy' };
  const ruleCounts = { legacy: countRules(legacy.stdout), nft: countRules(nft.stdout) };
  if (ruleCounts.legacy > ruleCounts.nft) return { variant: 'legacy', reason: 'legacy holds more rules', ruleCounts };
  if (ruleCounts.nft > ruleCounts.legacy) return { variant: 'nft', reason: 'nft holds more rules', ruleCounts };
  return { variant: 'nft', reason: 'no rules in either variant: nft is the default', ruleCounts };
}
