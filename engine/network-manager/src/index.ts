// The Network Manager as a library (the tests drive it in network namespaces).
export * from './core/config.js';
export * from './core/errors.js';
export * from './core/plan.js';
export * from './core/probe-address.js';
export * from './core/variant.js';
export { NetworkManagerError, runNetworkManager, type RunOptions, type RunResult, type Step } from './network-manager.js';
