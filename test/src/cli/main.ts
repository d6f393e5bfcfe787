// `mgw`: the developer CLI. People and tests drive a local installation with it.
// Command groups load lazily: `mgw toolchain` runs before every test and must not pay for the
// Kubernetes and NATS clients that `mgw dev` needs.
import { CliError } from './output.js';

const USAGE = `mgw — Microgateway developer CLI

  mgw dev up [--detach] [--name NAME] [--state-dir DIR]   start a local installation
  mgw dev env [--json] [--name NAME] [--state-dir DIR]    print how to reach it (KUBECONFIG, NATS_URL)
  mgw dev down [--name NAME] [--state-dir DIR]            stop it and remove what it started
  mgw dev events [--since 10m] [--name NAME] [--state-dir DIR]   print its audit events (CloudEvents, one JSON per line) until Ctrl-C
  mgw translate -f FILE [--gateway NS/NAME] [-o yaml|json]   print the Envoy config Gateway API objects produce
  mgw toolchain provision [--only tool,tool] [--force]    fetch/build the pinned binaries (once per machine)
  mgw toolchain status                                    show the pinned tools and whether they are cached
  mgw conformance run --gateway-class NAME --report FILE [--kubeconfig PATH] [--allow-crds-mismatch]
                                                          run the Gateway API conformance suite (on a fresh local cluster by default)
`;

async function main(argv: string[]): Promise<number> {
  const [group, ...rest] = argv;
  switch (group) {
    case 'dev':
      return (await import('./dev.js')).runDev(rest);
    case 'translate':
      return (await import('./translate.js')).runTranslate(rest);
    case 'toolchain':
      return (await import('./toolchain.js')).runToolchain(rest);
    case 'conformance':
      return (await import('./conformance.js')).runConformance(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return group === undefined ? 2 : 0;
    default:
      throw new CliError(`unknown command "${group}"\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof CliError) {
      process.stderr.write(`mgw: ${err.message}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    process.stderr.write(`mgw: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
