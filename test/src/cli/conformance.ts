// `mgw conformance run`: the Gateway API conformance suite (the pinned test binary, see
// toolchain/recipes/conformance.ts) against a GatewayClass, on a fresh local cluster or on the
// cluster of a given kubeconfig, with the suite's report written to a file. The exit code is the
// suite's: non-zero as long as any test fails.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { KubeObject } from '../cluster/rest.js';
import type { Installation } from '../system/system-fixture.js';
import { apply, startInstallation } from '../system/system-fixture.js';
import { waitFor } from '../harness/index.js';
import { provision } from '../toolchain/index.js';
import { toolPaths } from '../toolchain/paths.js';
import { CliError, progress } from './output.js';

const USAGE = `usage: mgw conformance run --gateway-class NAME --report FILE [--kubeconfig PATH] [--allow-crds-mismatch]
                           [--profiles GATEWAY-HTTP,…] [--supported-features Gateway,HTTPRoute,…]
                           [--run-test NAME] [--timeout-overrides 'GWCMustBeAccepted:10;…'] [--log FILE] [-- SUITE-FLAGS…]
  Without --supported-features the suite reads them from the GatewayClass status.
  Without --kubeconfig a whole local installation (cluster, NATS, the four services) is started for
  the run, with the GatewayClass NAME of instance default, and removed afterwards.
  The local cluster installs newer Gateway API CRDs than the suite's version: pass --allow-crds-mismatch.
  --log writes the suite's (long) output to FILE instead of the terminal.`;

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
  log: string | undefined;
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
      log: { type: 'string' },
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
    log: values.log && resolve(values.log),
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
  let installation: Installation | undefined;
  let workDir: string | undefined;
  try {
    let kubeconfig = opts.kubeconfig;
    if (!kubeconfig) {
      workDir = mkdtempSync(join(tmpdir(), 'mgw-conformance-'));
      progress(`starting a local installation (cluster, NATS, the four services) in ${workDir}`);
      installation = await startInstallation({ workDir, name: `conformance-${process.pid}` });
      await apply(installation.rest, [gatewayClass(opts.gatewayClass, installation.instance)]);
      await classReady(installation, opts.gatewayClass);
      kubeconfig = installation.cluster.kubeconfigPath;
    }
    progress(`running the conformance suite for GatewayClass ${opts.gatewayClass} (report: ${opts.report}${opts.log ? `, log: ${opts.log}` : ''})`);
    const code = await runSuite(binary, suiteArgs(opts), kubeconfig, opts.log);
    progress(`suite exited with ${code}; report ${existsSync(opts.report) ? `written to ${opts.report}` : 'NOT written'}`);
    return code;
  } finally {
    if (installation) {
      progress('stopping the local installation');
      await installation.stop();
    }
    if (workDir && !process.env.MGW_KEEP_WORKDIR) rmSync(workDir, { recursive: true, force: true });
  }
}

/** Runs the suite in the foreground; Ctrl-C stops it, and the caller still removes the cluster. */
function runSuite(binary: string, args: string[], kubeconfig: string, log: string | undefined): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const output = log === undefined ? 'inherit' : openSync(log, 'w');
    const child = spawn(binary, args, { env: { ...process.env, KUBECONFIG: kubeconfig }, stdio: ['ignore', output, output] });
    if (typeof output === 'number') closeSync(output);
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

function gatewayClass(name: string, instance: string): KubeObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    metadata: { name },
    spec: { controllerName: `microgateway.dev/${instance}` },
  } as KubeObject;
}

/** The suite reads the features to test from the class's status: wait until the product published them. */
async function classReady(installation: Installation, name: string): Promise<void> {
  await waitFor(
    async () => {
      const object = await installation.rest.request<{ status?: { supportedFeatures?: unknown[]; conditions?: { type: string; status: string }[] } }>(
        'GET', `/apis/gateway.networking.k8s.io/v1/gatewayclasses/${name}`,
      );
      const accepted = object.status?.conditions?.some((c) => c.type === 'Accepted' && c.status === 'True') ?? false;
      return accepted && (object.status?.supportedFeatures?.length ?? 0) > 0 ? true : undefined;
    },
    { timeoutMs: 60_000, what: `GatewayClass ${name} Accepted with supportedFeatures`, intervalMs: 250 },
  );
}
