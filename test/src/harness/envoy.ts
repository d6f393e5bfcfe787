// Envoy as a local process, and Envoy's own validation of a configuration (`--mode validate`):
// the authority on whether a rendered config is acceptable is the binary that will run it.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { toolPaths } from '../toolchain/paths.js';
import { requireBinary, startProcess, waitFor } from './process.js';
import type { EnvoyHandle, EnvoyOptions, EnvoyValidation } from './types.js';

const execFileAsync = promisify(execFile);
const READY_TIMEOUT_MS = 60_000;
const VALIDATE_TIMEOUT_MS = 120_000;

export interface StartEnvoyOptions extends EnvoyOptions {
  /** Bootstrap and logs live here; a temporary directory (removed on stop) when absent. */
  workDir?: string;
  /** Wait until Envoy is initialized (admin /ready answers 200); false returns once the admin listens. */
  waitReady?: boolean;
}

export async function startEnvoy(opts: StartEnvoyOptions): Promise<EnvoyHandle> {
  const temporary = opts.workDir === undefined;
  const workDir = opts.workDir ?? mkdtempSync(join(tmpdir(), 'mgw-envoy-'));
  mkdirSync(workDir, { recursive: true });
  const name = opts.name ?? 'envoy';
  const bootstrapFile = join(workDir, 'bootstrap.json');
  writeFileSync(bootstrapFile, JSON.stringify(withAdmin(bootstrapObject(opts.bootstrap)), null, 2));
  const adminAddressFile = join(workDir, 'admin-address');
  rmSync(adminAddressFile, { force: true });

  const proc = startProcess({
    name,
    command: toolPaths().envoy,
    args: ['-c', bootstrapFile, '--use-dynamic-base-id', '--admin-address-path', adminAddressFile, ...(opts.args ?? [])],
    logFile: join(workDir, `${name}.log`),
    registryDir: workDir,
  });
  try {
    const adminUrl = await waitFor(() => readAdminUrl(adminAddressFile), { timeoutMs: READY_TIMEOUT_MS, what: `${name} admin address`, process: proc });
    if (opts.waitReady !== false) {
      await waitFor(
        async () => (await fetch(`${adminUrl}/ready`, { signal: AbortSignal.timeout(2_000) })).status === 200,
        { timeoutMs: READY_TIMEOUT_MS, what: `${name} ${adminUrl}/ready`, process: proc },
      );
    }
    return {
      backend: 'process',
      adminUrl,
      address: (port) => ({ host: '127.0.0.1', port }),
      logs: () => proc.logs(),
      async stop() {
        await proc.stop();
        if (temporary) rmSync(workDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await proc.stop();
    throw error;
  }
}

/** The bootstrap as an object: objects as given, text parsed as YAML (which includes JSON). */
export function bootstrapObject(bootstrap: object | string): Record<string, unknown> {
  const value: unknown = typeof bootstrap === 'string' ? parseYaml(bootstrap) : bootstrap;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('the Envoy bootstrap must be a mapping');
  return value as Record<string, unknown>;
}

/**
 * The harness needs the admin interface to know when Envoy is ready; a bootstrap without one
 * gets one on 127.0.0.1 with a port the kernel picks (reported through --admin-address-path).
 */
function withAdmin(bootstrap: Record<string, unknown>): Record<string, unknown> {
  if (bootstrap.admin !== undefined) return bootstrap;
  return { ...bootstrap, admin: { address: { socket_address: { address: '127.0.0.1', port_value: 0 } } } };
}

function readAdminUrl(file: string): string | undefined {
  let address: string;
  try {
    address = readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
  return address ? `http://${address}` : undefined;
}

/** `envoy --mode validate`: Envoy's verdict on a configuration, with its own words on failure. */
export async function validateEnvoyConfig(config: object | string): Promise<EnvoyValidation> {
  const envoy = toolPaths().envoy;
  // A missing binary is not a verdict on the config.
  requireBinary(envoy);
  const dir = mkdtempSync(join(tmpdir(), 'mgw-envoy-validate-'));
  try {
    // Text keeps its exact form (Envoy reads .yaml as YAML and JSON is YAML), so errors point at what was written.
    const file = join(dir, typeof config === 'string' ? 'config.yaml' : 'config.json');
    writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
    const args = ['--mode', 'validate', '-c', file, '--use-dynamic-base-id', '--log-level', 'warning'];
    try {
      const { stdout, stderr } = await execFileAsync(envoy, args, { timeout: VALIDATE_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 });
      return { ok: true, output: `${stdout}${stderr}` };
    } catch (error) {
      return { ok: false, output: execOutput(error) };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function execOutput(error: unknown): string {
  const e = error as { stdout?: string; stderr?: string; message?: string; killed?: boolean };
  const output = `${e.stdout ?? ''}${e.stderr ?? ''}`;
  if (e.killed) return `envoy --mode validate timed out\n${output}`;
  return output || (e.message ?? String(error));
}
