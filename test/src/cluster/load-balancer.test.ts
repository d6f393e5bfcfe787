import { describe, expect, it } from 'vitest';
import { AddressPool } from './load-balancer.js';

describe('AddressPool', () => {
  it('keeps an address per Service, honours a free requested one, and frees on release', () => {
    const pool = new AddressPool('10.204.9.');
    expect(pool.assign('ns/a', undefined)).toBe('10.204.9.1');
    expect(pool.assign('ns/a', '10.204.9.7')).toBe('10.204.9.1');
    expect(pool.assign('ns/b', '10.204.9.7')).toBe('10.204.9.7');
    expect(pool.assign('ns/c', '10.204.9.7')).toBe('10.204.9.2');
    expect(pool.assign('ns/d', '192.168.1.1')).toBe('10.204.9.3');
    pool.release('ns/a');
    expect(pool.assign('ns/e', undefined)).toBe('10.204.9.1');
  });
});
