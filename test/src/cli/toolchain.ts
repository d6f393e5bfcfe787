// `mgw toolchain provision|status`: the pinned external binaries (kube-apiserver, etcd, nats-server,
// Envoy, Gateway API CRDs, ...) in the per-user cache. scripts/run.sh calls `provision` before tests.
import { parseArgs } from 'node:util';
import type { ToolReport } from '../toolchain/index.js';
import { formatDuration, isToolName, provision, ProvisionError, TOOL_NAMES, toolchainStatus } from '../toolchain/index.js';
import { CliError, progress } from './output.js';

const USAGE = 'usage: mgw toolchain provision [--only tool,tool] [--force] | mgw toolchain status';

export async function runToolchain(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'provision') return runProvision(rest);
  if (command === 'status') return runStatus(rest);
  throw new CliError(USAGE);
}

function parseOnly(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const names = value.split(',').map((t) => t.trim()).filter((t) => t !== '');
  const unknown = names.filter((name) => !isToolName(name));
  if (names.length === 0 || unknown.length > 0) {
    throw new CliError(`--only: unknown tool(s) ${unknown.join(', ') || '(none given)'}; known: ${TOOL_NAMES.join(', ')}`);
  }
  return names;
}

async function runProvision(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { only: { type: 'string' }, force: { type: 'boolean', default: false } } });
  const only = parseOnly(values.only)?.filter(isToolName);
  try {
    const report = await provision({ ...(only ? { only } : {}), force: values.force, log: (line) => progress(`toolchain: ${line}`) });
    const built = report.tools.filter((t) => t.outcome === 'built');
    progress(`toolchain: ${summary(report.tools)} (${formatDuration(report.seconds * 1000)}${built.length > 0 ? `, built ${built.map((t) => t.tool).join(', ')}` : ''})`);
    return 0;
  } catch (err) {
    if (err instanceof ProvisionError) throw new CliError(err.message, 1);
    throw err;
  }
}

function summary(tools: readonly ToolReport[]): string {
  const ready = tools.filter((t) => t.outcome !== 'skipped').map((t) => `${t.tool} ${t.version}`);
  return `ready: ${ready.join(', ')}`;
}

function runStatus(args: string[]): number {
  parseArgs({ args, options: {} });
  const rows = toolchainStatus();
  for (const row of rows) {
    const state = row.present ? 'cached ' : row.needed ? 'missing' : 'unused ';
    process.stdout.write(`${state}  ${row.tool.padEnd(12)} ${row.version.padEnd(10)} ${row.path}\n`);
  }
  return rows.every((r) => r.present || !r.needed) ? 0 : 1;
}
