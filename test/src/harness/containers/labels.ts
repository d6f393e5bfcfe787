/** Every container the harness starts carries this label (value: what it runs), so leftovers can be found. */
export const HARNESS_LABEL = 'io.microgateway.harness';
