export * from './data.js';
export * from './envelope.js';
export * from './catalog.js';
export * from './build.js';
