// The harness never leaks processes: stop() takes the whole process group, and a detached
// process (as `mgw dev up --detach` leaves behind) is found and killed from its record alone.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killRecordedProcesses, processGroupMembers, readStartTime, startNats, startProcess, waitFor } from '../harness/index.js';
import type { ProcessRecord } from '../harness/index.js';

const workDir = mkdtempSync(join(tmpdir(), 'mgw-process-smoke-'));

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

/** A shell that starts a child of its own and waits for it: both must go. */
function shellWithChild(name: string, detached: boolean): ReturnType<typeof startProcess> {
  return startProcess({
    name,
    command: '/bin/sh',
    args: ['-c', 'sleep 1000 & echo "child $!"; wait'],
    logFile: join(workDir, `${name}.log`),
    detached,
    registryDir: join(workDir, 'registry', name),
  });
}

async function childPid(logs: () => string): Promise<number> {
  return waitFor(() => Number(/child (\d+)/.exec(logs())?.[1]) || undefined, { timeoutMs: 5_000, what: 'the shell to report its child' });
}

function alive(pid: number): boolean {
  return readStartTime(pid) !== undefined;
}

describe('process lifetimes', () => {
  it('stop() leaves no process of the group behind', async () => {
    const proc = shellWithChild('attached', false);
    const child = await childPid(() => proc.logs());
    expect(alive(proc.pid)).toBe(true);
    expect(processGroupMembers(proc.pid).sort()).toEqual([proc.pid, child].sort());

    const exit = await proc.stop();

    expect(exit.signal).toBe('SIGTERM');
    expect(alive(proc.pid)).toBe(false);
    expect(alive(child)).toBe(false);
    expect(processGroupMembers(proc.pid)).toEqual([]);
  });

  it('stop() escalates to SIGKILL when SIGTERM is ignored', async () => {
    const proc = startProcess({
      name: 'stubborn',
      command: '/bin/sh',
      args: ['-c', 'trap "" TERM; echo ready; while :; do sleep 0.1; done'],
      logFile: join(workDir, 'stubborn.log'),
    });
    await waitFor(() => proc.logs().includes('ready'), { timeoutMs: 5_000, what: 'the stubborn shell', process: proc });
    const exit = await proc.stop(500);
    expect(exit.signal).toBe('SIGKILL');
    expect(processGroupMembers(proc.pid)).toEqual([]);
  });

  it('killRecordedProcesses finds a detached process from its record and kills its group', async () => {
    const proc = shellWithChild('detached', true);
    const child = await childPid(() => proc.logs());
    const recordFile = join(workDir, 'registry', 'detached', 'detached.proc.json');
    const record = JSON.parse(readFileSync(recordFile, 'utf8')) as ProcessRecord;
    expect(record.pid).toBe(proc.pid);
    expect(record.startTime).toBe(readStartTime(proc.pid));

    // From the top of the tree, as `mgw dev down` does with the state directory.
    const killed = await killRecordedProcesses(workDir);

    expect(killed).toBe(1);
    expect(alive(proc.pid)).toBe(false);
    expect(alive(child)).toBe(false);
    expect(processGroupMembers(proc.pid)).toEqual([]);
    expect(existsSync(recordFile)).toBe(false);
  });

  it('killRecordedProcesses leaves a recycled pid alone', async () => {
    const proc = shellWithChild('recycled', true);
    await childPid(() => proc.logs());
    const recordFile = join(workDir, 'registry', 'recycled', 'recycled.proc.json');
    const record = JSON.parse(readFileSync(recordFile, 'utf8')) as ProcessRecord;
    // Pretend the recorded process was another one that had this pid before.
    writeFileSync(recordFile, JSON.stringify({ ...record, startTime: String(Number(record.startTime) - 1) }));

    expect(await killRecordedProcesses(workDir)).toBe(0);
    expect(alive(proc.pid)).toBe(true);
    expect(readdirSync(join(workDir, 'registry', 'recycled'))).toEqual([]);

    await proc.stop();
    expect(processGroupMembers(proc.pid)).toEqual([]);
  });

  it('a detached NATS (as `mgw dev up --detach` starts it) is gone after killRecordedProcesses of its state dir', async () => {
    const stateDir = join(workDir, 'dev-state');
    await startNats({ workDir: join(stateDir, 'nats'), detached: true, name: 'detached-smoke' });
    const record = JSON.parse(readFileSync(join(stateDir, 'nats', 'nats-server.proc.json'), 'utf8')) as ProcessRecord;
    expect(alive(record.pid)).toBe(true);

    expect(await killRecordedProcesses(stateDir)).toBe(1);

    expect(alive(record.pid)).toBe(false);
    expect(processGroupMembers(record.pid)).toEqual([]);
  });
});
