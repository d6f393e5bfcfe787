import { spawn } from 'node:child_process';
import type { CommandOutcome } from '../core/errors.js';

export interface CommandResult extends CommandOutcome {
  stdout: string;
}

// iptables-nft 1.8.x can hang in some kernels (iptables-wrappers runs it under `timeout 5`).
const TIMEOUT_MS = 20_000;

/** Runs a program to completion; never throws (a spawn failure is reported in the result). */
export function runCommand(file: string, args: readonly string[], input?: string): Promise<CommandResult> {
  const command = [file, ...args].join(' ');
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    // Our own timer rather than spawn's `timeout`, which keeps the process alive after ENOENT.
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    const finish = (result: CommandResult): void => {
      clearTimeout(timer);
      resolve(result);
    };
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (err) => finish({ command, exitCode: null, stdout, stderr, spawnError: err.message }));
    child.on('close', (code, signal) => {
      finish({ command, exitCode: code, stdout, stderr: signal === null ? stderr : `${stderr}killed by ${signal}`.trim() });
    });
    // The stdin of a program that exits early (or never started) may fail with EPIPE: ignore it.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}
