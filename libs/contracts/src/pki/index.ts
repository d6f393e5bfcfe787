export * from './bootstrap.js';
export * from './jobs.js';
export * from './infra-gateway.js';
