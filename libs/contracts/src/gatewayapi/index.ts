export * from './meta.js';
export * from './gateway.js';
export * from './httproute.js';
export * from './reference-grant.js';
export * from './core.js';
export * from './kinds.js';
export * from './normalize.js';
