/**
 * Certificate serial numbers (RFC 5280 §4.1.2.2): positive, at most 20 octets, unpredictable
 * (CA/B Forum asks for at least 64 bits of randomness). We take 16 random octets and clear the
 * top bit so the DER INTEGER stays positive without a padding octet: 127 bits of randomness.
 */
export const SERIAL_OCTETS = 16;

/** Random octets; the adapter passes node:crypto's randomBytes, tests pass fixed bytes. */
export type RandomBytes = (size: number) => Uint8Array;

/** A serial as lower-case hex, from {@link SERIAL_OCTETS} random octets. */
export function randomSerial(random: RandomBytes): string {
  const bytes = Uint8Array.from(random(SERIAL_OCTETS));
  if (bytes.length !== SERIAL_OCTETS) throw new Error(`expected ${SERIAL_OCTETS} random octets, got ${bytes.length}`);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  // A leading zero octet would be stripped by DER and shorten the serial; 0x40 keeps 126 random bits
  // and a fixed length, so serials compare and display consistently.
  if (bytes[0] === 0) bytes[0] = 0x40;
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
