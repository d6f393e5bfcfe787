import { describe, expect, it } from 'vitest';
import { ENGINE_INBOUND_PORT, ENGINE_UID } from '@microgateway/contracts';
import { parseConfig } from './config.js';

describe('parseConfig', () => {
  it('defaults to auto, every port, the Engine conventions', () => {
    expect(parseConfig({})).toEqual({
      iptables: 'auto',
      protectedPorts: 'all',
      excludedPorts: [],
      engineInboundPort: ENGINE_INBOUND_PORT,
      engineUid: ENGINE_UID,
      logLevel: 'info',
    });
  });

  it('reads lists, sorted and without duplicates', () => {
    const config = parseConfig({ IPTABLES: 'nft', PROTECTED_PORTS: ' 8443, 8080,8080,', EXCLUDED_PORTS: '22', ENGINE_INBOUND_PORT: '15001', ENGINE_UID: '1337' });
    expect(config).toMatchObject({ iptables: 'nft', protectedPorts: [8080, 8443], excludedPorts: [22], engineInboundPort: 15001, engineUid: 1337 });
    expect(parseConfig({ PROTECTED_PORTS: 'all' }).protectedPorts).toBe('all');
  });

  it.each([
    [{ IPTABLES: 'iptables' }, /IPTABLES: must be legacy, nft or auto/],
    [{ PROTECTED_PORTS: '80,http' }, /PROTECTED_PORTS: "http" is not a port/],
    [{ PROTECTED_PORTS: ',' }, /PROTECTED_PORTS: list at least one port/],
    [{ PROTECTED_PORTS: '70000' }, /PROTECTED_PORTS: "70000" is not a port/],
    [{ PROTECTED_PORTS: '8080,19001' }, /PROTECTED_PORTS: 19001 belong to the Engine/],
    [{ PROTECTED_PORTS: '8080', EXCLUDED_PORTS: '8080' }, /PROTECTED_PORTS: 8080 also listed in EXCLUDED_PORTS/],
    [{ EXCLUDED_PORTS: '-1' }, /EXCLUDED_PORTS: "-1" is not a port/],
    [{ ENGINE_INBOUND_PORT: '19000' }, /ENGINE_INBOUND_PORT: 19000 is one of the Engine's own ports/],
    [{ ENGINE_INBOUND_PORT: 'x' }, /ENGINE_INBOUND_PORT:/],
    [{ ENGINE_UID: '0' }, /ENGINE_UID: the Engine must not run as root/],
  ])('names the bad variable: %j', (env, message) => {
    expect(() => parseConfig(env)).toThrow(message);
  });
});
