// `mgw conformance run`: the Gateway API conformance suite (the pinned test binary, see
// toolchain/recipes/conformance.ts) against a GatewayClass, on a fresh local cluster or on the
// cluster of a given kubeconfig, with the suite's report written to a file. The exit code is the
// suite's: non-zero as long as any test fails.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalCluster } from '../cluster/index.js';
import type { LocalCluster } from '../cluster/index.js';
import { provision } from '../toolchain/index.js';
import { toolPaths } from '../toolchain/paths.js';
import { CliError, progress } from './output.js';

const USAGE = `usage: mgw conformance run --gateway-class NAME --report FILE [--kubeconfig PATH] [--allow-crds-mismatch]
                           [--profiles GATEWAY-HTTP,…] [--supported-features Gateway,HTTPRoute,…]
                           [--run-test NAME] [--timeout-overrides 'GWCMustBeAccepted:10;…'] [-- SUITE-FLAGS…]
  Without --supported-features the suite reads them from the GatewayClass status.
  Without --kubeconfig a local cluster is started for the run and removed afterwards.
  The local cluster installs newer Gateway API CRDs than the suite's version: pass --allow-crds-mismatch.`;

/** The report's implementation block: the suite refuses to write a report without it. */
const IMPLEMENTATION_FLAGS = [
  '-organization=microgateway',
  '-project=microgateway',
  '-url=https://github.com/microgateway/microgateway',
  '-version=dev',
  '-contact=@microgateway/maintainers',
];

interface RunOptions {
  gatewayClass: string;
  report: string;
  kubeconfig: string | undefined;
  allowCrdsMismatch: boolean;
  runTest: string | undefined;
  profiles: string;
  supportedFeatures: string | undefined;
  timeoutOverrides: string | undefined;
  extra: string[];
}

export async function runConformance(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'run') throw new CliError(USAGE);
  return run(parseRunOptions(rest));
}

function parseRunOptions(argv: string[]): RunOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'gateway-class': { type: 'string' },
      report: { type: 'string' },
      kubeconfig: { type: 'string' },
      'allow-crds-mismatch': { type: 'boolean', default: false },
      'run-test': { type: 'string' },
      profiles: { type: 'string', default: 'GATEWAY-HTTP' },
      'supported-features': { type: 'string' },
      'timeout-overrides': { type: 'string' },
    },
  });
  const gatewayClass = values['gateway-class'];
  const report = values.report;
  if (!gatewayClass || !report) throw new CliError(`--gateway-class and --report are required\n${USAGE}`);
  return {
    gatewayClass, report: resolve(report), kubeconfig: values.kubeconfig && resolve(values.kubeconfig),
    allowCrdsMismatch: values['allow-crds-mismatch'], runTest: values['run-test'], profiles: values.profiles,
    supportedFeatures: values['supported-features'], timeoutOverrides: values['timeout-overrides'],
    extra: positionals,
  };
}

function suiteArgs(opts: RunOptions): string[] {
  return [
    '-test.v',
    `-gateway-class=${opts.gatewayClass}`,
    `-report-output=${opts.report}`,
    ...(opts.allowCrdsMismatch ? ['-allow-crds-mismatch'] : []),
    `-conformance-profiles=${opts.profiles}`,
    ...(opts.supportedFeatures ? [`-supported-features=${opts.supportedFeatures}`] : []),
    ...(opts.runTest ? [`-run-test=${opts.runTest}`] : []),
    ...(opts.timeoutOverrides ? [`-timeout-config-overrides=${opts.timeoutOverrides}`] : []),
    ...IMPLEMENTATION_FLAGS,
    ...opts.extra,
  ];
}

async function run(opts: RunOptions): Promise<number> {
  // Built on first use only: the test command never needs it (ADR 0003).
  await provision({ only: ['conformance'], log: progress });
  const binary = toolPaths().conformanceTest;
  let cluster: LocalCluster | undefined;
  let workDir: string | undefined;
  try {
    let kubeconfig = opts.kubeconfig;
    if (!kubeconfig) {
      workDir = mkdtempSync(join(tmpdir(), 'mgw-conformance-'));
      progress(`starting a local cluster in ${workDir}`);
      cluster = await startLocalCluster({ workDir, name: `conformance-${process.pid}`, log: progress });
      kubeconfig = cluster.kubeconfigPath;
    }
    progress(`running the conformance suite for GatewayClass ${opts.gatewayClass} (report: ${opts.report})`);
    const code = await runSuite(binary, suiteArgs(opts), kubeconfig);
    progress(`suite exited with ${code}; report ${existsSync(opts.report) ? `written to ${opts.report}` : 'NOT written'}`);
    return code;
  } finally {
    if (cluster) {
      progress('stopping the local cluster');
      await cluster.stop();
    }
    if (workDir && !process.env.MGW_KEEP_WORKDIR) rmSync(workDir, { recursive: true, force: true });
  }
}

/** Runs the suite in the foreground; Ctrl-C stops it, and the caller still removes the cluster. */
function runSuite(binary: string, args: string[], kubeconfig: string): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(binary, args, { env: { ...process.env, KUBECONFIG: kubeconfig }, stdio: ['ignore', 'inherit', 'inherit'] });
    const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolvePromise(code ?? (signal ? 128 : 1));
    });
  });
}
