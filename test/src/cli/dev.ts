import { parseArgs } from 'node:util';
import type { DevState } from '../dev/index.js';
import { defaultStateDir, natsUrlWithCredentials, readDevState, startDevStack, stopDevStack } from '../dev/index.js';
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
    default:
      throw new CliError('usage: mgw dev up [--detach] | mgw dev down | mgw dev env [--json]');
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

async function env(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { ...commonOptions, json: { type: 'boolean', default: false } } });
  const { name, stateDir } = stateDirOf(values);
  const state = readDevState(stateDir);
  if (!state) throw new CliError(`no local installation "${name}" is running (state dir ${stateDir}); start one with \`npm run quickstart\``, 1);
  const natsUrl = natsUrlWithCredentials(state);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ kubeconfig: state.kubeconfig, natsUrl, kubeServer: state.kubeServer, stateDir }, null, 2)}\n`);
  } else {
    process.stdout.write(`export KUBECONFIG=${shellQuote(state.kubeconfig)}\nexport NATS_URL=${shellQuote(natsUrl)}\n`);
  }
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
  return [
    '',
    'Microgateway local installation is running.',
    '',
    '  Use it:',
    `    eval "$(npx mgw dev env --name ${state.name})"   # sets KUBECONFIG and NATS_URL`,
    '    kubectl get gatewayclasses,gateways,httproutes -A',
    `    kubeconfig: ${state.kubeconfig}`,
    `    NATS:       ${state.nats.url} (user ${state.nats.user})`,
    '',
    `    Pod logs:   ${state.podsDir}/<namespace>_<pod>_<uid>/logs/<container>.log`,
    '',
    '  Not yet running here: the four services and Engines — they arrive with the end-to-end work.',
    '',
    `  Stop it: npx mgw dev down --name ${state.name}${state.detached ? '' : '   (or Ctrl-C here)'}`,
    '',
  ].join('\n');
}
