/** The command line of a service: only `--config FILE` (or `--config=FILE`) is accepted. */
export interface ServiceArgs {
  configFile?: string;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseServiceArgs(argv: readonly string[]): ServiceArgs {
  const args: ServiceArgs = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--config') {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError('--config needs a file path');
      args.configFile = value;
      i++;
    } else if (arg.startsWith('--config=')) {
      args.configFile = arg.slice('--config='.length);
      if (args.configFile === '') throw new UsageError('--config needs a file path');
    } else {
      throw new UsageError(`unknown argument ${JSON.stringify(arg)} (usage: [--config FILE])`);
    }
  }
  return args;
}
