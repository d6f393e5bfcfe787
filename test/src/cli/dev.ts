import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { parseArgs } from 'node:util';
import { instanceNameSchema } from '@microgateway/contracts';
import type { DevState } from '../dev/index.js';
import { defaultStateDir, followEvents, natsUrlWithCredentials, parseSince, readDevState, startDevStack, stopDevStack } from '../dev/index.js';
import { toolDir } from '../toolchain/paths.js';
import { CliError, progress } from './output.js';

const commonOptions = {
  name: { type: 'string', default: 'dev' },
  'state-dir': { type: 'string' },
} as const;

export async function runDev(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'up':
      return up(rest);
    case 'down':
      return down(rest);
    case 'env':
      return env(rest);
    case 'events':
      return events(rest);
    default:
      throw new CliError('usage: mgw dev up [--detach] | mgw dev down | mgw dev env [--json] | mgw dev events [--since 10m]');
  }
}

function stateDirOf(values: { name?: string; 'state-dir'?: string }): { name: string; stateDir: string } {
  const name = values.name ?? 'dev';
  return { name, stateDir: values['state-dir'] ?? defaultStateDir(name) };
}

async function up(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { ...commonOptions, detach: { type: 'boolean', default: false } } });
  const { name, stateDir } = stateDirOf(values);
  const started = Date.now();
  const stack = await startDevStack({ name, stateDir, detached: values.detach, log: progress });
  progress(`local installation "${name}" is up in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  process.stdout.write(howToUse(stack.state));
  if (values.detach) return 0;

  progress('running in the foreground: Ctrl-C (or `mgw dev down` elsewhere) stops everything');
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  progress(`${signal}: stopping`);
  await stack.stop();
  progress('stopped');
  return 0;
}

async function down(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: commonOptions });
  const { name, stateDir } = stateDirOf(values);
  const state = readDevState(stateDir);
  if (state && !state.detached) await stopForegroundSupervisor(state.supervisorPid);
  const existed = await stopDevStack(stateDir, name);
  progress(existed || state ? `local installation "${name}" stopped` : `nothing was running for "${name}" (cleaned up anyway)`);
  return 0;
}

function runningState(values: { name?: string; 'state-dir'?: string }): DevState {
  const { name, stateDir } = stateDirOf(values);
  const state = readDevState(stateDir);
  if (!state) throw new CliError(`no local installation "${name}" is running (state dir ${stateDir}); start one with \`npm run quickstart\``, 1);
  return state;
}

async function env(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { ...commonOptions, json: { type: 'boolean', default: false } } });
  const state = runningState(values);
  const stateDir = state.stateDir;
  const natsUrl = natsUrlWithCredentials(state);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ kubeconfig: state.kubeconfig, natsUrl, kubeServer: state.kubeServer, stateDir }, null, 2)}\n`);
  } else {
    process.stdout.write(`export KUBECONFIG=${shellQuote(state.kubeconfig)}\nexport NATS_URL=${shellQuote(natsUrl)}\n`);
  }
  return 0;
}

/** Prints the installation's CloudEvents, one JSON object per line, until Ctrl-C. */
async function events(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { ...commonOptions, since: { type: 'string' } } });
  const state = runningState(values);
  const sinceMs = values.since === undefined ? undefined : parseSince(values.since);
  if (values.since !== undefined && sinceMs === undefined) throw new CliError(`--since: expected a duration such as 90s, 10m, 2h or 1d, not "${values.since}"`);
  const until = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  progress(`events of instance "${state.instance}"${sinceMs === undefined ? '' : ` since ${values.since} ago`}; Ctrl-C stops`);
  await followEvents(state, instanceNameSchema.parse(state.instance), {
    ...(sinceMs === undefined ? {} : { since: new Date(Date.now() - sinceMs) }),
    write: (line) => process.stdout.write(`${line}\n`),
    until,
  });
  return 0;
}

/** A foreground `mgw dev up` owns its children; asking it to stop lets it shut them down in order. */
async function stopForegroundSupervisor(pid: number): Promise<void> {
  if (pid === process.pid || !isAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 30_000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function howToUse(state: DevState): string {
  // The flags that name this installation; none for the default one (`npm run quickstart`).
  const flags = [
    ...(state.name === 'dev' ? [] : [`--name ${state.name}`]),
    ...(state.stateDir === defaultStateDir(state.name) ? [] : [`--state-dir ${shellQuote(state.stateDir)}`]),
  ];
  const target = flags.map((f) => ` ${f}`).join('');
  const address = state.example?.address;
  return [
    '',
    'Microgateway local installation is running: the local cluster, NATS, and the services ca, renderer, watcher, deployer.',
    '',
    ...(address === undefined
      ? []
      : [
        `  The example (${state.example?.manifest}): Gateway ${state.example?.gateway} is Programmed. Reach the echo app through its Engine:`,
        `    curl http://${address}/`,
        '    # → HTTP 200 with the echo app\'s JSON: the request it saw ("path": "/", "headers": {... "X-Forwarded-For" ...}) and "namespace": "demo", "pod": "echo-..."',
        '',
      ]),
    '  Kubernetes:',
    `    export KUBECONFIG=${shellQuote(state.kubeconfig)}`,
    ...kubectlLines(state),
    '',
    '  Audit events (CloudEvents, one JSON per line, until Ctrl-C):',
    `    npx mgw dev events${target}   # add --since 10m for only the last ten minutes`,
    '',
    `  More: eval "$(npx mgw dev env${target})" sets KUBECONFIG and NATS_URL (${state.nats.url}, user ${state.nats.user})`,
    `    Service logs: ${join(state.stateDir, 'services')}/<service>.log   Pod logs: ${state.podsDir}/<namespace>_<pod>_<uid>/logs/<container>.log`,
    '',
    `  Stop it: npx mgw dev down${target}${state.detached ? '' : '   (or Ctrl-C here)'}`,
    '',
  ].join('\n');
}

function kubectlLines(state: DevState): string[] {
  const kubectl = findKubectl();
  if (kubectl !== undefined) return [`    ${kubectl} get gatewayclasses,gateways,httproutes -A`];
  return [
    '    (no kubectl here: the toolchain does not build one and none is on PATH; the REST API works with curl)',
    `    curl --cacert ${shellQuote(state.kubeCaPath ?? join(state.stateDir, 'kube', 'certs', 'apiserver.crt'))} -H "Authorization: Bearer $(sed -n 's/^ *token: //p' "$KUBECONFIG")" \\`,
    `      ${state.kubeServer}/apis/gateway.networking.k8s.io/v1/gateways`,
  ];
}

/** The toolchain's kubectl when it has one, else the first on PATH (printed with its full path). */
function findKubectl(): string | undefined {
  const candidates = [join(toolDir('kubernetes'), 'bin', 'kubectl'), ...(process.env.PATH ?? '').split(delimiter).filter((d) => d !== '').map((d) => join(d, 'kubectl'))];
  return candidates.find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
