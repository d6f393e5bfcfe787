// Provisions the pinned tools into the per-user cache (layout in paths.ts). Each tool is built in
// `<cache>/.tmp-<tool>-<version>-<pid>`, verified, marked `.complete` and only then renamed into
// place, so an interrupted run leaves nothing that looks usable; the next run removes the leftovers
// and starts that tool again. Tools already complete cost one stat each.
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createContext } from './context.js';
import { CommandError } from './exec.js';
import { formatDuration, lastLines } from './format.js';
import { acquireToolLock, isProcessAlive } from './lock.js';
import { isComplete, markerJson } from './marker.js';
import type { Pins, ToolName } from './paths.js';
import { cacheRoot, COMPLETE_MARKER, isToolName, loadPins, pinnedVersion, TOOL_BINARIES, TOOL_NAMES, toolDir } from './paths.js';
import { needsPinnedNode, RECIPES } from './recipes/index.js';

export interface ProvisionOptions {
  only?: ToolName[];
  log?: (line: string) => void;
  /** Rebuild even what is complete (the old directory is replaced only once the new one is verified). */
  force?: boolean;
}

export type ToolOutcome = 'cached' | 'built' | 'skipped';

export interface ToolReport {
  tool: ToolName;
  version: string;
  dir: string;
  outcome: ToolOutcome;
  seconds: number;
  note?: string;
}

export interface ProvisionReport {
  tools: ToolReport[];
  seconds: number;
}

export class ProvisionError extends Error {
  constructor(
    message: string,
    readonly tool: ToolName,
    readonly version: string,
    readonly logPath: string,
    readonly command?: string,
  ) {
    super(message);
    this.name = 'ProvisionError';
  }
}

/** Cheap tools first: a machine without python3 or go says so in seconds, not after a 15-minute build. */
export const BUILD_ORDER: readonly ToolName[] = ['node', 'envoy', 'gateway-api', 'echo-basic', 'conformance', 'nats-server', 'coredns', 'kustomize', 'etcd', 'kubernetes'];

/** Built only by the command that needs them: the conformance suite binary (~4 min cold) for `mgw conformance run`. */
export const ON_DEMAND: readonly ToolName[] = ['conformance'];

/**
 * The tools a run provisions: `only` (in build order), else all of them but the on-demand ones,
 * and node only while the running Node is too old (scripts/run.sh fetched the pinned one otherwise).
 */
export function wantedTools(only: readonly string[] | undefined, runningNode: string): ToolName[] {
  if (only) {
    const unknown = only.filter((name) => !isToolName(name));
    if (unknown.length > 0) throw new Error(`unknown tool(s) ${unknown.join(', ')}; known: ${TOOL_NAMES.join(', ')}`);
    return BUILD_ORDER.filter((tool) => only.includes(tool));
  }
  return BUILD_ORDER.filter((tool) => !ON_DEMAND.includes(tool) && (tool !== 'node' || needsPinnedNode(runningNode)));
}

/** The pid in a scratch directory name `.tmp-<tool>-<version>-<pid>[-suffix]`, if it is one of this tool's. */
export function scratchOwnerPid(name: string, tool: string, version: string): number | undefined {
  const prefix = `.tmp-${tool}-${version}-`;
  if (!name.startsWith(prefix)) return undefined;
  const match = /^(\d+)(?:-.*)?$/.exec(name.slice(prefix.length));
  return match ? Number(match[1]) : undefined;
}

export async function provision(opts: ProvisionOptions = {}): Promise<ProvisionReport> {
  const started = Date.now();
  const env: RunEnv = { pins: loadPins(), root: cacheRoot(), log: opts.log ?? ((): void => undefined), force: opts.force ?? false };
  const tools: ToolReport[] = [];
  for (const tool of wantedTools(opts.only, process.version)) tools.push(await ensureTool(tool, env));
  if (!opts.only && !tools.some((t) => t.tool === 'node')) {
    const version = pinnedVersion('node', env.pins);
    tools.unshift({ tool: 'node', version, dir: toolDir('node', env.pins, env.root), outcome: 'skipped', seconds: 0, note: `running ${process.version}` });
  }
  return { tools, seconds: (Date.now() - started) / 1000 };
}

/** The tools a default `provision()` would still have to build. */
export function missingTools(pins: Pins = loadPins(), root: string = cacheRoot()): ToolName[] {
  return wantedTools(undefined, process.version).filter((tool) => !isComplete(toolDir(tool, pins, root), tool, pinnedVersion(tool, pins)));
}

export interface ToolStatus {
  tool: ToolName;
  version: string;
  path: string;
  present: boolean;
  /** False for node while the running Node is recent enough. */
  needed: boolean;
}

export function toolchainStatus(pins: Pins = loadPins(), root: string = cacheRoot()): ToolStatus[] {
  const needed = wantedTools(undefined, process.version);
  return TOOL_NAMES.map((tool) => {
    const version = pinnedVersion(tool, pins);
    const path = toolDir(tool, pins, root);
    return { tool, version, path, present: isComplete(path, tool, version), needed: needed.includes(tool) };
  });
}

interface RunEnv {
  pins: Pins;
  root: string;
  log: (line: string) => void;
  force: boolean;
}

async function ensureTool(tool: ToolName, env: RunEnv): Promise<ToolReport> {
  const started = Date.now();
  const version = pinnedVersion(tool, env.pins);
  const dir = toolDir(tool, env.pins, env.root);
  const report = (outcome: ToolOutcome, note?: string): ToolReport => ({
    tool, version, dir, outcome, seconds: (Date.now() - started) / 1000, ...(note ? { note } : {}),
  });
  if (!env.force && isComplete(dir, tool, version)) return report('cached');
  env.log(`${tool} ${version}: provisioning into ${dir} (${RECIPES[tool].coldEstimate})`);
  const lock = await acquireToolLock(env.root, tool, { log: env.log });
  try {
    if (!env.force && isComplete(dir, tool, version)) return report('cached', 'provisioned meanwhile by another run');
    await buildTool(tool, version, dir, env);
  } finally {
    await lock.release();
  }
  env.log(`${tool} ${version}: ready in ${formatDuration(Date.now() - started)}`);
  return report('built');
}

async function buildTool(tool: ToolName, version: string, dir: string, env: RunEnv): Promise<void> {
  await removeScratchLeftovers(tool, version, env);
  const scratch = join(env.root, `.tmp-${tool}-${version}-${process.pid}`);
  const ctxDirs = { workDir: join(scratch, 'work'), outDir: join(scratch, 'out') };
  await rm(scratch, { recursive: true, force: true });
  await mkdir(ctxDirs.workDir, { recursive: true });
  await mkdir(join(ctxDirs.outDir, TOOL_BINARIES[tool].length > 0 ? 'bin' : ''), { recursive: true });
  const logPath = join(env.root, 'logs', `${tool}-${version}.log`);
  await mkdir(join(env.root, 'logs'), { recursive: true });
  const logFile = createWriteStream(logPath);
  logFile.write(`# ${tool} ${version}, pid ${process.pid}, started ${new Date().toISOString()}\n`);
  const started = Date.now();
  const ctx = createContext({ tool, version, pins: env.pins, ...ctxDirs, logFile, log: env.log });
  try {
    await RECIPES[tool].build(ctx);
    await ctx.step('verifying', () => RECIPES[tool].verify(ctx));
    // The marker goes in last: everything before it is verified.
    await writeFile(join(ctxDirs.outDir, COMPLETE_MARKER), markerJson(tool, version, new Date(), (Date.now() - started) / 1000));
    await install(ctxDirs.outDir, dir, join(scratch, 'replaced'));
  } catch (err) {
    await closeLog(logFile);
    throw await describeFailure(tool, version, err, logPath);
  } finally {
    await closeLog(logFile);
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Renames the verified build into place; an older or incomplete directory is moved aside first. */
async function install(built: string, dir: string, aside: string): Promise<void> {
  if (existsSync(dir)) await rename(dir, aside);
  await rename(built, dir);
}

/** Scratch directories of runs that died (killed mid-build): safe to delete, we hold the lock. */
async function removeScratchLeftovers(tool: ToolName, version: string, env: RunEnv): Promise<void> {
  for (const name of await readdir(env.root)) {
    const pid = scratchOwnerPid(name, tool, version);
    if (pid === undefined || (pid !== process.pid && isProcessAlive(pid))) continue;
    env.log(`${tool}: removing ${name} left by an interrupted run`);
    await rm(join(env.root, name), { recursive: true, force: true });
  }
}

function closeLog(stream: WriteStream): Promise<void> {
  if (stream.closed || stream.writableFinished) return Promise.resolve();
  return new Promise((resolve) => stream.end(() => resolve()));
}

async function describeFailure(tool: ToolName, version: string, err: unknown, logPath: string): Promise<ProvisionError> {
  const reason = err instanceof Error ? err.message : String(err);
  const tail = lastLines(await readFile(logPath, 'utf8').catch(() => ''), 20);
  const message = [
    `provisioning ${tool} ${version} failed: ${reason}`,
    `full log: ${logPath}`,
    ...(tail.length > 0 ? ['last lines of the log:', ...tail.map((line) => `  ${line}`)] : []),
  ].join('\n');
  return new ProvisionError(message, tool, version, logPath, err instanceof CommandError ? err.command : undefined);
}
