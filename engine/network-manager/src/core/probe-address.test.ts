import { describe, expect, it } from 'vitest';
import { pickProbeAddress } from './probe-address.js';

describe('pickProbeAddress', () => {
  it('takes the first non-loopback IPv4 address', () => {
    expect(
      pickProbeAddress({
        lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
        eth0: [
          { address: 'fe80::1', family: 'IPv6', internal: false },
          { address: '10.1.2.3', family: 'IPv4', internal: false },
        ],
      }),
    ).toBe('10.1.2.3');
    expect(pickProbeAddress({ lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }] })).toBeUndefined();
  });
});
