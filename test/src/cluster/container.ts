// One container of a Pod as a local process: started in the Pod's network namespace (and, when it
// mounts volumes, a private mount namespace with the volume directories bound to their paths),
// restarted with the kubelet's exponential backoff, probed, and stopped with SIGTERM then SIGKILL.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { ProbeState, runProbe } from './probes.js';
import type { Container, ContainerState, ContainerStatus, Probe } from './types.js';

export interface MountBinding {
  /** Host path of the volume (directory) or of one file in it (subPath). */
  source: string;
  target: string;
  file: boolean;
  readOnly: boolean;
}

export interface ContainerLaunch {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  mounts: MountBinding[];
  netns: string;
  logFile: string;
}

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

export interface ContainerHooks {
  podIp: () => string;
  restartPolicy: 'Always' | 'OnFailure' | 'Never';
  backoff: BackoffPolicy;
  /** Something in the status changed. */
  changed: () => void;
  log: (line: string) => void;
}

/** A container that runs for 10 minutes without exiting starts its next backoff from the beginning (kubelet). */
const BACKOFF_RESET_MS = 10 * 60_000;

export class ContainerRunner {
  restartCount = 0;
  private state: ContainerState = { waiting: { reason: 'ContainerCreating' } };
  private lastState: ContainerState | undefined;
  private child: ChildProcess | undefined;
  private startedAt = 0;
  private nextBackoffMs: number;
  private restartTimer: NodeJS.Timeout | undefined;
  private probeTimers: NodeJS.Timeout[] = [];
  private readiness: ProbeState | undefined;
  private startup: ProbeState | undefined;
  private stopping = false;
  private exitWaiters: (() => void)[] = [];

  constructor(
    readonly spec: Container,
    private readonly launch: ContainerLaunch | { error: string; reason: string },
    private readonly hooks: ContainerHooks,
  ) {
    this.nextBackoffMs = hooks.backoff.initialMs;
    if ('error' in launch) this.state = { waiting: { reason: launch.reason, message: launch.error } };
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Started at least once: the Pod is Running from then on, also while this container backs off. */
  get everStarted(): boolean {
    return this.startedAt > 0;
  }

  get running(): boolean {
    return 'running' in this.state;
  }

  /** Exited for good (no restart coming). */
  get finished(): { exitCode: number } | undefined {
    if (!('terminated' in this.state) || this.restartTimer) return undefined;
    return { exitCode: this.state.terminated.exitCode };
  }

  start(): void {
    if ('error' in this.launch || this.stopping) return;
    const launch = this.launch;
    const out = openSync(launch.logFile, 'a');
    try {
      this.child = spawn('nsenter', [`--net=/run/netns/${launch.netns}`, '--', ...containerCommand(launch.mounts, launch.argv)], {
        cwd: launch.cwd,
        env: launch.env,
        stdio: ['ignore', out, out],
        // Its own process group, so SIGTERM/SIGKILL reach whatever it starts too.
        detached: true,
      });
    } finally {
      closeSync(out);
    }
    this.startedAt = Date.now();
    this.state = { running: { startedAt: new Date(this.startedAt).toISOString() } };
    this.child.once('exit', (code, signal) => this.onExit(code, signal));
    this.child.once('error', (error) => this.hooks.log(`${this.spec.name}: ${error.message}`));
    this.startProbes();
    this.hooks.changed();
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.stopProbes();
    this.child = undefined;
    const exitCode = code ?? 128 + signalNumber(signal);
    const terminated: ContainerState = {
      terminated: {
        exitCode,
        reason: exitCode === 0 ? 'Completed' : 'Error',
        startedAt: new Date(this.startedAt).toISOString(),
        finishedAt: new Date().toISOString(),
        ...(signal ? { signal: signalNumber(signal) } : {}),
      },
    };
    for (const resolve of this.exitWaiters.splice(0)) resolve();
    if (this.stopping) {
      this.state = terminated;
      this.hooks.changed();
      return;
    }
    const restart = this.hooks.restartPolicy === 'Always' || (this.hooks.restartPolicy === 'OnFailure' && exitCode !== 0);
    if (!restart) {
      this.state = terminated;
      this.hooks.changed();
      return;
    }
    if (Date.now() - this.startedAt > BACKOFF_RESET_MS) this.nextBackoffMs = this.hooks.backoff.initialMs;
    const delay = this.nextBackoffMs;
    this.nextBackoffMs = Math.min(this.nextBackoffMs * 2, this.hooks.backoff.maxMs);
    this.lastState = terminated;
    this.state = { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${Math.round(delay / 1000)}s restarting failed container=${this.spec.name}` } };
    this.hooks.log(`${this.spec.name} exited (${exitCode}); restarting in ${delay} ms`);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.restartCount++;
      this.start();
    }, delay);
    this.hooks.changed();
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves once the process is gone. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.stopProbes();
    const child = this.child;
    if (!child?.pid) return;
    const exited = new Promise<void>((resolve) => this.exitWaiters.push(resolve));
    signalGroup(child.pid, 'SIGTERM');
    const killer = setTimeout(() => signalGroup(child.pid ?? 0, 'SIGKILL'), graceMs);
    await exited;
    clearTimeout(killer);
    // Anything the container left in its group goes too.
    signalGroup(child.pid, 'SIGKILL');
  }

  /** Kills the process (liveness failure): the restart policy brings it back. */
  private restartForLiveness(): void {
    const pid = this.child?.pid;
    this.hooks.log(`${this.spec.name}: liveness probe failed, killing pid ${pid}`);
    if (pid) signalGroup(pid, 'SIGKILL');
  }

  get ready(): boolean {
    if (!this.running) return false;
    if (this.startup && !this.startup.passing) return false;
    return this.readiness ? this.readiness.passing : true;
  }

  private startProbes(): void {
    const { readinessProbe, livenessProbe, startupProbe } = this.spec;
    this.startup = startupProbe ? new ProbeState(startupProbe, false) : undefined;
    this.readiness = readinessProbe ? new ProbeState(readinessProbe, false) : undefined;
    if (startupProbe && this.startup) this.schedule(startupProbe, this.startup, () => undefined);
    if (readinessProbe && this.readiness) this.schedule(readinessProbe, this.readiness, () => undefined);
    if (livenessProbe) this.schedule(livenessProbe, new ProbeState(livenessProbe, true), () => this.restartForLiveness());
  }

  private schedule(probe: Probe, state: ProbeState, onFail: () => void): void {
    const periodMs = (probe.periodSeconds ?? 10) * 1000;
    const tick = async (): Promise<void> => {
      // Liveness and readiness wait for a passing startup probe, as in the kubelet.
      if (state !== this.startup && this.startup && !this.startup.passing) return;
      const before = state.passing;
      const ok = await runProbe(probe, { podIp: this.hooks.podIp(), pid: this.child?.pid, container: this.spec });
      if (!this.running || this.stopping) return;
      const after = state.record(ok);
      if (after !== before) this.hooks.changed();
      if (!after && before) onFail();
    };
    const first = setTimeout(() => {
      void tick();
      this.probeTimers.push(setInterval(() => void tick(), periodMs));
    }, (probe.initialDelaySeconds ?? 0) * 1000);
    this.probeTimers.push(first);
  }

  private stopProbes(): void {
    for (const timer of this.probeTimers) clearTimeout(timer);
    this.probeTimers = [];
  }

  status(): ContainerStatus {
    return {
      name: this.spec.name,
      image: this.spec.image,
      imageID: '',
      ...(this.child?.pid ? { containerID: `process://${this.child.pid}` } : {}),
      ready: this.ready,
      started: this.running && (!this.startup || this.startup.passing),
      restartCount: this.restartCount,
      state: this.state,
      lastState: this.lastState ?? {},
    };
  }
}

const PDEATHSIG = ['setpriv', '--pdeathsig', 'KILL', '--'];

/**
 * The container's command, dying with the agent; with volumes, `unshare`d into a private mount
 * namespace with the volumes bound before the exec. A volume can sit over a directory on the path
 * of the container's own binary or of another volume's source (coredns's Corefile at /root hides
 * /root/.cache/…/coredns and the Pod directories under /root/.local/…), so the program and every
 * volume source are opened first and bound through /proc/self/fd.
 */
export function containerCommand(mounts: readonly MountBinding[], argv: readonly string[]): string[] {
  if (mounts.length === 0) return [...PDEATHSIG, ...argv];
  const opens = mounts.map((m, i) => `exec {v${i}}<${shellQuote(m.source)} || exit 125`);
  const binds = mounts.map((m, i) => {
    const target = shellQuote(m.target);
    // The agent created a missing mount point beforehand (mount-points.ts).
    const ro = m.readOnly ? ` && mount -o remount,ro,bind ${target}` : '';
    return `mount --no-canonicalize --bind /proc/self/fd/$v${i} ${target}${ro} || exit 125`;
  });
  const closes = mounts.map((_m, i) => `exec {v${i}}<&-`);
  const program = argv[0] ?? '';
  const openFirst = program.startsWith('/');
  const script = openFirst
    ? ['exec 9<"$1" || exit 127', ...opens, ...binds, ...closes, 'shift', `exec ${PDEATHSIG.join(' ')} /proc/self/fd/9 "$@"`]
    : [...opens, ...binds, ...closes, `exec ${PDEATHSIG.join(' ')} "$@"`];
  // bash, not sh: `exec {var}<path` allocates descriptors beyond 9.
  return ['unshare', '--mount', '--propagation', 'private', '--', 'bash', '-c', script.join('\n'), 'container', ...argv];
}

export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already gone.
  }
}

function signalNumber(signal: NodeJS.Signals | null): number {
  const numbers: Record<string, number> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGSEGV: 11, SIGABRT: 6, SIGHUP: 1 };
  return signal ? (numbers[signal] ?? 0) : 0;
}
