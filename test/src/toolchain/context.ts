// What a recipe gets to build one tool: its scratch and output directories, a way to run commands
// (output into the tool's log) and `step`, which prints a start line, a heartbeat every ~20 s, and
// an end line with the duration.
import type { Writable } from 'node:stream';
import type { RunOptions } from './exec.js';
import { runCommand } from './exec.js';
import { formatDuration } from './format.js';
import type { Pins, ToolName } from './paths.js';

export interface BuildContext {
  tool: ToolName;
  version: string;
  pins: Pins;
  /** Scratch space: wrapper modules, downloads. Deleted after the build. */
  workDir: string;
  /** Becomes `<cache>/<tool>-<version>` once verified: put `bin/` (or `crds/`) here. */
  outDir: string;
  run(cmd: string, args: readonly string[], opts?: Partial<RunOptions>): Promise<string>;
  step<T>(label: string, fn: () => Promise<T>): Promise<T>;
  log(line: string): void;
}

export interface ContextInit {
  tool: ToolName;
  version: string;
  pins: Pins;
  workDir: string;
  outDir: string;
  logFile: Writable;
  log: (line: string) => void;
  heartbeatMs?: number;
}

export function createContext(init: ContextInit): BuildContext {
  let lastOutput = '';
  const heartbeatMs = init.heartbeatMs ?? 20_000;
  const say = (line: string): void => init.log(`${init.tool}: ${line}`);
  return {
    tool: init.tool,
    version: init.version,
    pins: init.pins,
    workDir: init.workDir,
    outDir: init.outDir,
    log: say,
    run: (cmd, args, opts) =>
      runCommand(cmd, args, { cwd: opts?.cwd ?? init.workDir, ...opts }, { log: init.logFile, onLine: (line) => (lastOutput = line) }),
    async step<T>(label: string, fn: () => Promise<T>): Promise<T> {
      const started = Date.now();
      lastOutput = '';
      say(`${label}…`);
      const timer = setInterval(() => say(`still ${label}… ${formatDuration(Date.now() - started)}${latest(lastOutput)}`), heartbeatMs);
      try {
        const result = await fn();
        say(`${label}: done in ${formatDuration(Date.now() - started)}`);
        return result;
      } catch (err) {
        say(`${label}: failed after ${formatDuration(Date.now() - started)}`);
        throw err;
      } finally {
        clearInterval(timer);
      }
    },
  };
}

/** The latest output line, shortened, so a heartbeat shows that something is moving. */
function latest(line: string): string {
  if (line === '') return '';
  return ` (${line.length > 100 ? `${line.slice(0, 97)}...` : line})`;
}
