import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * What a running local installation looks like from outside: written by `mgw dev up` once
 * everything is ready, read by `mgw dev env` and `mgw dev down`, and by tests that attach to it.
 */
export const devStateSchema = z.object({
  name: z.string(),
  stateDir: z.string(),
  startedAt: z.string(),
  detached: z.boolean(),
  supervisorPid: z.number().int(),
  kubeconfig: z.string(),
  kubeServer: z.string(),
  /** The apiserver's serving certificate (for clients other than kubectl, e.g. curl --cacert). */
  kubeCaPath: z.string().optional(),
  /** Pod directories: `<podsDir>/<namespace>_<name>_<uid>/logs/<container>.log`. */
  podsDir: z.string(),
  nats: z.object({ url: z.string(), user: z.string(), password: z.string() }),
  /** The Microgateway instance the services run as (GatewayClass controllerName `microgateway.dev/<instance>`). */
  instance: z.string().default('default'),
  /** The four services: their pids and health/metrics servers (`/readyz`, `/metrics`). */
  services: z.array(z.object({ name: z.string(), pid: z.number().int(), url: z.string(), log: z.string() })).default([]),
  /** The example's Gateway once Programmed, and the address its Engine serves on. */
  example: z.object({ gateway: z.string(), address: z.string(), manifest: z.string() }).optional(),
});
export type DevState = z.infer<typeof devStateSchema>;

const STATE_FILE = 'state.json';

/** `$MGW_STATE_DIR`, else `${XDG_STATE_HOME:-~/.local/state}/microgateway/<name>`. */
export function defaultStateDir(name: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.MGW_STATE_DIR) return env.MGW_STATE_DIR;
  const base = env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state');
  return join(base, 'microgateway', name);
}

export function readDevState(stateDir: string): DevState | undefined {
  let text: string;
  try {
    text = readFileSync(join(stateDir, STATE_FILE), 'utf8');
  } catch {
    return undefined;
  }
  return devStateSchema.parse(JSON.parse(text));
}

export function writeDevState(state: DevState): void {
  mkdirSync(state.stateDir, { recursive: true });
  const tmp = join(state.stateDir, `${STATE_FILE}.tmp`);
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, join(state.stateDir, STATE_FILE));
}

export function removeDevState(stateDir: string): void {
  rmSync(join(stateDir, STATE_FILE), { force: true });
}

/** A NATS URL with the admin credentials inlined, for tools that take one string. */
export function natsUrlWithCredentials(state: DevState): string {
  const url = new URL(state.nats.url);
  url.username = encodeURIComponent(state.nats.user);
  url.password = encodeURIComponent(state.nats.password);
  return url.toString().replace(/\/$/, '');
}
