// Readiness, liveness and startup probes, run from the host against the Pod's IP (HTTP, TCP) or
// inside the container's namespaces (exec), with the kubelet's thresholds and timing.
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { Container, Probe } from './types.js';

export interface ProbeTarget {
  podIp: string;
  /** The container's pid, for exec probes (they run in its network and mount namespaces). */
  pid: number | undefined;
  container: Container;
}

/** A probe port: a number or the name of one of the container's ports. */
export function resolvePort(port: number | string, container: Container): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const named = container.ports?.find((p) => p.name === port);
  if (!named) throw new Error(`container ${container.name} has no port named "${port}"`);
  return named.containerPort;
}

export async function runProbe(probe: Probe, target: ProbeTarget): Promise<boolean> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  try {
    if (probe.httpGet) return await httpProbe(probe.httpGet, target, timeoutMs);
    if (probe.tcpSocket) return await tcpProbe(target.podIp, resolvePort(probe.tcpSocket.port, target.container), timeoutMs);
    if (probe.exec) return await execProbe(probe.exec.command, target.pid, timeoutMs);
    if (probe.grpc) return await tcpProbe(target.podIp, probe.grpc.port, timeoutMs);
  } catch {
    return false;
  }
  return true;
}

function httpProbe(get: NonNullable<Probe['httpGet']>, target: ProbeTarget, timeoutMs: number): Promise<boolean> {
  const port = resolvePort(get.port, target.container);
  const https = get.scheme?.toUpperCase() === 'HTTPS';
  const headers: Record<string, string> = { 'user-agent': 'kube-probe/1.37' };
  for (const h of get.httpHeaders ?? []) headers[h.name] = h.value;
  return new Promise((resolve) => {
    const options = { host: target.podIp, port, path: get.path ?? '/', method: 'GET', headers, timeout: timeoutMs, rejectUnauthorized: false };
    const req = (https ? httpsRequest : request)(options, (res) => {
      res.resume();
      // The kubelet counts 200–399 as success.
      resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 400);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

function execProbe(command: string[], pid: number | undefined, timeoutMs: number): Promise<boolean> {
  if (pid === undefined) return Promise.resolve(false);
  return new Promise((resolve) => {
    execFile('nsenter', ['-t', String(pid), '-n', '-m', '--', ...command], { timeout: timeoutMs }, (error) => resolve(!error));
  });
}

/** Counts consecutive results against the thresholds; `ready` flips only when one is crossed. */
export class ProbeState {
  private successes = 0;
  private failures = 0;

  constructor(
    private readonly probe: Probe,
    public passing: boolean,
  ) {}

  record(ok: boolean): boolean {
    if (ok) {
      this.failures = 0;
      this.successes++;
      if (this.successes >= (this.probe.successThreshold ?? 1)) this.passing = true;
    } else {
      this.successes = 0;
      this.failures++;
      if (this.failures >= (this.probe.failureThreshold ?? 3)) this.passing = false;
    }
    return this.passing;
  }
}
