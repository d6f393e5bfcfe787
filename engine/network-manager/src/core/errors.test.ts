import { describe, expect, it } from 'vitest';
import { classifyFailure, isRuleMissing } from './errors.js';

const failed = (stderr: string, exitCode = 1) => ({ command: 'iptables-legacy-restore -w 5 --noflush', exitCode, stderr });

describe('classifyFailure', () => {
  it('turns a missing legacy table into "set IPTABLES=nft"', () => {
    const failure = classifyFailure('legacy', failed("iptables-legacy-restore v1.8.9 (legacy): can't initialize iptables table `nat': Table does not exist (do you need to insmod?)\nPerhaps iptables or your kernel needs to be upgraded.\n", 2));
    expect(failure.kind).toBe('table-missing');
    expect(failure.message).toMatch(/^iptables-legacy-restore -w 5 --noflush failed \(exit 2\): iptables-legacy-restore v1.8.9 .*Table does not exist.* — .*set IPTABLES=nft$/);
  });

  it('turns an nft-less kernel into "set IPTABLES=legacy"', () => {
    expect(classifyFailure('nft', failed('iptables-nft-restore v1.8.9 (nf_tables): Could not fetch rule set generation id: Invalid argument')).message).toMatch(/set IPTABLES=legacy$/);
  });

  it('asks for NET_ADMIN when permission is denied', () => {
    const failure = classifyFailure('nft', failed('iptables-nft-restore v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)', 4));
    expect(failure).toMatchObject({ kind: 'permission' });
    expect(failure.message).toContain('NET_ADMIN');
  });

  it('names a missing binary and the other variant', () => {
    const failure = classifyFailure('legacy', { command: 'iptables-legacy-save', exitCode: null, stderr: '', spawnError: 'spawn iptables-legacy-save ENOENT' });
    expect(failure).toEqual({ kind: 'binary-missing', message: 'iptables-legacy-save: not found in the image: set IPTABLES=nft or use an image that has iptables-legacy' });
  });

  it('keeps what the command said when it is not recognised', () => {
    expect(classifyFailure('nft', failed('something odd'))).toEqual({ kind: 'unknown', message: 'iptables-legacy-restore -w 5 --noflush failed (exit 1): something odd' });
  });
});

describe('isRuleMissing', () => {
  it('is true only for the "no such rule" answers of -C', () => {
    expect(isRuleMissing(failed('iptables: Bad rule (does a matching rule exist in that chain?).'))).toBe(true);
    expect(isRuleMissing(failed('iptables: No chain/target/match by that name.'))).toBe(true);
    expect(isRuleMissing(failed('Permission denied (you must be root)', 4))).toBe(false);
  });
});
