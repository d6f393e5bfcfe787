// The ca's pure core: certificate templates and signing, inspection, renewal policy, the checks
// that decide on (re)issuance, and the bootstrap Secret and SDS files. No I/O: keys, randomness
// and time come in as parameters.
export * from './clock.js';
export * from './serial.js';
export * from './certificates.js';
export * from './inspect.js';
export * from './renewal.js';
export * from './sds.js';
export * from './bootstrap-secret.js';
export * from './checks.js';
export * from './serving-checks.js';
export * from './rotation.js';
export * from './webhook-bundle.js';
