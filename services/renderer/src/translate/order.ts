/** Code-unit string order: deterministic everywhere (unlike localeCompare, which follows the host's locale). */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
