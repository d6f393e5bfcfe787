import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configMapBytes, secretBytes, selectKeys, writeAtomically } from './volumes.js';

const dir = mkdtempSync(join(tmpdir(), 'mgw-volume-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeAtomically', () => {
  it('writes keys as links into ..data, swaps versions and drops removed keys', () => {
    expect(writeAtomically(dir, new Map([['a.txt', Buffer.from('one')], ['b.txt', Buffer.from('b')]]))).toBe(true);
    expect(lstatSync(join(dir, 'a.txt')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'a.txt'))).toBe(join('..data', 'a.txt'));
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('one');
    const firstVersion = readlinkSync(join(dir, '..data'));

    expect(writeAtomically(dir, new Map([['a.txt', Buffer.from('one')], ['b.txt', Buffer.from('b')]]))).toBe(false);
    expect(writeAtomically(dir, new Map([['a.txt', Buffer.from('two')]]))).toBe(true);
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('two');
    expect(readlinkSync(join(dir, '..data'))).not.toBe(firstVersion);
    expect(readdirSync(dir).sort()).toEqual(['..data', readlinkSync(join(dir, '..data')), 'a.txt'].sort());
  });
});

describe('volume sources', () => {
  it('decodes ConfigMap and Secret data and selects items', () => {
    const cm = configMapBytes({ data: { k: 'v' }, binaryData: { b: Buffer.from('bin').toString('base64') } });
    expect(cm.k?.toString()).toBe('v');
    expect(cm.b?.toString()).toBe('bin');
    expect(secretBytes({ data: { s: Buffer.from('secret').toString('base64') } }).s?.toString()).toBe('secret');
    expect([...selectKeys(cm, [{ key: 'k', path: 'sub/renamed' }], 'cm').keys()]).toEqual(['sub/renamed']);
    expect(() => selectKeys(cm, [{ key: 'nope', path: 'x' }], 'ConfigMap ns/cm')).toThrow(/has no key "nope"/);
  });
});
