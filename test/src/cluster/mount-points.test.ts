import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MountPoints } from './mount-points.js';

const base = mkdtempSync(join(tmpdir(), 'mgw-mountpoints-'));
afterEach(() => rmSync(base, { recursive: true, force: true }));

describe('MountPoints', () => {
  it('creates missing paths and removes them after the last user, outermost created directory included', () => {
    const points = new MountPoints();
    const target = join(base, 'a', 'b', 'c');
    const releaseOne = points.acquire(target, false);
    const releaseTwo = points.acquire(target, false);
    expect(existsSync(target)).toBe(true);
    releaseOne();
    expect(existsSync(target)).toBe(true);
    releaseTwo();
    expect(existsSync(join(base, 'a'))).toBe(false);
    expect(existsSync(base)).toBe(true);
  });

  it('removes a parent shared by two mount points after both, in either order', () => {
    const points = new MountPoints();
    const releaseCfg = points.acquire(join(base, 'root', 'cfg'), false);
    const releaseSec = points.acquire(join(base, 'root', 'sec'), false);
    releaseCfg();
    expect(existsSync(join(base, 'root', 'sec'))).toBe(true);
    releaseSec();
    expect(existsSync(join(base, 'root'))).toBe(false);
  });

  it('never removes what existed before or what is not empty', () => {
    const points = new MountPoints();
    const existing = join(base, 'existing');
    mkdirSync(existing, { recursive: true });
    points.acquire(existing, false)();
    expect(existsSync(existing)).toBe(true);
    const file = join(base, 'f', 'config.yaml');
    const release = points.acquire(file, true);
    writeFileSync(join(base, 'f', 'other'), 'x');
    release();
    expect(existsSync(file)).toBe(false);
    expect(existsSync(join(base, 'f', 'other'))).toBe(true);
  });
});
