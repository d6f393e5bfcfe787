import { describe, expect, it } from 'vitest';
import { packageVersion } from './version.js';

describe('packageVersion', () => {
  it('finds the version of the package a module belongs to', () => {
    // This file lives in libs/runtime/src/lifecycle; the nearest package.json is @microgateway/runtime's.
    expect(packageVersion(import.meta.url)).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('says unknown when no package.json is above the module', () => {
    expect(packageVersion('file:///nonexistent-root/x/y.js')).toBe('unknown');
  });
});
