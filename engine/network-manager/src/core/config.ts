import { z } from 'zod';
import { ENGINE_INBOUND_PORT, ENGINE_RESERVED_CONTAINER_PORTS, ENGINE_UID } from '@microgateway/contracts';

/**
 * The Network Manager's configuration, read from the initContainer's environment. Every error
 * names the variable to fix: a Pod whose initContainer fails must say why in one log line.
 */

export const IPTABLES_VARIANTS = ['legacy', 'nft'] as const;
export type IptablesVariant = (typeof IPTABLES_VARIANTS)[number];

/** `all` redirects every inbound TCP port that is not excluded; otherwise only the listed ones. */
export type ProtectedPorts = 'all' | readonly number[];

export interface NetworkManagerConfig {
  iptables: IptablesVariant | 'auto';
  protectedPorts: ProtectedPorts;
  excludedPorts: readonly number[];
  engineInboundPort: number;
  engineUid: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

const port = z.coerce.number().int().min(1).max(65535);

/** Ports from a comma-separated list (blanks ignored, so `8080, 8443,` is accepted), sorted and unique. */
function parsePortList(text: string): { ports: number[] } | { error: string } {
  const items = text.split(',').map((item) => item.trim()).filter((item) => item !== '');
  const bad = items.filter((item) => !/^\d{1,5}$/.test(item) || Number(item) < 1 || Number(item) > 65535);
  if (bad.length > 0) return { error: `${bad.map((item) => JSON.stringify(item)).join(', ')} is not a port (1-65535)` };
  return { ports: [...new Set(items.map(Number))].sort((a, b) => a - b) };
}

const portList = z.string().transform((text, ctx) => {
  const result = parsePortList(text);
  if ('error' in result) {
    ctx.addIssue({ code: 'custom', message: result.error });
    return z.NEVER;
  }
  return result.ports;
});

/** `*` (or `all`) for every inbound TCP port, else a non-empty port list. */
const protectedPorts = z
  .string()
  .trim()
  .default('*')
  .transform((text, ctx): ProtectedPorts => {
    if (text === '*' || text === 'all') return 'all';
    const result = parsePortList(text);
    if ('error' in result) ctx.addIssue({ code: 'custom', message: result.error });
    else if (result.ports.length === 0) ctx.addIssue({ code: 'custom', message: 'list at least one port, or * for all' });
    else return result.ports;
    return z.NEVER;
  });

export const networkManagerEnvSchema = z
  .object({
    IPTABLES: z.enum(['legacy', 'nft', 'auto'], { error: 'must be legacy, nft or auto' }).default('auto'),
    PROTECTED_PORTS: protectedPorts,
    EXCLUDED_PORTS: portList.default([]),
    ENGINE_INBOUND_PORT: port.default(ENGINE_INBOUND_PORT),
    ENGINE_UID: z.coerce.number().int().min(1, 'the Engine must not run as root').max(2 ** 32 - 2).default(ENGINE_UID),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  })
  .superRefine((env, ctx) => {
    const enginePorts = new Set([env.ENGINE_INBOUND_PORT, ...ENGINE_RESERVED_CONTAINER_PORTS]);
    if (ENGINE_RESERVED_CONTAINER_PORTS.includes(env.ENGINE_INBOUND_PORT)) {
      ctx.addIssue({ code: 'custom', path: ['ENGINE_INBOUND_PORT'], message: `${env.ENGINE_INBOUND_PORT} is one of the Engine's own ports (${ENGINE_RESERVED_CONTAINER_PORTS.join(', ')})` });
    }
    if (env.PROTECTED_PORTS === 'all') return;
    const ownPorts = env.PROTECTED_PORTS.filter((p) => enginePorts.has(p));
    if (ownPorts.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['PROTECTED_PORTS'], message: `${ownPorts.join(', ')} belong to the Engine itself and cannot be redirected to it` });
    }
    const both = env.PROTECTED_PORTS.filter((p) => env.EXCLUDED_PORTS.includes(p));
    if (both.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['PROTECTED_PORTS'], message: `${both.join(', ')} also listed in EXCLUDED_PORTS` });
    }
  });

export type NetworkManagerEnv = Record<string, string | undefined>;

/** Thrown with one line per invalid variable, e.g. `PROTECTED_PORTS: 19001 belong to the Engine …`. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The configuration from the environment, or a {@link ConfigError} naming each bad variable. */
export function parseConfig(env: NetworkManagerEnv): NetworkManagerConfig {
  const parsed = networkManagerEnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${String(issue.path[0] ?? 'environment')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${lines.join('; ')}`);
  }
  const value = parsed.data;
  return {
    iptables: value.IPTABLES,
    protectedPorts: value.PROTECTED_PORTS,
    excludedPorts: value.EXCLUDED_PORTS,
    engineInboundPort: value.ENGINE_INBOUND_PORT,
    engineUid: value.ENGINE_UID,
    logLevel: value.LOG_LEVEL,
  };
}
