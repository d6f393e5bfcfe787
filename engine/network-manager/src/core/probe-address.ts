/**
 * The address the verification connects to: one of the Pod's own non-loopback IPv4 addresses, so
 * the probe leaves through nat OUTPUT into the installed MGW_OUTPUT → MGW_INBOUND chains — the same
 * MGW_INBOUND that PREROUTING jumps to for traffic from outside.
 */

export interface InterfaceAddress {
  address: string;
  family: string | number;
  internal: boolean;
}

/** The first non-internal IPv4 address (interfaces in name order), or undefined. */
export function pickProbeAddress(interfaces: Record<string, readonly InterfaceAddress[] | undefined>): string | undefined {
  for (const name of Object.keys(interfaces).sort()) {
    const found = (interfaces[name] ?? []).find((a) => !a.internal && (a.family === 'IPv4' || a.family === 4) && !a.address.startsWith('127.'));
    if (found !== undefined) return found.address;
  }
  return undefined;
}
