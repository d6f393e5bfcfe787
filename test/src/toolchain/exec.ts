// Runs the build commands: asynchronously, with their whole output streamed into the tool's log
// file (the terminal only gets progress lines), and stopped with us if we are interrupted.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';

export interface RunOptions {
  cwd: string;
  /** Added to (or, with `undefined` values, removed from) this process's environment. */
  env?: Record<string, string | undefined>;
  /** Return stdout ('stdout') or stdout and stderr interleaved ('all'); both still go to the log. */
  capture?: 'stdout' | 'all';
}

export interface CommandSink {
  log: Writable;
  /** Called with each non-empty output line, e.g. to show the latest one in a heartbeat. */
  onLine?: (line: string) => void;
}

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
    readonly spawnError?: Error,
  ) {
    super(describeFailure(command, exitCode, signal, spawnError));
    this.name = 'CommandError';
  }
}

function describeFailure(command: string, exitCode: number | null, signal: NodeJS.Signals | null, spawnError?: Error): string {
  if (spawnError) return `\`${command}\` could not start: ${spawnError.message}`;
  return signal ? `\`${command}\` was killed by ${signal}` : `\`${command}\` exited with code ${exitCode}`;
}

/** A shell-like rendering of a command for logs and error messages. */
export function renderCommand(cmd: string, args: readonly string[], env?: Record<string, string | undefined>): string {
  const quote = (word: string): string => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`);
  const assignments = Object.entries(env ?? {})
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${quote(value)}`);
  return [...assignments, cmd, ...args.map(quote)].join(' ');
}

export function runCommand(cmd: string, args: readonly string[], opts: RunOptions, sink: CommandSink): Promise<string> {
  const rendered = renderCommand(cmd, args, opts.env);
  sink.log.write(`\n$ cd ${opts.cwd} && ${rendered}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: mergeEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    track(child);
    const captured: Buffer[] = [];
    const forward = (chunk: Buffer, captureIt: boolean): void => {
      sink.log.write(chunk);
      if (captureIt) captured.push(chunk);
      if (sink.onLine) emitLastLine(chunk, sink.onLine);
    };
    child.stdout?.on('data', (chunk: Buffer) => forward(chunk, opts.capture !== undefined));
    child.stderr?.on('data', (chunk: Buffer) => forward(chunk, opts.capture === 'all'));
    child.once('error', (err) => {
      untrack(child);
      reject(new CommandError(rendered, null, null, err));
    });
    child.once('close', (code, signal) => {
      untrack(child);
      if (code === 0) resolve(Buffer.concat(captured).toString('utf8'));
      else reject(new CommandError(rendered, code, signal));
    });
  });
}

function mergeEnv(extra: Record<string, string | undefined> | undefined): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const [key, value] of Object.entries(extra ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

function emitLastLine(chunk: Buffer, onLine: (line: string) => void): void {
  const lines = chunk.toString('utf8').split(/\r?\n/).filter((line) => line.trim() !== '');
  const last = lines.at(-1);
  if (last !== undefined) onLine(last.trim());
}

// --- interruption: a `kill <pid>` of the CLI must not leave a go build running on its own ---

const running = new Set<ChildProcess>();
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function onSignal(signal: NodeJS.Signals): void {
  for (const child of running) killGroup(child);
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  // With our listener gone, the same signal now ends this process the default way.
  process.kill(process.pid, signal);
}

/** Each command runs in its own process group (detached), so the compilers `go build` starts stop too. */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    child.kill('SIGTERM');
  }
}

function track(child: ChildProcess): void {
  if (running.size === 0) for (const s of SIGNALS) process.on(s, onSignal);
  running.add(child);
}

function untrack(child: ChildProcess): void {
  running.delete(child);
  if (running.size === 0) for (const s of SIGNALS) process.removeListener(s, onSignal);
}
