// NATS with JetStream as a local process. The config is rendered by a pure function so the
// container backend and `deploy/` can share the account layout: one JetStream-enabled application
// account holding every user (services, auditors, the admin used by tests), and a system account.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { toolPaths } from '../toolchain/paths.js';
import { freePort, startProcess, waitFor } from './process.js';
import type { ProcessHandle } from './process.js';
import type { NatsHandle, NatsPermissionRule, NatsServerOptions, NatsUser } from './types.js';

export const NATS_APP_ACCOUNT = 'APP';
export const NATS_SYSTEM_ACCOUNT = 'SYS';

export interface NatsCredentials {
  user: string;
  password: string;
}

export interface NatsRuntimeOptions {
  /** Client port; the server listens on `host:port`. */
  port: number;
  /** Listen address; 127.0.0.1 for local processes, 0.0.0.0 inside a container. */
  host?: string;
  storeDir: string;
  serverName: string;
  /** HTTP monitoring port (healthz, varz); none when absent. */
  monitorPort?: number;
  /** The always-present user of the application account with every permission. */
  admin: NatsCredentials;
  /** The user of the system account. */
  system: NatsCredentials;
}

/** The nats-server configuration file for these users (pure). */
export function renderNatsConfig(opts: NatsServerOptions, runtime: NatsRuntimeOptions): string {
  const users = opts.users ?? [];
  assertDistinctUsers([runtime.admin.user, runtime.system.user, ...users.map((u) => u.user)]);
  const host = runtime.host ?? '127.0.0.1';
  const lines = [
    `server_name: ${q(runtime.serverName)}`,
    `listen: ${q(`${host}:${runtime.port}`)}`,
    ...(runtime.monitorPort === undefined ? [] : [`http: ${q(`${host}:${runtime.monitorPort}`)}`]),
    'jetstream {',
    `  store_dir: ${q(runtime.storeDir)}`,
    '}',
    'accounts {',
    `  ${NATS_APP_ACCOUNT} {`,
    '    jetstream: enabled',
    '    users: [',
    `      ${renderUser({ user: runtime.admin.user, password: runtime.admin.password })}`,
    ...users.map((user) => `      ${renderUser(user)}`),
    '    ]',
    '  }',
    `  ${NATS_SYSTEM_ACCOUNT} {`,
    '    users: [',
    `      ${renderUser({ user: runtime.system.user, password: runtime.system.password })}`,
    '    ]',
    '  }',
    '}',
    `system_account: ${NATS_SYSTEM_ACCOUNT}`,
  ];
  return `${lines.join('\n')}\n`;
}

function renderUser(user: NatsUser): string {
  const fields = [`user: ${q(user.user)}`, `password: ${q(user.password)}`];
  const permissions = user.permissions;
  if (permissions) {
    const parts: string[] = [];
    if (permissions.publish) parts.push(`publish: ${renderRule(permissions.publish)}`);
    if (permissions.subscribe) parts.push(`subscribe: ${renderRule(permissions.subscribe)}`);
    if (permissions.allowResponses) parts.push('allow_responses: true');
    fields.push(`permissions: { ${parts.join(', ')} }`);
  }
  return `{ ${fields.join(', ')} }`;
}

function renderRule(rule: NatsPermissionRule): string {
  const parts: string[] = [];
  if (rule.allow) parts.push(`allow: ${list(rule.allow)}`);
  if (rule.deny) parts.push(`deny: ${list(rule.deny)}`);
  return `{ ${parts.join(', ')} }`;
}

function list(values: string[]): string {
  return `[${values.map(q).join(', ')}]`;
}

/** nats-server accepts JSON string syntax; this quotes any user-chosen text safely. */
function q(value: string): string {
  return JSON.stringify(value);
}

function assertDistinctUsers(names: string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new Error(`NATS user "${name}" is defined twice (the admin and system users are reserved)`);
    seen.add(name);
  }
}

// ---------------------------------------------------------------------------------------------
// The process backend

export interface StartNatsOptions extends NatsServerOptions {
  /** Config, store and log live here; a temporary directory (removed on stop) when absent. */
  workDir?: string;
  /** Keep the server running after this process exits (`mgw dev up --detach`). */
  detached?: boolean;
}

const READY_TIMEOUT_MS = 30_000;

export async function startNats(opts: StartNatsOptions = {}): Promise<NatsHandle> {
  const temporary = opts.workDir === undefined;
  const workDir = opts.workDir ?? mkdtempSync(join(tmpdir(), 'mgw-nats-'));
  mkdirSync(workDir, { recursive: true });
  const name = opts.name ?? `mgw-nats-${randomBytes(3).toString('hex')}`;
  const port = await freePort();
  const admin = { user: 'admin', password: randomBytes(18).toString('base64url') };
  const configFile = join(workDir, 'nats.conf');
  const config = renderNatsConfig(opts, {
    port,
    storeDir: join(workDir, 'jetstream'),
    serverName: name,
    admin,
    system: { user: 'system', password: randomBytes(18).toString('base64url') },
  });
  writeFileSync(configFile, config, { mode: 0o600 });

  const url = `nats://127.0.0.1:${port}`;
  const launch = async (): Promise<ProcessHandle> => {
    const proc = startProcess({
      name: 'nats-server',
      command: toolPaths().natsServer,
      args: ['-c', configFile],
      logFile: join(workDir, 'nats.log'),
      detached: opts.detached,
      registryDir: workDir,
    });
    await waitForJetStream(url, admin, proc);
    return proc;
  };

  let proc = await launch();
  return {
    backend: 'process',
    url,
    admin,
    async restart() {
      await proc.stop();
      proc = await launch();
    },
    async stop() {
      await proc.stop();
      if (temporary) rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/** Ready means: a client can log in and the JetStream API of the application account answers. */
export async function jetStreamAnswers(url: string, admin: NatsCredentials): Promise<boolean> {
  const nc = await connect({ servers: url, user: admin.user, pass: admin.password, reconnect: false, timeout: 1_000 });
  try {
    const jsm = await jetstreamManager(nc, { timeout: 2_000 });
    await jsm.getAccountInfo();
    return true;
  } finally {
    await nc.close();
  }
}

async function waitForJetStream(url: string, admin: NatsCredentials, proc: ProcessHandle): Promise<void> {
  await waitFor(() => jetStreamAnswers(url, admin), { timeoutMs: READY_TIMEOUT_MS, what: `NATS JetStream at ${url}`, process: proc });
}
