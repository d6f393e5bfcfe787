// Local processes for the harness: how a tool is started, stopped and never leaked.
//
// Two lifetimes exist:
// - attached (tests, `mgw dev up` in the foreground): the process dies with us. It runs in its own
//   process group through `setpriv --pdeathsig KILL`, so even a SIGKILLed vitest worker takes it
//   along, and every still-running group is killed on 'exit', SIGINT and SIGTERM.
// - detached (`mgw dev up --detach`): the process outlives us. It gets its own session and a record
//   `<registryDir>/<name>.proc.json` so a later `mgw dev down` (another process) can find and kill
//   exactly it: the record holds the kernel's start time, so a recycled pid is never killed.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface StartProcessOptions {
  /** Short name used in logs, errors and the record file name. */
  name: string;
  command: string;
  args: string[];
  /** Added to (and overriding) the current environment. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** stdout and stderr go here (appended). */
  logFile: string;
  /** Outlive this process (see the header comment). */
  detached?: boolean;
  /** Where the `.proc.json` record of a detached process is written; defaults to the log file's directory. */
  registryDir?: string;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ProcessHandle {
  readonly pid: number;
  readonly name: string;
  readonly logFile: string;
  /** Everything the process printed so far. */
  logs(): string;
  /** Resolves when the process exited, for whatever reason. */
  readonly exited: Promise<ProcessExit>;
  /** Whether `exited` has resolved. */
  hasExited(): boolean;
  /** SIGTERM to the process group, SIGKILL after `timeoutMs` (default 10 s); resolves once it exited. */
  stop(timeoutMs?: number): Promise<ProcessExit>;
}

/** What `<name>.proc.json` holds. */
export interface ProcessRecord {
  pid: number;
  /** Field 22 of /proc/<pid>/stat: clock ticks since boot; with the pid it identifies one process. */
  startTime: string;
  name: string;
  command: string[];
}

const DEFAULT_STOP_TIMEOUT_MS = 10_000;
const RECORD_SUFFIX = '.proc.json';

/** Groups of attached processes still running; killed when this process goes away. */
const attachedGroups = new Set<number>();

export function startProcess(opts: StartProcessOptions): ProcessHandle {
  requireBinary(opts.command);
  mkdirSync(dirname(opts.logFile), { recursive: true });
  const out = openSync(opts.logFile, 'a');
  let child: ChildProcess;
  try {
    child = opts.detached ? spawnDetached(opts, out) : spawnAttached(opts, out);
  } finally {
    closeSync(out);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${opts.name}: could not start ${opts.command} (see ${opts.logFile})`);

  let recordPath: string | undefined;
  if (opts.detached) {
    recordPath = writeRecord(opts, pid);
    child.unref();
  } else {
    attachedGroups.add(pid);
    installExitHooks();
  }

  let done = false;
  const exited = new Promise<ProcessExit>((resolve) => {
    const finish = (exit: ProcessExit): void => {
      if (done) return;
      done = true;
      attachedGroups.delete(pid);
      resolve(exit);
    };
    child.once('exit', (code, signal) => finish({ code, signal }));
    child.once('error', () => finish({ code: null, signal: null }));
  });

  const stop = async (timeoutMs = DEFAULT_STOP_TIMEOUT_MS): Promise<ProcessExit> => {
    if (!done) {
      signalGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    }
    // The leader is gone; anything it left in its group goes too, and is gone when we return.
    await killGroupRemains(pid);
    if (recordPath) rmSync(recordPath, { force: true });
    return exited;
  };

  return {
    pid,
    name: opts.name,
    logFile: opts.logFile,
    logs: () => readLog(opts.logFile),
    exited,
    hasExited: () => done,
    stop,
  };
}

/** SIGKILLs what is left of a process group and waits (bounded) until none of it runs. */
async function killGroupRemains(pgid: number, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (processGroupMembers(pgid).length > 0 && Date.now() < deadline) {
    signalGroup(pgid, 'SIGKILL');
    await sleep(20);
  }
}

/**
 * Fails early, with the fix, when an absolute command path is missing: the provisioned tools
 * live in the per-user cache and a fresh machine has none yet.
 */
export function requireBinary(command: string): void {
  if (!command.startsWith('/')) return;
  try {
    accessSync(command, constants.X_OK);
  } catch {
    throw new Error(`${command} is missing or not executable: run \`mgw toolchain provision\` (scripts/run.sh does it before the tests)`);
  }
}

function spawnAttached(opts: StartProcessOptions, out: number): ChildProcess {
  // `detached: true` only makes it a process group leader here (setsid), so one kill(-pid) reaches
  // everything it starts; setpriv execs the command in place, so the pid is the tool's own.
  return spawn('setpriv', ['--pdeathsig', 'KILL', '--', opts.command, ...opts.args], {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', out, out],
    detached: true,
  });
}

function spawnDetached(opts: StartProcessOptions, out: number): ChildProcess {
  return spawn(opts.command, opts.args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', out, out],
    detached: true,
  });
}

function writeRecord(opts: StartProcessOptions, pid: number): string {
  const dir = opts.registryDir ?? dirname(opts.logFile);
  mkdirSync(dir, { recursive: true });
  const startTime = readStartTime(pid);
  if (startTime === undefined) throw new Error(`${opts.name}: exited right after start (see ${opts.logFile})`);
  const record: ProcessRecord = { pid, startTime, name: opts.name, command: [opts.command, ...opts.args] };
  const path = join(dir, `${opts.name}${RECORD_SUFFIX}`);
  writeFileSync(path, `${JSON.stringify(record, null, 2)}\n`);
  return path;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already empty.
  }
}

let hooksInstalled = false;

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAttachedGroups);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const onSignal = (): void => {
      process.removeListener(signal, onSignal);
      // Someone else handles the signal (the CLI stops its stack in order, gracefully): leave it
      // to them; the 'exit' hook still kills whatever they leave behind.
      if (process.listenerCount(signal) > 0) return;
      killAttachedGroups();
      // We replaced Node's default action (exit); restore it.
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

function killAttachedGroups(): void {
  for (const pgid of attachedGroups) signalGroup(pgid, 'SIGKILL');
  attachedGroups.clear();
}

function readLog(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** The last `lines` lines of a text, for error messages. */
export function tail(text: string, lines = 30): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

// ---------------------------------------------------------------------------------------------
// /proc

interface ProcStat {
  state: string;
  pgrp: number;
  startTime: string;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Field 2 (comm) is parenthesised and may contain spaces and parentheses: split after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // `rest` starts at field 3 (state); field N is rest[N - 3].
  const [state, pgrp, startTime] = [rest[0], rest[2], rest[19]];
  if (state === undefined || pgrp === undefined || startTime === undefined) return undefined;
  return { state, pgrp: Number(pgrp), startTime };
}

/** The start time of a live (non-zombie) process, or undefined when there is none with that pid. */
export function readStartTime(pid: number): string | undefined {
  const stat = readStat(pid);
  return stat && stat.state !== 'Z' ? stat.startTime : undefined;
}

/** Live (non-zombie) processes whose process group is `pgid`. */
export function processGroupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat && stat.state !== 'Z' && stat.pgrp === pgid) members.push(Number(entry));
  }
  return members;
}

// ---------------------------------------------------------------------------------------------
// Records of detached processes

/**
 * Kills every process recorded under `dir` (recursively) whose pid still belongs to the recorded
 * process (same start time), with its whole process group: SIGTERM, then SIGKILL after
 * `timeoutMs`. Resolves when they are gone; the records are deleted. Returns how many were killed.
 */
export async function killRecordedProcesses(dir: string, timeoutMs = DEFAULT_STOP_TIMEOUT_MS): Promise<number> {
  const records = findRecords(dir);
  const live = records.filter(({ record }) => readStartTime(record.pid) === record.startTime);
  for (const { record } of live) signalGroup(record.pid, 'SIGTERM');
  await waitForGroupsGone(live.map(({ record }) => record.pid), timeoutMs);
  for (const { path } of records) rmSync(path, { force: true });
  return live.length;
}

async function waitForGroupsGone(pgids: number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let remaining = pgids;
  while (remaining.length > 0) {
    remaining = remaining.filter((pgid) => processGroupMembers(pgid).length > 0);
    if (remaining.length === 0) return;
    if (Date.now() > deadline) {
      for (const pgid of remaining) signalGroup(pgid, 'SIGKILL');
    }
    if (Date.now() > deadline + 5_000) {
      throw new Error(`process groups ${remaining.join(', ')} survived SIGKILL`);
    }
    await sleep(50);
  }
}

function findRecords(dir: string): { path: string; record: ProcessRecord }[] {
  const found: { path: string; record: ProcessRecord }[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith(RECORD_SUFFIX)) continue;
    const path = join(entry.parentPath, entry.name);
    const record = parseRecord(path);
    if (record) found.push({ path, record });
    else rmSync(path, { force: true });
  }
  return found;
}

function parseRecord(path: string): ProcessRecord | undefined {
  try {
    const raw = JSON.parse(readFileSync(path, 'utf8')) as Partial<ProcessRecord>;
    if (typeof raw.pid !== 'number' || !Number.isInteger(raw.pid) || raw.pid <= 1) return undefined;
    if (typeof raw.startTime !== 'string') return undefined;
    return { pid: raw.pid, startTime: raw.startTime, name: String(raw.name), command: Array.isArray(raw.command) ? raw.command.map(String) : [] };
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Ports and waiting

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  if (port === undefined) throw new Error('no free port');
  return port;
}

/** `n` distinct ports on 127.0.0.1: all are held open together, so none repeats. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () =>
      new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
        const server = createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve(server));
      }),
    ),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  return ports;
}

export interface WaitForOptions {
  timeoutMs: number;
  /** What is awaited, for the error message ("kube-apiserver /readyz"). */
  what: string;
  intervalMs?: number;
  /** The process whose readiness this is: its exit fails the wait at once, its log tail goes into errors. */
  process?: ProcessHandle;
}

/**
 * Calls `check` until it returns a value other than undefined/false, and returns that value.
 * A thrown error counts as "not yet" and is kept for the timeout message.
 */
export async function waitFor<T>(check: () => Promise<T | undefined | false> | T | undefined | false, opts: WaitForOptions): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  const interval = opts.intervalMs ?? 100;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (opts.process?.hasExited()) {
      const exit = await opts.process.exited;
      throw new Error(`${opts.what}: ${opts.process.name} exited (code ${exit.code}, signal ${exit.signal})${describeContext(lastError, opts)}`);
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${(opts.timeoutMs / 1000).toFixed(1)}s waiting for ${opts.what}${describeContext(lastError, opts)}`);
    }
    await sleep(interval);
  }
}

function describeContext(lastError: unknown, opts: WaitForOptions): string {
  let text = '';
  if (lastError !== undefined) text += `\nlast error: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
  if (opts.process) text += `\n--- last lines of ${opts.process.logFile} ---\n${tail(opts.process.logs())}`;
  return text;
}
