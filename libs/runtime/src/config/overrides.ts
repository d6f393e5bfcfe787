// Environment overrides: the few settings a deployment commonly sets per Pod (instance, NATS
// endpoint and identity, log level, port, kubeconfig) can come from MGW_* variables, which win
// over the file. Empty variables count as unset, as in most container tooling.

export interface EnvOverride {
  variable: string;
  /** Path inside the config object, e.g. ['nats', 'servers']. */
  path: readonly string[];
  /** Turns the variable's text into the raw value zod will validate. */
  parse: (text: string) => unknown;
}

const text = (value: string): string => value;

/** Numbers stay text when they do not parse, so zod reports "expected number" naming the variable. */
const integer = (value: string): unknown => (/^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value);

const list = (value: string): string[] =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);

export const ENV_OVERRIDES: readonly EnvOverride[] = [
  { variable: 'MGW_INSTANCE', path: ['instance'], parse: text },
  { variable: 'MGW_LOG_LEVEL', path: ['logLevel'], parse: text },
  { variable: 'MGW_HTTP_PORT', path: ['http', 'port'], parse: integer },
  { variable: 'MGW_NATS_URL', path: ['nats', 'servers'], parse: list },
  { variable: 'MGW_NATS_USER', path: ['nats', 'user'], parse: text },
  { variable: 'MGW_NATS_PASSWORD', path: ['nats', 'password'], parse: text },
  { variable: 'MGW_NATS_CREDS', path: ['nats', 'credsFile'], parse: text },
  { variable: 'MGW_KUBECONFIG', path: ['kubernetes', 'kubeconfig'], parse: text },
];

export type Env = Readonly<Record<string, string | undefined>>;

export interface AppliedOverride {
  variable: string;
  path: string;
}

/**
 * Writes each set variable into a copy of `raw`. Variables whose top-level section the service's
 * schema does not have (MGW_KUBECONFIG for the renderer) are skipped: they configure other services.
 */
export function applyEnvOverrides(
  raw: Record<string, unknown>,
  env: Env,
  sections: ReadonlySet<string>,
): { config: Record<string, unknown>; applied: AppliedOverride[] } {
  const config = structuredClone(raw);
  const applied: AppliedOverride[] = [];
  for (const override of ENV_OVERRIDES) {
    const value = env[override.variable];
    const section = override.path[0];
    if (value === undefined || value === '' || section === undefined || !sections.has(section)) continue;
    setPath(config, override.path, override.parse(value));
    applied.push({ variable: override.variable, path: override.path.join('.') });
  }
  return { config, applied };
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const child = node[key];
    // A non-object here (e.g. `nats: 3` in the file) is replaced; zod would reject it anyway.
    if (typeof child !== 'object' || child === null || Array.isArray(child)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1];
  if (last !== undefined) node[last] = value;
}
