export * from './permissions.js';
export * from './authorization-conf.js';
