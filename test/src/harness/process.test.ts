import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePorts, killRecordedProcesses, processGroupMembers, readStartTime, requireBinary, tail, waitFor } from './process.js';

describe('freePorts', () => {
  it('returns distinct usable ports', async () => {
    const ports = await freePorts(5);
    expect(new Set(ports).size).toBe(5);
    for (const port of ports) expect(port).toBeGreaterThan(0);
  });
});

describe('waitFor', () => {
  it('returns the first value that is not undefined/false, retrying through errors', async () => {
    let calls = 0;
    const value = await waitFor(
      () => {
        calls += 1;
        if (calls === 1) throw new Error('not yet');
        return calls < 3 ? false : 'ready';
      },
      { timeoutMs: 5_000, what: 'a value', intervalMs: 1 },
    );
    expect(value).toBe('ready');
    expect(calls).toBe(3);
  });

  it('times out naming what it waited for and the last error', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('connection refused');
        },
        { timeoutMs: 50, what: 'the moon', intervalMs: 5 },
      ),
    ).rejects.toThrow(/timed out after 0\.1s waiting for the moon\nlast error: connection refused/);
  });
});

describe('tail', () => {
  it('keeps the last lines', () => {
    expect(tail('a\nb\nc\nd\n', 2)).toBe('c\nd');
  });
});

describe('/proc readers', () => {
  it('read this process', () => {
    expect(readStartTime(process.pid)).toMatch(/^\d+$/);
    expect(processGroupMembers(process.pid).every((pid) => pid > 0)).toBe(true);
  });
});

describe('killRecordedProcesses', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('kills nothing whose start time differs (a recycled pid) and removes stale and malformed records', async () => {
    dir = mkdtempSync(join(tmpdir(), 'mgw-records-'));
    mkdirSync(join(dir, 'nested'));
    const startTime = readStartTime(process.pid);
    // This very process, recorded with another start time: it must survive.
    writeFileSync(join(dir, 'nested', 'me.proc.json'), JSON.stringify({ pid: process.pid, startTime: `${startTime}1`, name: 'me', command: [] }));
    writeFileSync(join(dir, 'broken.proc.json'), '{ not json');
    writeFileSync(join(dir, 'unrelated.json'), '{}');

    expect(await killRecordedProcesses(dir)).toBe(0);

    expect(readStartTime(process.pid)).toBe(startTime);
    expect(existsSync(join(dir, 'nested', 'me.proc.json'))).toBe(false);
    expect(existsSync(join(dir, 'broken.proc.json'))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['nested', 'unrelated.json']);
  });

  it('accepts a directory that does not exist', async () => {
    expect(await killRecordedProcesses(join(tmpdir(), 'mgw-no-such-dir-for-records'))).toBe(0);
  });
});

describe('requireBinary', () => {
  it('accepts an executable and a bare command name (resolved through PATH at spawn)', () => {
    expect(() => requireBinary(process.execPath)).not.toThrow();
    expect(() => requireBinary('sh')).not.toThrow();
  });

  it('names the missing file and how to provision it', () => {
    expect(() => requireBinary('/nonexistent/mgw/bin/etcd')).toThrow(/\/nonexistent\/mgw\/bin\/etcd is missing .*mgw toolchain provision/);
  });
});
