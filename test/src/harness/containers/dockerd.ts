// A private Docker engine for machines that have none (CI runners, these dev VMs): Debian's
// `docker.io` started as root with its own socket, data root and exec root, so it never touches
// a system engine and leaves nothing behind.
//
// One engine serves every test process of a run. Each process that uses it registers its pid in
// `<state>/users/`; the last one to release it stops it. dockerd runs under a small shell
// watchdog that also stops it a few seconds after no registered process is alive any more, so
// a test process killed with SIGKILL cannot leave dockerd, containerd or a shim running.
//
// Networking: the default bridge with `--iptables=false --ip-masq=false`. Containers get no NAT
// to the outside; published ports are served by docker-proxy (the userland proxy), which binds
// 127.0.0.1:<host port> and forwards to the container's bridge address. Every private engine uses
// the docker0 bridge, so run one per machine at a time (one per user and TMPDIR is the default).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { info, timed } from './log.js';
import { pingDocker, removeHarnessContainers } from './socket-api.js';

export interface PrivateEngine {
  /** Path of the engine's unix socket (DOCKER_HOST is `unix://` + this). */
  socket: string;
  /** Release this process's use of the engine; the last user stops it (and waits for it to exit). */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 30_000;
const LOCK_TIMEOUT_MS = 15 * 60_000;
/** Seconds the watchdog waits with no live user before it stops dockerd on its own. */
const WATCHDOG_GRACE_S = 5;

export interface EngineDirs {
  state: string;
  socket: string;
  users: string;
  pidfile: string;
  watchdogPidfile: string;
  log: string;
}

/** Short paths (a unix socket path must stay under 108 bytes), one set per user of the machine. */
export function engineDirs(uid: number = process.getuid?.() ?? 0): EngineDirs {
  const state = join(tmpdir(), `mgw-docker-${uid}`);
  return {
    state,
    socket: join(state, 'docker.sock'),
    users: join(state, 'users'),
    pidfile: join(state, 'dockerd.pid'),
    watchdogPidfile: join(state, 'watchdog.pid'),
    log: join(state, 'dockerd.log'),
  };
}

export function dockerdArgs(dirs: EngineDirs): string[] {
  return [
    '--host', `unix://${dirs.socket}`,
    '--data-root', join(dirs.state, 'data'),
    '--exec-root', join(dirs.state, 'exec'),
    '--pidfile', dirs.pidfile,
    // An empty config file: a system /etc/docker/daemon.json (hosts, registries) must not leak in.
    '--config-file', join(dirs.state, 'daemon.json'),
    '--iptables=false', '--ip-masq=false', '--userland-proxy=true',
    // Published ports are for this machine's test processes only.
    '--ip', '127.0.0.1',
    '--shutdown-timeout', '5',
    '--log-level', 'warn',
  ];
}

// $@ = dockerd's arguments. Users are pid files; a pid that is gone is removed.
const WATCHDOG_SCRIPT = `
state="$MGW_DOCKER_STATE"
echo $$ > "$state/watchdog.pid"
dockerd "$@" &
d=$!
trap 'kill -TERM $d 2>/dev/null' TERM INT
idle=0
while kill -0 $d 2>/dev/null; do
  sleep 1
  live=0
  for f in "$state"/users/*; do
    [ -e "$f" ] || continue
    if kill -0 "\${f##*/}" 2>/dev/null; then live=1; else rm -f "$f"; fi
  done
  if [ $live = 1 ]; then idle=0; else idle=$((idle + 1)); fi
  if [ $idle -ge $MGW_DOCKER_GRACE ]; then echo "watchdog: no live user, stopping dockerd"; kill -TERM $d 2>/dev/null; break; fi
done
wait $d
`;

let registered: EngineDirs | undefined;
let exitHookInstalled = false;

/** Starts the private engine, or joins the one another test process of this run started. */
export async function acquirePrivateEngine(): Promise<PrivateEngine | undefined> {
  const dirs = engineDirs();
  mkdirSync(dirs.users, { recursive: true });
  const started = await withLock(dirs, async () => {
    registerUser(dirs);
    try {
      if (await pingDocker(dirs.socket)) return true;
      if (!(await ensureDockerdInstalled())) return false;
      await startDockerd(dirs);
      await removeLeftovers(dirs);
      return true;
    } catch (error) {
      info(`private dockerd: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
  });
  if (!started) {
    unregisterUser(dirs);
    return undefined;
  }
  return { socket: dirs.socket, stop: () => releasePrivateEngine(dirs) };
}

/** A fresh engine has no users yet: labelled containers in its data root are what a crashed run left. */
async function removeLeftovers(dirs: EngineDirs): Promise<void> {
  try {
    const removed = await removeHarnessContainers(dirs.socket);
    if (removed > 0) info(`removed ${removed} container(s) a previous run left behind`);
  } catch (error) {
    info(`could not remove leftover containers: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function releasePrivateEngine(dirs: EngineDirs): Promise<void> {
  await withLock(dirs, async () => {
    unregisterUser(dirs);
    if (liveUsers(dirs).length > 0) return;
    await stopDockerd(dirs);
  });
}

function registerUser(dirs: EngineDirs): void {
  writeFileSync(join(dirs.users, String(process.pid)), '');
  registered = dirs;
  if (!exitHookInstalled) process.once('exit', releaseAtExit);
  exitHookInstalled = true;
}

function unregisterUser(dirs: EngineDirs): void {
  rmSync(join(dirs.users, String(process.pid)), { force: true });
  registered = undefined;
}

function liveUsers(dirs: EngineDirs): number[] {
  const pids = readdirSync(dirs.users).map(Number).filter((pid) => Number.isInteger(pid));
  return pids.filter((pid) => pid !== process.pid && isAlive(pid));
}

/**
 * A process that exits without calling stop() still releases the engine: only synchronous work
 * is possible here, so it signals dockerd and waits for it with a bounded sleep loop.
 */
function releaseAtExit(): void {
  const dirs = registered;
  if (!dirs) return;
  unregisterUser(dirs);
  if (liveUsers(dirs).length > 0) return;
  const pid = readPid(dirs.pidfile);
  if (pid === undefined) return;
  signal(pid, 'SIGTERM');
  spawnSync('sh', ['-c', 'i=0; while kill -0 "$1" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done', 'wait', String(pid)]);
}

async function startDockerd(dirs: EngineDirs): Promise<void> {
  removeStalePidfile(dirs.pidfile);
  writeFileSync(join(dirs.state, 'daemon.json'), '{}\n');
  const logFd = openSync(dirs.log, 'a');
  const child = spawn('sh', ['-c', WATCHDOG_SCRIPT, 'mgw-dockerd-watchdog', ...dockerdArgs(dirs)], {
    detached: true,
    stdio: ['ignore', logFd, logFd],
    env: { ...process.env, MGW_DOCKER_STATE: dirs.state, MGW_DOCKER_GRACE: String(WATCHDOG_GRACE_S), PATH: withSbin(process.env.PATH) },
  });
  closeSync(logFd);
  child.unref();
  let exited = false;
  child.once('exit', () => (exited = true));
  await timed(`private dockerd start (${dirs.socket})`, async () => {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await pingDocker(dirs.socket))) {
      if (exited || Date.now() > deadline) {
        throw new Error(`dockerd did not come up (${exited ? 'it exited' : 'timeout'}); last lines of ${dirs.log}:\n${logTail(dirs.log)}`);
      }
      await sleep(200);
    }
  });
}

async function stopDockerd(dirs: EngineDirs): Promise<void> {
  const pids = [readPid(dirs.pidfile), readPid(dirs.watchdogPidfile)].filter((pid): pid is number => pid !== undefined);
  if (pids.length === 0) return;
  await timed('private dockerd stop', async () => {
    for (const pid of pids) signal(pid, 'SIGTERM');
    if (!(await waitUntilGone(pids, STOP_TIMEOUT_MS))) {
      info(`dockerd did not stop in ${STOP_TIMEOUT_MS / 1000}s; killing it`);
      for (const pid of pids) signal(pid, 'SIGKILL');
      await waitUntilGone(pids, 5_000);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Installing Debian's docker.io

function dockerdPath(): string | undefined {
  const result = spawnSync('sh', ['-c', 'command -v dockerd'], { encoding: 'utf8', env: { ...process.env, PATH: withSbin(process.env.PATH) } });
  const path = result.stdout.trim();
  return result.status === 0 && path ? path : undefined;
}

async function ensureDockerdInstalled(): Promise<boolean> {
  if (dockerdPath()) return true;
  if (process.getuid?.() !== 0) {
    info('no Docker engine and dockerd is not installed; installing docker.io needs root — container backend unavailable');
    return false;
  }
  if (!existsSync('/usr/bin/apt-get')) {
    info('no Docker engine, no dockerd and no apt-get to install it — container backend unavailable');
    return false;
  }
  info('no Docker engine here: installing Debian\'s docker.io with apt-get (first run only)');
  const ok = await timed('apt-get install docker.io', async () => {
    if (await aptGet(['install', '-y', '--no-install-recommends', 'docker.io'])) return true;
    info('apt-get install failed; refreshing the package lists and trying once more');
    return (await aptGet(['update'])) && (await aptGet(['install', '-y', '--no-install-recommends', 'docker.io']));
  });
  if (!ok || !dockerdPath()) {
    info('installing docker.io failed (see the apt-get output above) — container backend unavailable');
    return false;
  }
  return true;
}

function aptGet(args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('apt-get', ['-o', 'DPkg::Lock::Timeout=300', '-q', ...args], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const relay = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) info(`apt-get: ${line.trimEnd()}`);
    };
    child.stdout.on('data', relay);
    child.stderr.on('data', relay);
    child.once('error', (error) => {
      info(`apt-get: ${error.message}`);
      resolve(false);
    });
    child.once('exit', (code) => resolve(code === 0));
  });
}

// ---------------------------------------------------------------------------------------------
// Small process helpers

/** A cross-process lock: mkdir is atomic; a lock whose holder died is taken over. */
async function withLock<T>(dirs: EngineDirs, work: () => Promise<T>): Promise<T> {
  const lock = join(dirs.state, 'lock');
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      const holder = readPid(join(lock, 'pid'));
      if (holder !== undefined && !isAlive(holder)) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock} (held by pid ${holder})`);
      else await sleep(200);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function removeStalePidfile(pidfile: string): void {
  const pid = readPid(pidfile);
  if (pid !== undefined && isAlive(pid)) {
    throw new Error(`a dockerd (pid ${pid}) owns ${pidfile} but its socket does not answer; stop it first`);
  }
  rmSync(pidfile, { force: true });
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

async function waitUntilGone(pids: number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isAlive)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

function withSbin(path: string | undefined): string {
  const parts = (path ?? '/usr/local/bin:/usr/bin:/bin').split(':');
  for (const dir of ['/usr/sbin', '/sbin']) if (!parts.includes(dir)) parts.push(dir);
  return parts.join(':');
}

function logTail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
