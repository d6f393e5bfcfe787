export * from './names.js';
export * from './operator-config.js';
