import type { IptablesVariant } from './config.js';

/**
 * What a failed iptables command means and what the operator should set. The initContainer's
 * exit message is all a user sees of a Pod that does not start, so it names the cause and the fix.
 */

/** The outcome of one command: `spawnError` is set when it could not run at all (e.g. ENOENT). */
export interface CommandOutcome {
  command: string;
  exitCode: number | null;
  stderr: string;
  spawnError?: string;
}

export type FailureKind = 'binary-missing' | 'table-missing' | 'nftables-unsupported' | 'permission' | 'extension-missing' | 'lock' | 'unknown';

export interface Failure {
  kind: FailureKind;
  message: string;
}

export function otherVariant(variant: IptablesVariant): IptablesVariant {
  return variant === 'legacy' ? 'nft' : 'legacy';
}

interface Pattern {
  kind: FailureKind;
  test: RegExp;
  advice: (variant: IptablesVariant) => string;
}

// Order matters: the first match wins, and permission problems also mention the table.
const PATTERNS: readonly Pattern[] = [
  {
    kind: 'permission',
    test: /Permission denied|you must be root|Operation not permitted/i,
    advice: () => 'the initContainer needs the NET_ADMIN capability (securityContext.capabilities.add: [NET_ADMIN])',
  },
  {
    kind: 'table-missing',
    test: /Table does not exist|can't initialize iptables table/i,
    advice: (variant) => `the kernel has no ${variant} iptables nat table: set IPTABLES=${otherVariant(variant)}`,
  },
  {
    kind: 'nftables-unsupported',
    test: /Could not fetch rule set generation id|Failed to initialize nft|Protocol not supported|nf_tables.*not supported/i,
    advice: () => 'the kernel does not support nf_tables: set IPTABLES=legacy',
  },
  {
    kind: 'extension-missing',
    test: /Couldn't load (match|target)|No chain\/target\/match by that name|Extension \S+ revision \d+ not supported/i,
    advice: () => 'the kernel lacks a netfilter extension these rules need (REDIRECT, owner, addrtype, tcp)',
  },
  {
    kind: 'lock',
    test: /xtables lock|Another app is currently holding/i,
    advice: () => 'another process holds the xtables lock: retry (the Pod restarts the initContainer)',
  },
];

function firstLine(text: string): string {
  return text.split('\n').map((line) => line.trim()).find((line) => line !== '' && !line.startsWith('#')) ?? '';
}

/** A one-line explanation: what ran, what it said, what to set. */
export function classifyFailure(variant: IptablesVariant, outcome: CommandOutcome): Failure {
  if (outcome.spawnError !== undefined) {
    const missing = /ENOENT/.test(outcome.spawnError);
    const program = outcome.command.split(' ')[0] ?? outcome.command;
    return {
      kind: missing ? 'binary-missing' : 'unknown',
      message: missing
        ? `${program}: not found in the image: set IPTABLES=${otherVariant(variant)} or use an image that has iptables-${variant}`
        : `${outcome.command}: could not run (${outcome.spawnError})`,
    };
  }
  const said = firstLine(outcome.stderr);
  const what = `${outcome.command} failed (exit ${outcome.exitCode ?? 'signal'})${said === '' ? '' : `: ${said}`}`;
  const pattern = PATTERNS.find((p) => p.test.test(outcome.stderr));
  if (pattern === undefined) return { kind: 'unknown', message: what };
  return { kind: pattern.kind, message: `${what} — ${pattern.advice(variant)}` };
}

/** `iptables -C` exits 1 with one of these when the rule (or chain) is simply absent. */
export function isRuleMissing(outcome: CommandOutcome): boolean {
  return outcome.spawnError === undefined && outcome.exitCode === 1 && /Bad rule|No chain\/target\/match|does a matching rule exist/i.test(outcome.stderr);
}
